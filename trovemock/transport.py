"""A `requests` transport adapter that hands requests to a WSGI app in this process.

Mount it on any `requests.Session` and the code that uses the session reaches the emulator
without a socket (the `trove_session` fixture does just that):

    session = requests.Session()
    session.mount("http://trovemock.test/", WSGITransport(mock))
    session.get("http://trovemock.test/v1.0/p1/backups", headers={"X-Auth-Token": "t"})

It needs `requests`, which trovemock itself does not install.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from werkzeug.test import EnvironBuilder, run_wsgi_app

from trovemock.exchange import CLIENT_TIMEOUT, ClientGaveUp, ConnectionDropped

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# Headers the environ builder derives from the body itself.
_BODY_HEADERS = frozenset({"content-length", "content-type"})


class WSGITransport(BaseAdapter):
    """Sends each prepared request to `app` and turns its answer into a `requests.Response`.
    A fault rule's dropped connection surfaces as `requests.ConnectionError`, as on the wire,
    and a rule's latency (`latency`, `clock_latency`) longer than the request's `timeout=` as
    `requests.ReadTimeout`."""

    def __init__(self, app: WSGIApp) -> None:
        super().__init__()
        self.app = app

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        url = urlsplit(request.url or "")
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif body is not None and not isinstance(body, bytes):
            body = b"".join(body)  # a generator body (chunked upload)
        builder = EnvironBuilder(
            path=url.path or "/",
            base_url=f"{url.scheme}://{url.netloc}",
            query_string=url.query,
            method=request.method or "GET",
            headers=[
                (name, value)
                for name, value in request.headers.items()
                if name.lower() not in _BODY_HEADERS
            ],
            content_type=request.headers.get("Content-Type"),
            data=body or b"",
        )
        environ = builder.get_environ()
        read_timeout = _read_timeout(timeout)
        if read_timeout is not None:
            environ[CLIENT_TIMEOUT] = read_timeout
        try:
            app_iter, status, headers = run_wsgi_app(self.app, environ, buffered=True)
            content = b"".join(app_iter)
        except ConnectionDropped as error:
            raise requests.ConnectionError(
                f"connection closed without an answer ({error})", request=request
            ) from error
        except ClientGaveUp as error:
            raise requests.ReadTimeout(
                f"no answer within the read timeout ({error})", request=request
            ) from error
        finally:
            builder.close()
        return _response(request, status, headers, content)

    def close(self) -> None:
        """Nothing to release: there is no connection pool."""


def _read_timeout(timeout: Any) -> float | None:
    """requests' `timeout`: seconds, a (connect, read) pair, or None (wait for ever)."""
    if isinstance(timeout, tuple):
        timeout = timeout[1]
    return float(timeout) if timeout is not None else None


def _response(
    request: requests.PreparedRequest, status: str, headers: Any, content: bytes
) -> requests.Response:
    response = requests.Response()
    code, _, reason = status.partition(" ")
    response.status_code = int(code)
    response.reason = reason
    response.headers = CaseInsensitiveDict(dict(headers.items()))
    response.encoding = get_encoding_from_headers(response.headers)
    response.raw = io.BytesIO(content)
    response._content = content
    response._content_consumed = True  # type: ignore[attr-defined]  # requests' own flag
    response.url = request.url or ""
    response.request = request
    return response
