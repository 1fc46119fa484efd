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

Every issued token is registered with ``mock.add_token(token, project_id, roles)``, so the
Trove API accepts it for that project only.
"""

from __future__ import annotations

import datetime as _dt
import json
import secrets
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from trovemock.api.bodies import BodyError, parse_json, read_body
from trovemock.api.errors import fault_response

if TYPE_CHECKING:
    from trovemock.mock import TroveMock

TOKEN_LIFETIME = _dt.timedelta(hours=24)
DEFAULT_ROLES: tuple[str, ...] = ("member",)
_DOMAIN = {"id": "default", "name": "Default"}
MAX_BODY_BYTES = 65536  # identity request bodies: 413 above (a login body is ~300 bytes)


@dataclass(frozen=True)
class IdentityUser:
    """A configured user. `api_key` None means the password also works as the API key;
    `project_id` None means the user may scope tokens to any project."""

    name: str
    password: str
    api_key: str | None = None
    project_id: str | None = None
    roles: tuple[str, ...] = DEFAULT_ROLES


@dataclass(frozen=True)
class IssuedToken:
    token: str
    user: str
    project_id: str
    roles: tuple[str, ...]
    issued_at: _dt.datetime
    expires_at: _dt.datetime


@dataclass
class IdentitySettings:
    """The identity state of one emulated cloud (kept on the mock, see `settings_for`)."""

    users: dict[str, IdentityUser] = field(default_factory=dict)
    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    token_lifetime: _dt.timedelta = TOKEN_LIFETIME
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


_SETTINGS_ATTRIBUTE = "_trovemock_identity"
_settings_lock = threading.Lock()


def settings_for(mock: TroveMock) -> IdentitySettings:
    """The identity settings of `mock`, created on first use."""
    settings = getattr(mock, _SETTINGS_ATTRIBUTE, None)
    if settings is None:
        with _settings_lock:
            settings = getattr(mock, _SETTINGS_ATTRIBUTE, None)
            if settings is None:
                settings = IdentitySettings()
                setattr(mock, _SETTINGS_ATTRIBUTE, settings)
    return settings


def add_user(
    mock: TroveMock,
    name: str,
    password: str,
    *,
    api_key: str | None = None,
    project_id: str | None = None,
    roles: tuple[str, ...] | list[str] = DEFAULT_ROLES,
) -> IdentityUser:
    """Configure a user. From then on only configured users can log in to `mock`."""
    for label, value in (("name", name), ("password", password)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"user {label} must be a non-empty string")
    if api_key is not None and (not isinstance(api_key, str) or not api_key):
        raise ValueError("api_key must be a non-empty string or None")
    if project_id is not None and (not isinstance(project_id, str) or not project_id):
        raise ValueError("project_id must be a non-empty string or None")
    if isinstance(roles, str) or not all(isinstance(r, str) and r for r in roles):
        raise ValueError("roles must be a list of non-empty strings")
    user = IdentityUser(name, password, api_key, project_id, tuple(roles))
    settings = settings_for(mock)
    with settings.lock:
        settings.users[name] = user
    return user


def forget_tokens(mock: TroveMock) -> None:
    """Drop the tokens issued so far (the token method no longer accepts them)."""
    settings = settings_for(mock)
    with settings.lock:
        settings.tokens.clear()


def keep_only(mock: TroveMock, tokens: Any) -> None:
    """Forget the issued tokens that are not in `tokens` (the cloud's, after an import)."""
    settings = settings_for(mock)
    with settings.lock:
        settings.tokens = {t: i for t, i in settings.tokens.items() if t in tokens}


# --- errors ---------------------------------------------------------------------------------


class _IdentityError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _json(body: Any, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), status=status, headers=headers, content_type="application/json"
    )


def _keystone_error(err: _IdentityError) -> Response:
    """Keystone's own error format: ``{"error": {"code", "title", "message"}}``."""
    title = HTTPStatus(err.status).phrase
    return _json(
        {"error": {"code": err.status, "title": title, "message": err.message}}, err.status
    )


