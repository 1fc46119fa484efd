"""Who may use the control API. It can reset the cloud, inject faults and read every token,
so it answers only:

- requests that do not come from another web site: a browser's cross-site request carries
  `Origin` (another origin than this server's) or `Sec-Fetch-Site` (`cross-site`,
  `same-site`) and gets 403 (so a web page cannot drive the emulator through the browser);
- state-changing requests (POST, PUT, PATCH, DELETE) whose body, if any, is declared JSON:
  anything else gets 415 (the content types a page may send without a CORS preflight,
  `text/plain` and forms, never reach a handler);
- with a control token (`trovemock serve --control-token`, `mock.control_guard.token`), only
  requests carrying it as `Authorization: Bearer <token>` (401 otherwise), from any host;
- without one, only requests addressed to this server by a loopback name (`localhost`,
  `*.localhost`, `127.x.x.x`, `::1`) or by the name it was reached under (`SERVER_NAME`):
  a foreign `Host` (a DNS-rebinding page) gets 403.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from werkzeug.wrappers import Request

from trovemock.api.errors import HttpError

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SAFE_FETCH_SITES = frozenset({"same-origin", "none"})


CONTROL_PREFIX = "/_trovemock"


@dataclass
class ControlGuard:
    """The control API's protections for one mock (`mock.control_guard`). `token` None: no
    token needed, loopback host names only."""

    token: str | None = None

    def check(self, request: Request) -> None:
        """Raise HttpError (403, 401 or 415) unless the request may use the control API."""
        _not_cross_site(request)
        if self.token is not None:
            _bearer(request, self.token)
        else:
            _own_host(request)
        _json_body_declared(request)

    def check_static(self, request: Request) -> None:
        """`check` without the token: for files that hold no data (the dashboard's page,
        which a browser navigation cannot send a header to)."""
        _not_cross_site(request)
        if self.token is None:
            _own_host(request)


def is_loopback(host: str) -> bool:
    """Whether a host name or address names this machine only."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _not_cross_site(request: Request) -> None:
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site.lower() not in _SAFE_FETCH_SITES:
        raise HttpError(
            403,
            f"The control API refuses requests a browser sends from another site "
            f"(Sec-Fetch-Site: {site}).",
        )
    origin = request.headers.get("Origin")
    if origin is not None and origin.rstrip("/").lower() != request.host_url.rstrip("/").lower():
        raise HttpError(
            403,
            f"The control API refuses requests from another origin ({origin}); call it from "
            "your test code, not from a web page.",
        )


def _bearer(request: Request, token: str) -> None:
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(
        value.strip().encode(), token.encode()
    ):
        raise HttpError(
            401,
            "The control API needs the server's control token: send "
            "'Authorization: Bearer <token>' (trovemock serve --control-token).",
        )


def _host_name(host: str) -> str:
    """The name in a Host header, as a URL parser reads it: `[::1]:8779` -> `::1`,
    `localhost:8779` -> `localhost` (and `localhost@evil.example` -> `evil.example`)."""
    return urlsplit(f"//{host}").hostname or ""


def _own_host(request: Request) -> None:
    name = _host_name(request.host)
    served_as = str(request.environ.get("SERVER_NAME", ""))
    if is_loopback(name) or name.lower() == served_as.strip("[]").lower():
        return
    raise HttpError(
        403,
        f"The control API answers only requests addressed to this machine by a loopback name "
        f"(localhost, 127.0.0.1), not to {name!r} (a DNS-rebinding guard). To reach it under "
        "another name, start the server with --control-token and send "
        "'Authorization: Bearer <token>'.",
    )


def _json_body_declared(request: Request) -> None:
    if request.method not in STATE_CHANGING:
        return
    mimetype = request.mimetype
    has_body = bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", ""
    ).lower()
    if not mimetype and not has_body:
        return  # `curl -X POST .../reset`: nothing to declare
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise HttpError(
            415,
            f"The control API takes JSON: send 'Content-Type: application/json' "
            f"(got {mimetype or 'no Content-Type'}).",
        )
