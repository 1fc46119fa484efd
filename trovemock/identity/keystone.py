"""A fake identity service, so real clients can log in with a user name and a password.

Three protocols, each the minimum real clients need (see the README and
`reference/real-clients.md` §5):

- Keystone v3: ``GET /v3`` (version discovery) and ``POST /v3/auth/tokens`` with the
  ``password`` or ``token`` method -> 201, ``X-Subject-Token`` and a catalog whose
  ``database`` service has one ``public`` endpoint per region.
- Keystone v2.0 / Rackspace Identity: ``POST /v2.0/tokens`` with ``passwordCredentials``,
  ``RAX-KSKEY:apiKeyCredentials`` or ``token`` -> ``access`` with a ``serviceCatalog`` holding
  a ``database`` entry and, last (pyrax keeps the last one), a ``rax:database`` entry.
- Legacy v1.0 (troveclient's old HTTPClient): ``GET /auth/v1.0`` with ``X-Auth-User`` and
  ``X-Auth-Key`` -> 204 with ``X-Auth-Token`` and ``X-Server-Management-Url``.

Who may log in: with no configured users (the default) any user name and any password are
accepted. Once a user is configured (`add_user`), only configured users log in, with their
password (or API key), and a user bound to a project can only scope tokens to it. Project
names are project ids. Without a requested project the token is scoped to the user's project,
or to a project named after the user.

Every issued token goes into the cloud's token registry (`trovemock.tokens`), so the Trove
API accepts it for that project only, until it expires on the emulator's clock.
"""

from __future__ import annotations

import datetime as _dt
import json
import secrets
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from trovemock.api.bodies import BodyError, parse_json, read_body
from trovemock.api.discovery import version_document
from trovemock.api.errors import HttpError, fault_response, keystone_error
from trovemock.api.host import ApiHost
from trovemock.api.routing import match, url_map
from trovemock.checks import Fields
from trovemock.identity.accounts import Accounts, IdentityUser

_DOMAIN = {"id": "default", "name": "Default"}
MAX_BODY_BYTES = 65536  # identity request bodies: 413 above (a login body is ~300 bytes)


class IdentityHost(ApiHost, Protocol):
    """What identity needs of an emulated cloud (a TroveMock is one): the API's parts, its
    users, and its regions for the catalogs."""

    @property
    def accounts(self) -> Accounts: ...
    @property
    def default_region(self) -> str: ...
    @property
    def regions(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class IssuedToken:
    token: str
    issued_at: _dt.datetime
    expires_at: _dt.datetime


def add_user(mock: IdentityHost, name: str, password: str, **options: Any) -> IdentityUser:
    """Configure a user (`Accounts.add_user`'s options: api_key, project_id, roles). From
    then on only configured users can log in to `mock`."""
    return mock.accounts.add_user(name, password, **options)


def _json(body: Any, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), status=status, headers=headers, content_type="application/json"
    )


# --- the login rules --------------------------------------------------------------------------


def _authenticate(
    accounts: Accounts, user_name: str, secret: str, *, api_key: bool
) -> IdentityUser:
    """Check a user name and a password (or API key); 401 when they do not match."""
    user = accounts.check(user_name, secret, api_key=api_key)
    if user is None:
        raise HttpError(401)
    return user


def _from_token(mock: IdentityHost, token: str) -> IdentityUser:
    """The user behind a token this service issued; 401 for any other token."""
    with mock.cloud.operation() as now:
        grant = mock.tokens.lookup(token, now)
    if grant is None or grant.user is None:
        raise HttpError(401, "The token is not valid or has expired.")
    user = mock.accounts.user(grant.user)
    if user is None:
        return IdentityUser(grant.user, "", roles=tuple(sorted(grant.roles)))
    return user


# Keystone's longest project (and user) name: a token's project is at most this long, so the
# token registry, and a state export holding it, stay bounded by size as well as by count.
MAX_NAME_LENGTH = 64


def _scope(user: IdentityUser, requested: str | None) -> str:
    project = requested or user.project_id or user.name
    if len(project) > MAX_NAME_LENGTH:
        raise HttpError(
            400, f"A project name is at most {MAX_NAME_LENGTH} characters, not {len(project)}."
        )
    if user.project_id is not None and project != user.project_id:
        raise HttpError(401, f"User {user.name} has no access to project {project}.")
    return project


def _issue(mock: IdentityHost, user: IdentityUser, project: str) -> IssuedToken:
    """Issue a token into the cloud's token registry, on the emulator's clock. The oldest
    issued tokens beyond `config.max_identity_tokens`, and expired ones, are forgotten in the
    same step (a forgotten token is then an unknown one)."""
    with mock.cloud.operation() as now:
        token, grant = mock.tokens.issue(
            user.name,
            project,
            user.roles,
            now=now,
            lifetime=mock.accounts.token_lifetime,
            limit=mock.config.max_identity_tokens,
        )
    assert grant.issued_at is not None and grant.expires_at is not None
    return IssuedToken(token, grant.issued_at, grant.expires_at)