def _rax_error(err: _IdentityError) -> Response:
    """Rackspace identity answers in the service's fault format."""
    return fault_response(err.status, err.message)


_UNAUTHORIZED = "The request you have made requires authentication."


# --- the login rules --------------------------------------------------------------------------


def _authenticate(
    settings: IdentitySettings, user_name: str, secret: str, *, api_key: bool
) -> IdentityUser:
    """Check a user name and a password (or API key); 401 when they do not match."""
    with settings.lock:
        configured = dict(settings.users)
    if not configured:
        return IdentityUser(user_name, secret)
    user = configured.get(user_name)
    expected = None
    if user is not None:
        expected = user.api_key if api_key and user.api_key is not None else user.password
    if user is None or expected is None or not secrets.compare_digest(
        expected.encode(), secret.encode()
    ):
        raise _IdentityError(401, _UNAUTHORIZED)
    return user


def _from_token(settings: IdentitySettings, token: str) -> IdentityUser:
    """The user behind a token this service issued; 401 for any other token."""
    with settings.lock:
        issued = settings.tokens.get(token)
        user = settings.users.get(issued.user) if issued is not None else None
    if issued is None or issued.expires_at <= _utcnow():
        raise _IdentityError(401, "The token is not valid or has expired.")
    if user is None:
        return IdentityUser(issued.user, "", roles=issued.roles)
    return user


def _scope(user: IdentityUser, requested: str | None) -> str:
    project = requested or user.project_id or user.name
    if user.project_id is not None and project != user.project_id:
        raise _IdentityError(401, f"User {user.name} has no access to project {project}.")
    return project


def _issue(
    mock: TroveMock, settings: IdentitySettings, user: IdentityUser, project: str
) -> IssuedToken:
    """Issue a token and register it with the cloud, in one step under the cloud's lock. The
    oldest tokens beyond `config.max_identity_tokens`, and expired ones, are forgotten here
    and by the Trove API alike (a forgotten token is then an unknown one)."""
    now = _utcnow()
    issued = IssuedToken(
        secrets.token_hex(16), user.name, project, user.roles, now, now + settings.token_lifetime
    )
    cloud = mock.cloud
    with cloud.lock:
        with settings.lock:
            settings.tokens[issued.token] = issued
            evicted = _evict(settings, mock.config.max_identity_tokens, now)
        for old in evicted:
            if old.token not in cloud.kept_tokens and cloud.tokens.get(old.token) == (
                old.project_id,
                frozenset(old.roles),
            ):
                del cloud.tokens[old.token]
        cloud.add_token(issued.token, project, user.roles)
    return issued


def _evict(settings: IdentitySettings, limit: int, now: _dt.datetime) -> list[IssuedToken]:
    """Pop the oldest tokens while there are more than `limit` or the oldest has expired
    (tokens are kept in the order they were issued, so this costs O(1) per token)."""
    evicted: list[IssuedToken] = []
    tokens = settings.tokens
    while tokens:
        oldest = next(iter(tokens.values()))
        if len(tokens) <= limit and oldest.expires_at > now:
            break
        evicted.append(tokens.pop(oldest.token))
    return evicted


def _utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC).replace(tzinfo=None)


