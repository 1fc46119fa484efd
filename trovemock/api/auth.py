"""Who a request's token speaks for: keystonemiddleware's 401 without a token it knows, Trove's
tenant 403 for a token of another project, else the caller (admin when it has the role)."""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from trovemock.api.errors import (
    DEFAULT_MESSAGES,
    HttpError,
    fault_response,
    forbidden,
    keystone_error,
)
from trovemock.api.host import ApiHost
from trovemock.fidelity import upstream
from trovemock.model.access import Caller


def authenticate(host: ApiHost, request: Request, project_id: str, region: str) -> Caller:
    """Runs inside the cloud's operation: the tokens it reads are those the request sees.
    No token, an identity token that expired or was evicted, or (strict) one nobody issued:
    keystonemiddleware's 401. A token of another project: Trove's 403."""
    token = request.headers.get("X-Auth-Token", "").strip()
    now = host.cloud.time
    grant = host.tokens.lookup(token, now) if token else None
    if not token or (grant is None and (strict_tokens(host) or host.tokens.retired(token, now))):
        if host.dialect == "rackspace":
            raise HttpError(401)  # the documents' fault format
        raise HttpError(response=keystone_unauthorized(request))
    roles: frozenset[str] = frozenset()
    if grant is not None:
        roles = grant.roles
        if grant.project_id is not None and grant.project_id != project_id:
            raise HttpError(response=wrong_tenant(host, request, grant.project_id))
    is_admin = any(role.lower() == "admin" for role in roles)
    return Caller(project_id=project_id, region=region, is_admin=is_admin)


def strict_tokens(host: ApiHost) -> bool:
    return host.config.strict_tokens or upstream(host.config, "any_token")


def wrong_tenant(host: ApiHost, request: Request, bound: str) -> Response:
    """Trove's tenant check: a token bound to another project than the URL's gets 403."""
    message = f"User with tenant id {bound} cannot access this resource."
    if upstream(host.config, "webob_errors"):
        return forbidden(request, message)
    return fault_response(403, message)


def keystone_unauthorized(request: Request) -> Response:
    """keystonemiddleware's answer, naming the identity service (served on this host)."""
    return keystone_error(
        401, DEFAULT_MESSAGES[401], {"WWW-Authenticate": f'Keystone uri="{request.host_url}v3"'}
    )
