"""Errors as Trove 26.0.0 lets WebOb render them (used in upstream fidelity only,
deviation `webob_errors`): with `Accept: application/json` WebOb's own JSON
(`{"message", "code": "400 Bad Request", "title"}`), without it Trove's FaultWrapper turns a
text 400/401/403/404 into the fault format with WebOb's default explanation, and other
statuses stay WebOb's text/plain page."""

from __future__ import annotations

import json
from http import HTTPStatus

from werkzeug.wrappers import Request, Response

from trovemock.api.faults import DEFAULT_MESSAGES, fault_response

_FAULT_WRAPPED = frozenset({400, 401, 403, 404})


def webob_error(request: Request, status: int, explanation: str, detail: str = "") -> Response:
    """`explanation` is WebOb's sentence for the error, `detail` what Trove added."""
    title = HTTPStatus(status).phrase
    if "application/json" in request.headers.get("Accept", ""):
        if detail:
            message = f"{explanation}<br /><br />\n{detail}\n\n"
        elif status == 400:
            message = f"{explanation}<br /><br />\n\n\n"
        else:
            message = f"{explanation}\n<br /><br />\n"
        body = {"message": message, "code": f"{status} {title}", "title": title}
        return Response(json.dumps(body), status=status, content_type="application/json")
    if status in _FAULT_WRAPPED:
        return fault_response(status, DEFAULT_MESSAGES[status])
    text = f"{status} {title}\n\n{explanation} \n\n {detail}"
    return Response(text, status=status, content_type="text/plain; charset=UTF-8")


def malformed_json(request: Request) -> Response:
    return webob_error(request, 400, "Malformed request body")


def unsupported_media_type(request: Request, mimetype: str) -> Response:
    return webob_error(
        request, 415, f"The request media type {mimetype} is not supported by this server."
    )


def forbidden(request: Request, detail: str) -> Response:
    return webob_error(request, 403, "Access was denied to this resource.", detail)
