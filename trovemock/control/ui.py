"""The dashboard's static files (``/_trovemock/ui/``): index.html, app.js and app.css from
the package data in ``trovemock/control/dashboard/``, read on first request (not at start-up)
and served with a strict Content-Security-Policy.

The files hold no data: the page reads everything through the control API with `fetch`,
sending the control token (when the server has one) as ``Authorization: Bearer``. A page
navigation cannot carry that header, so the files are answered without the token; every
other protection of the guard applies (no cross-site request, loopback host names only
when there is no token).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from werkzeug.wrappers import Request, Response

from trovemock.api.errors import HttpError
from trovemock.control.guard import CONTROL_PREFIX, ControlGuard

UI_PREFIX = f"{CONTROL_PREFIX}/ui"

FILES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'; require-trusted-types-for 'script'"
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def is_ui_path(path: str) -> bool:
    return path == UI_PREFIX or path.startswith(UI_PREFIX + "/")


@cache
def asset(name: str) -> bytes:
    """One of the dashboard's files, read from the package once."""
    return (resources.files("trovemock.control") / "dashboard" / name).read_bytes()


def serve(guard: ControlGuard, request: Request) -> Response:
    """Answer a request under ``/_trovemock/ui`` (HttpError for a refused or unknown one)."""
    guard.check_static(request)
    if request.method not in ("GET", "HEAD"):
        raise HttpError(405, "The dashboard's files answer GET only.")
    name = request.path[len(UI_PREFIX):].strip("/") or "index.html"
    if name not in FILES:
        raise HttpError(
            404, f"The dashboard has no file {name!r} (it has {', '.join(sorted(FILES))})."
        )
    response = Response(asset(name), content_type=FILES[name])
    response.headers.update(HEADERS)
    return response