def _iso(when: _dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


# --- request parsing helpers ------------------------------------------------------------------


def _body(request: Request) -> dict[str, Any]:
    try:
        raw = read_body(request, MAX_BODY_BYTES)
        body = parse_json(raw) if raw.strip() else None
    except BodyError as error:
        message = "The request body is too large." if error.status == 413 else str(error)
        raise HttpError(error.status, message) from None
    if not isinstance(body, dict):
        raise HttpError(400, "The request body must be a JSON object with an 'auth' key.")
    return body


def _bad_request(message: str) -> HttpError:
    return HttpError(400, message)


def _obj(parent: dict[str, Any], key: str, where: str, required: bool = True) -> dict[str, Any]:
    """The object at `where` + `key` of a login body (checks.Fields' wording, a 400)."""
    fields = Fields(parent, where.rstrip("."), error=_bad_request)
    return dict(fields.obj(key, required=required).data)


def _text(parent: dict[str, Any], key: str, where: str) -> str:
    return Fields(parent, where.rstrip("."), error=_bad_request).text(key)


# --- endpoints and catalogs -------------------------------------------------------------------


def _base_url(request: Request) -> str:
    return request.host_url.rstrip("/") + request.script_root


def trove_endpoint(
    mock: IdentityHost, base_url: str, project_id: str, region: str | None = None
) -> str:
    """This server's Trove endpoint for a project: ``/v1.0/<project>`` in the default region,
    ``/regions/<region>/v1.0/<project>`` in the others."""
    prefix = "" if region is None or region == mock.default_region else f"/regions/{region}"
    return f"{base_url}{prefix}/v1.0/{quote(project_id, safe='')}"


def _regions(mock: IdentityHost) -> list[str]:
    """The default region first: clients without a region setting take the first endpoint."""
    return [mock.default_region] + [r for r in mock.regions if r != mock.default_region]


def _v3_catalog(mock: IdentityHost, base: str, project: str) -> list[dict[str, Any]]:
    regions = _regions(mock)
    database = [
        {
            "id": f"trove-{region}",
            "interface": "public",
            "region": region,
            "region_id": region,
            "url": trove_endpoint(mock, base, project, region),
        }
        for region in regions
    ]
    identity = [
        {
            "id": f"keystone-{region}",
            "interface": "public",
            "region": region,
            "region_id": region,
            "url": f"{base}/v3",
        }
        for region in regions
    ]
    return [
        {"id": "trove", "type": "database", "name": "trove", "endpoints": database},
        {"id": "keystone", "type": "identity", "name": "keystone", "endpoints": identity},
    ]


def _v2_catalog(mock: IdentityHost, base: str, project: str) -> list[dict[str, Any]]:
    regions = _regions(mock)

    def endpoints() -> list[dict[str, Any]]:
        return [
            {
                "region": region,
                "tenantId": project,
                "publicURL": trove_endpoint(mock, base, project, region),
            }
            for region in regions
        ]

    return [
        {
            "type": "identity",
            "name": "keystone",
            "endpoints": [{"region": r, "publicURL": f"{base}/v2.0"} for r in regions],
        },
        {"type": "database", "name": "trove", "endpoints": endpoints()},
        # pyrax keys services on the part after the colon and keeps the last: keep this last.
        {"type": "rax:database", "name": "cloudDatabases", "endpoints": endpoints()},
    ]


# --- keystone v3 ------------------------------------------------------------------------------


def _v3_tokens(mock: IdentityHost, request: Request) -> Response:
    auth = _obj(_body(request), "auth", "")
    identity = _obj(auth, "identity", "auth.")
    methods = identity.get("methods")
    if not isinstance(methods, list) or not methods:
        raise HttpError(400, "'auth.identity.methods' must be a non-empty list.")
    if "password" in methods:
        password = _obj(identity, "password", "auth.identity.")
        user_ref = _obj(password, "user", "auth.identity.password.")
        name = user_ref.get("name") or user_ref.get("id")
        if not isinstance(name, str) or not name:
            raise HttpError(400, "'auth.identity.password.user.name' (or 'id') is required.")
        secret = _text(user_ref, "password", "auth.identity.password.user.")
        user = _authenticate(mock.accounts, name, secret, api_key=False)
    elif "token" in methods:
        token = _obj(identity, "token", "auth.identity.")
        user = _from_token(mock, _text(token, "id", "auth.identity.token."))
    else:
        raise HttpError(401, f"Unsupported authentication methods: {methods}.")
    scope = auth.get("scope")
    requested = None
    if scope is not None:
        if not isinstance(scope, dict) or set(scope) - {"project"}:
            raise HttpError(400, "Only a project scope ('auth.scope.project') is supported.")
        project_ref = _obj(scope, "project", "auth.scope.")
        requested = project_ref.get("id") or project_ref.get("name")
        if not isinstance(requested, str) or not requested:
            raise HttpError(400, "'auth.scope.project.id' or '.name' is required.")
    project = _scope(user, requested)
    issued = _issue(mock, user, project)
    base = _base_url(request)
    body = {
        "token": {
            "methods": [m for m in methods if m in ("password", "token")],
            "issued_at": _iso(issued.issued_at),
            "expires_at": _iso(issued.expires_at),
            "audit_ids": [secrets.token_urlsafe(16)],
            "user": {
                "id": user.name,
                "name": user.name,
                "domain": _DOMAIN,
                "password_expires_at": None,
            },
            "project": {"id": project, "name": project, "domain": _DOMAIN},
            "is_domain": False,
            "roles": [{"id": role, "name": role} for role in user.roles],
            "catalog": _v3_catalog(mock, base, project),
        }
    }
    return _json(body, 201, {"X-Subject-Token": issued.token})


# --- keystone v2.0 / Rackspace ----------------------------------------------------------------


def _v2_tokens(mock: IdentityHost, request: Request) -> Response:
    auth = _obj(_body(request), "auth", "")
    if isinstance(auth.get("passwordCredentials"), dict):
        creds = auth["passwordCredentials"]
        where = "auth.passwordCredentials."
        user = _authenticate(
            mock.accounts,
            _text(creds, "username", where),
            _text(creds, "password", where),
            api_key=False,
        )
        method = "PASSWORD"
    elif isinstance(auth.get("RAX-KSKEY:apiKeyCredentials"), dict):
        creds = auth["RAX-KSKEY:apiKeyCredentials"]
        where = "auth.RAX-KSKEY:apiKeyCredentials."
        name, key = _text(creds, "username", where), _text(creds, "apiKey", where)
        user = _authenticate(mock.accounts, name, key, api_key=True)
        method = "APIKEY"
    elif isinstance(auth.get("token"), dict):
        user = _from_token(mock, _text(auth["token"], "id", "auth.token."))
        method = "TOKEN"
    else:
        raise HttpError(
            400, "'auth' needs 'passwordCredentials', 'RAX-KSKEY:apiKeyCredentials' or 'token'."
        )
    requested = auth.get("tenantId") or auth.get("tenantName")
    if requested is not None and (not isinstance(requested, str) or not requested):
        raise HttpError(400, "'auth.tenantId' / 'auth.tenantName' must be a string.")
    project = _scope(user, requested)
    issued = _issue(mock, user, project)
    base = _base_url(request)
    roles = [{"id": role, "name": role} for role in user.roles]
    body = {
        "access": {
            "token": {
                "id": issued.token,
                "issued_at": _iso(issued.issued_at),
                "expires": _iso(issued.expires_at),
                "tenant": {"id": project, "name": project},
                "RAX-AUTH:authenticatedBy": [method],
            },
            "user": {
                "id": user.name,
                "name": user.name,
                "username": user.name,
                "roles": roles,
                "RAX-AUTH:defaultRegion": mock.default_region,
            },
            "serviceCatalog": _v2_catalog(mock, base, project),
        }
    }
    return _json(body, 200)


# --- legacy v1.0 ------------------------------------------------------------------------------


def _v1_auth(mock: IdentityHost, request: Request) -> Response:
    name = request.headers.get("X-Auth-User", "")
    key = request.headers.get("X-Auth-Key", "")
    if not name or not key:
        raise HttpError(401, "X-Auth-User and X-Auth-Key headers are required.")
    user = _authenticate(mock.accounts, name, key, api_key=True)
    project = _scope(user, request.headers.get("X-Auth-Project-Id") or None)
    issued = _issue(mock, user, project)
    url = trove_endpoint(mock, _base_url(request), project)
    return Response(
        status=204, headers={"X-Auth-Token": issued.token, "X-Server-Management-Url": url}
    )


# --- dispatch ---------------------------------------------------------------------------------


def _v3_document(mock: IdentityHost, request: Request) -> Response:
    base = _base_url(request)
    return _json(version_document(base, "v3", "stable", "2020-04-07T00:00:00Z"), 200)


def _v2_document(mock: IdentityHost, request: Request) -> Response:
    base = _base_url(request)
    return _json(version_document(base, "v2.0", "deprecated", "2014-04-17T00:00:00Z"), 200)


ROUTES = url_map(
    [
        ("/v3", ("GET", "HEAD"), _v3_document),
        ("/v3/auth/tokens", ("POST",), _v3_tokens),
        ("/v2.0", ("GET", "HEAD"), _v2_document),
        ("/v2.0/tokens", ("POST",), _v2_tokens),
        ("/auth/v1.0", ("GET", "HEAD"), _v1_auth),
    ],
    strict_slashes=False,
)


def handle(mock: IdentityHost, request: Request) -> Response:
    """Answer one identity request (``/v3...``, ``/v2.0...``, ``/auth/v1.0``): keystone v3's
    errors in keystone's format, the others' in the service's fault format."""
    try:
        endpoint, _ = match(
            ROUTES, request, not_found=f"The identity resource {request.path} does not exist."
        )
        return endpoint(mock, request)
    except HttpError as error:
        keystone = request.path.startswith("/v3")
        return error.render(keystone_error if keystone else fault_response)
