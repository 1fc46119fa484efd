"""A minimal HTTP client on the standard library (contract mode must not need `requests`)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

NOT_JSON = object()  # `Answer.json` of a body that does not parse
SNIPPET = 80


@dataclass
class Answer:
    """What the deployment answered (`status` None when it did not answer at all)."""

    method: str
    url: str
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str | None = None  # why there is no answer

    @property
    def json(self) -> Any:
        """The parsed body; None when empty, `NOT_JSON` when it does not parse."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return NOT_JSON

    def inner(self, key: str) -> dict[str, Any] | None:
        """The object under `key` of a JSON object body (``{"backup": {...}}``), else None."""
        body = self.json
        if isinstance(body, dict) and isinstance(body.get(key), dict):
            return body[key]
        return None

    def items(self, key: str) -> list[Any] | None:
        """The list under `key` of a JSON object body (``{"backups": [...]}``), else None."""
        body = self.json
        items = body.get(key) if isinstance(body, dict) else None
        return items if isinstance(items, list) else None

    def snippet(self) -> str:
        text = self.body.decode("utf-8", "replace")
        return repr(text if len(text) <= SNIPPET else text[:SNIPPET] + "...")

    def fault_summary(self) -> str:
        """``404 itemNotFound: 'Resource x cannot be found.'`` or a description of the body."""
        body = self.json
        if isinstance(body, dict) and len(body) == 1:
            ((name, inner),) = body.items()
            if isinstance(inner, dict) and "message" in inner:
                message = str(inner["message"])
                if len(message) > SNIPPET:
                    message = message[:SNIPPET] + "..."
                return f"{self.status} {name}: {message!r}"
        return f"{self.status}, {self.describe_body()}"

    def describe_body(self) -> str:
        body = self.json
        if body is None:
            return "empty body"
        if body is NOT_JSON:
            return f"body is not JSON: {self.snippet()}"
        return f"JSON body {self.snippet()}"


class HttpClient:
    """Requests relative to a base URL such as ``https://host/v1.0/<project>``."""

    def __init__(self, base_url: str, token: str | None, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.answers: list[tuple[str, Answer]] = []  # (route, answer) of every request

    def request(
        self,
        route: str,
        method: str,
        path: str,
        body: Any = None,
        *,
        with_token: bool = True,
    ) -> Answer:
        url = self.base_url + path
        headers = {"Accept": "application/json", "User-Agent": "trovemock-contract"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if with_token and self.token:
            headers["X-Auth-Token"] = self.token
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        answer = self._send(request, method, url)
        self.answers.append((route, answer))
        return answer

    def _send(self, request: urllib.request.Request, method: str, url: str) -> Answer:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return Answer(method, url, response.status, dict(response.headers),
                              response.read())
        except urllib.error.HTTPError as error:
            with error:
                return Answer(method, url, error.code, dict(error.headers), error.read())
        except (TimeoutError, urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            return Answer(method, url, None, error=f"no answer: {reason}")