def _iso(when: _dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


# --- request parsing helpers ------------------------------------------------------------------


def _body(request: Request) -> dict[str, Any]:
    try:
        raw = read_body(request, MAX_BODY_BYTES)
        body = parse_json(raw) if raw.strip() else None
    except BodyError as error:
        message = "The request body is too large." if error.status == 413 else str(error)
        raise _IdentityError(error.status, message) from None
    if not isinstance(body, dict):
        raise _IdentityError(400, "The request body must be a JSON object with an 'auth' key.")
    return body


def _obj(parent: dict[str, Any], key: str, where: str, required: bool = True) -> dict[str, Any]:
    value = parent.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise _IdentityError(400, f"'{where}{key}' is required and must be an object.")
    return value


def _text(parent: dict[str, Any], key: str, where: str) -> str:
    value = parent.get(key)
    if not isinstance(value, str) or not value:
        raise _IdentityError(400, f"'{where}{key}' is required and must be a non-empty string.")
    return value


# --- endpoints and catalogs -------------------------------------------------------------------


def _base_url(request: Request) -> str:
    return request.host_url.rstrip("/") + request.script_root


def trove_endpoint(
    mock: TroveMock, base_url: str, project_id: str, region: str | None = None
) -> str:
    """This server's Trove endpoint for a project: ``/v1.0/<project>`` in the default region,
    ``/regions/<region>/v1.0/<project>`` in the others."""
    prefix = "" if region is None or region == mock.default_region else f"/regions/{region}"
    return f"{base_url}{prefix}/v1.0/{quote(project_id, safe='')}"


def _regions(mock: TroveMock) -> list[str]:
    """The default region first: clients without a region setting take the first endpoint."""
    return [mock.default_region] + [r for r in mock.regions if r != mock.default_region]


def _v3_catalog(mock: TroveMock, base: str, project: str) -> list[dict[str, Any]]:
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


def _v2_catalog(mock: TroveMock, base: str, project: str) -> list[dict[str, Any]]:
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


def _version_document(base: str, version: str, status: str, updated: str) -> dict[str, Any]:
    """The discovery document of one identity API version (`GET /v3`, `GET /v2.0`)."""
    return {
        "version": {
            "id": "v3.14" if version == "v3" else version,
            "status": status,
            "updated": updated,
            "links": [{"rel": "self", "href": f"{base}/{version}/"}],
            "media-types": [
                {
                    "base": "application/json",
                    "type": f"application/vnd.openstack.identity-{version}+json",
                }
            ],
        }
    }


def discovery_versions(base: str) -> list[dict[str, Any]]:
    """The identity versions this server offers, as entries of a ``versions`` list. They go
    into the server's root document (``GET /``) beside Trove's own ``v1.0`` entry, so that
    keystoneauth (the openstack CLI given an auth URL without ``/v3``) discovers identity
    at the same URL where Trove clients find the database API versions."""
    return [
        _version_document(base, "v3", "stable", "2020-04-07T00:00:00Z")["version"],
        _version_document(base, "v2.0", "deprecated", "2014-04-17T00:00:00Z")["version"],
    ]


def _v3_tokens(mock: TroveMock, request: Request) -> Response:
    settings = settings_for(mock)
    auth = _obj(_body(request), "auth", "")
    identity = _obj(auth, "identity", "auth.")
    methods = identity.get("methods")
    if not isinstance(methods, list) or not methods:
        raise _IdentityError(400, "'auth.identity.methods' must be a non-empty list.")
    if "password" in methods:
        password = _obj(identity, "password", "auth.identity.")
        user_ref = _obj(password, "user", "auth.identity.password.")
        name = user_ref.get("name") or user_ref.get("id")
        if not isinstance(name, str) or not name:
            raise _IdentityError(400, "'auth.identity.password.user.name' (or 'id') is required.")
        secret = _text(user_ref, "password", "auth.identity.password.user.")
        user = _authenticate(settings, name, secret, api_key=False)
    elif "token" in methods:
        token = _obj(identity, "token", "auth.identity.")
        user = _from_token(settings, _text(token, "id", "auth.identity.token."))
    else:
        raise _IdentityError(401, f"Unsupported authentication methods: {methods}.")
    scope = auth.get("scope")
    requested = None
    if scope is not None:
        if not isinstance(scope, dict) or set(scope) - {"project"}:
            raise _IdentityError(400, "Only a project scope ('auth.scope.project') is supported.")
        project_ref = _obj(scope, "project", "auth.scope.")
        requested = project_ref.get("id") or project_ref.get("name")
        if not isinstance(requested, str) or not requested:
            raise _IdentityError(400, "'auth.scope.project.id' or '.name' is required.")
    project = _scope(user, requested)
    issued = _issue(mock, settings, user, project)
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


def _v2_tokens(mock: TroveMock, request: Request) -> Response:
    settings = settings_for(mock)
    auth = _obj(_body(request), "auth", "")
    if isinstance(auth.get("passwordCredentials"), dict):
        creds = auth["passwordCredentials"]
        where = "auth.passwordCredentials."
        user = _authenticate(
            settings,
            _text(creds, "username", where),
            _text(creds, "password", where),
            api_key=False,
        )
        method = "PASSWORD"
    elif isinstance(auth.get("RAX-KSKEY:apiKeyCredentials"), dict):
        creds = auth["RAX-KSKEY:apiKeyCredentials"]
        where = "auth.RAX-KSKEY:apiKeyCredentials."
        user = _authenticate(
            settings, _text(creds, "username", where), _text(creds, "apiKey", where), api_key=True
        )
        method = "APIKEY"
    elif isinstance(auth.get("token"), dict):
        user = _from_token(settings, _text(auth["token"], "id", "auth.token."))
        method = "TOKEN"
    else:
        raise _IdentityError(
            400, "'auth' needs 'passwordCredentials', 'RAX-KSKEY:apiKeyCredentials' or 'token'."
        )
    requested = auth.get("tenantId") or auth.get("tenantName")
    if requested is not None and (not isinstance(requested, str) or not requested):
        raise _IdentityError(400, "'auth.tenantId' / 'auth.tenantName' must be a string.")
    project = _scope(user, requested)
    issued = _issue(mock, settings, user, project)
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


def _v1_auth(mock: TroveMock, request: Request) -> Response:
    settings = settings_for(mock)
    name = request.headers.get("X-Auth-User", "")
    key = request.headers.get("X-Auth-Key", "")
    if not name or not key:
        raise _IdentityError(401, "X-Auth-User and X-Auth-Key headers are required.")
    user = _authenticate(settings, name, key, api_key=True)
    project = _scope(user, request.headers.get("X-Auth-Project-Id") or None)
    issued = _issue(mock, settings, user, project)
    url = trove_endpoint(mock, _base_url(request), project)
    return Response(
        status=204, headers={"X-Auth-Token": issued.token, "X-Server-Management-Url": url}
    )


# --- dispatch ---------------------------------------------------------------------------------


def handle(mock: TroveMock, request: Request) -> Response:
    """Answer one identity request (``/v3...``, ``/v2.0...``, ``/auth/v1.0``)."""
    path = request.path.rstrip("/") or "/"
    base = _base_url(request)
    rackspace_style = not path.startswith("/v3")
    routes = {
        "/v3": (
            {"GET", "HEAD"},
            lambda: _json(_version_document(base, "v3", "stable", "2020-04-07T00:00:00Z"), 200),
        ),
        "/v3/auth/tokens": ({"POST"}, lambda: _v3_tokens(mock, request)),
        "/v2.0": (
            {"GET", "HEAD"},
            lambda: _json(
                _version_document(base, "v2.0", "deprecated", "2014-04-17T00:00:00Z"), 200
            ),
        ),
        "/v2.0/tokens": ({"POST"}, lambda: _v2_tokens(mock, request)),
        "/auth/v1.0": ({"GET", "HEAD"}, lambda: _v1_auth(mock, request)),
    }
    try:
        route = routes.get(path)
        if route is None:
            raise _IdentityError(404, f"The identity resource {request.path} does not exist.")
        methods, answer = route
        if request.method not in methods:
            raise _IdentityError(405, f"{request.method} is not allowed on {path}.")
        return answer()
    except _IdentityError as err:
        response = _rax_error(err) if rackspace_style else _keystone_error(err)
        if err.status == 405:
            response.headers["Allow"] = ", ".join(sorted(routes[path][0]))
        return response
