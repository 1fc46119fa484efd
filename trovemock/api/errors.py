"""How errors are rendered: the service's fault body ({"<faultName>": {"code": N,
"message": "..."}}), and, in upstream fidelity, errors as WebOb renders them in Trove."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from http import HTTPStatus

from werkzeug.wrappers import Request, Response

from trovemock.model import errors

# The one table of fault names, by status (trove/common/wsgi.py; 503 from Rackspace's tables).
# The Trove API, the control API, identity and the server's own error pages all use it.
FAULT_NAME_OF: dict[int, str] = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    409: "conflict",
    413: "overLimit",
    415: "badMediaType",
    422: "unprocessableEntity",
    500: "instanceFault",
    501: "notImplemented",
    503: "serviceUnavailable",
    # What a fault rule may send for a gateway in front of the service.
    429: "overLimit",
    502: "badGateway",
    504: "gatewayTimeout",
}

DEFAULT_MESSAGES = {
    400: "The server could not comply with the request since it is either malformed or "
    "otherwise incorrect.",
    401: "The request you have made requires authentication.",
    403: "Access was denied to this resource.",
    404: "The resource could not be found.",
    405: "The method is not allowed for the requested URL.",
    409: "There was a conflict when trying to complete your request.",
    413: "Request Entity Too Large",
    415: "Unsupported Content-Type",
    422: "The item cannot be processed.",
    500: "The server has either erred or is incapable of performing the requested operation.",
    501: "The server does not support the functionality required to fulfill the request.",
    503: "The service is not available.",
    429: "Too many requests: slow down and retry later.",
    502: "The gateway received an invalid answer from the service.",
    504: "The gateway timed out waiting for the service.",
}

DOMAIN_STATUS: dict[type[errors.DomainError], int] = {
    errors.BadRequest: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.TroveForbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.OverLimit: 413,
    errors.Unprocessable: 422,
    errors.NotImplementedForDialect: 501,
    errors.Unserviceable: 500,
}


class HttpError(Exception):
    """Answer the request with `status` and `message`, which each face renders in its own
    format (the service's fault body, keystone's error body), or with a ready `response`
    (keystonemiddleware's 401, WebOb's pages in upstream fidelity) sent as it is."""

    def __init__(
        self,
        status: int = 500,
        message: str | None = None,
        headers: dict[str, str] | None = None,
        *,
        response: Response | None = None,
    ) -> None:
        if response is not None:
            status = response.status_code
        message = message or DEFAULT_MESSAGES.get(status) or HTTPStatus(status).phrase
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers
        self.response = response

    def render(self, renderer: Renderer | None = None) -> Response:
        if self.response is not None:
            return self.response
        return (renderer or fault_response)(self.status, self.message, self.headers)


Renderer = Callable[[int, str, "dict[str, str] | None"], Response]


def fault_body(status: int, message: str | None = None) -> dict:
    name = FAULT_NAME_OF.get(status, "instanceFault" if status >= 500 else "badRequest")
    return {name: {"code": status, "message": message or DEFAULT_MESSAGES.get(status, "")}}


def fault_response(
    status: int, message: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(fault_body(status, message)),
        status=status,
        headers=headers,
        content_type="application/json",
    )


def gateway_page(status: int, headers: dict[str, str] | None = None) -> Response:
    """The HTML error page a reverse proxy in front of the service sends (nginx's shape)."""
    title = f"{status} {HTTPStatus(status).phrase}"
    page = (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
            f"<center><h1>{title}</h1></center>\r\n<hr><center>gateway</center>\r\n"
            "</body>\r\n</html>\r\n")
    return Response(page, status=status, headers=headers, content_type="text/html")


def keystone_error(
    status: int, message: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    """Keystone's own error body: ``{"error": {"code", "title", "message"}}``."""
    title = HTTPStatus(status).phrase
    body = {"error": {"code": status, "title": title, "message": message or title}}
    return Response(
        json.dumps(body), status=status, headers=headers, content_type="application/json"
    )


def domain_fault(error: errors.DomainError) -> Response:
    if isinstance(error, errors.UpstreamBug):
        return internal_fault()
    return fault_response(DOMAIN_STATUS.get(type(error), 400), str(error))


def internal_fault() -> Response:
    return fault_response(
        500,
        "Internal Server Error. Please keep this ID to help us figure out what went wrong: "
        f"({uuid.uuid4()}).",
    )


# -- WebOb's rendering ----------------------------------------------------------------------
# Errors as Trove 26.0.0 lets WebOb render them (used in upstream fidelity only,
# deviation `webob_errors`): with `Accept: application/json` WebOb's own JSON
# (`{"message", "code": "400 Bad Request", "title"}`), without it Trove's FaultWrapper turns a
# text 400/401/403/404 into the fault format with WebOb's default explanation, and other
# statuses stay WebOb's text/plain page.

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
