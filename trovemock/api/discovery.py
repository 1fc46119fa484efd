"""API version discovery: ``GET /`` and ``GET /v1.0`` (no token, as Rackspace documents it;
Trove itself guards ``/v1.0``: deviations open_version_document and identity_in_discovery).

``GET /`` is shared with identity discovery: Trove's document is ``{"versions": [v1.0]}``
and keystoneauth reads any ``versions`` list, so the identity versions this server also
serves (``v3``, ``v2.0``) follow Trove's entry. A Trove client finds its ``v1.0`` entry (the
only one with status ``CURRENT``); keystoneauth finds ``v3`` and ``v2.0`` and ignores ``v1.0``,
which is no identity version it knows.
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Request, Response

from trovemock.api.auth import keystone_unauthorized, wrong_tenant
from trovemock.api.errors import fault_response, internal_fault
from trovemock.api.host import ApiHost
from trovemock.fidelity import upstream

ROOT = "/"
VERSION_PATHS = ("/v1.0", "/v1.0/")
# The `updated` date each dialect's documents show.
UPDATED = {"openstack": "2012-08-01T00:00:00Z", "rackspace": "2012-01-01T00:00:00Z"}


def serves(path: str) -> bool:
    return path == ROOT or path in VERSION_PATHS


def trove_version(base_url: str, dialect: str) -> dict[str, Any]:
    """The one API version: ``v1.0``, CURRENT, its self link ending in ``/v1.0/``."""
    return {
        "id": "v1.0",
        "status": "CURRENT",
        "updated": UPDATED[dialect],
        "links": [{"rel": "self", "href": f"{base_url}/v1.0/"}],
    }


def handle(mock: ApiHost, request: Request) -> Response:
    trove = mock.dialect == "openstack"  # Rackspace documents discovery as it is served here
    if request.path != ROOT and trove and upstream(mock.config, "open_version_document"):
        return _behind_keystone(mock, request)
    if request.method not in ("GET", "HEAD"):
        if not upstream(mock.config, "wrong_method_404"):
            response = fault_response(405, f"{request.method} is not allowed on {request.path}.")
            response.headers["Allow"] = "GET, HEAD"
            return response
        if request.get_data():  # Trove runs its index action for any method, and a body
            return internal_fault()  # is an argument it does not take
    base = request.host_url.rstrip("/") + request.script_root
    version = trove_version(base, mock.dialect)
    if request.path == ROOT:
        versions = [version]
        if not (trove and upstream(mock.config, "identity_in_discovery")):
            versions += identity_versions(base)
        body: dict[str, Any] = {"versions": versions}
    else:
        body = {"version": version}
    return Response(json.dumps(body), status=200, content_type="application/json")


def _behind_keystone(mock: ApiHost, request: Request) -> Response:
    """Trove's `/v1.0` (deviation open_version_document): keystonemiddleware's 401 without
    a token it knows, then Trove's tenant check, which the empty project of the path always
    fails (403). A token nobody registered has no project here: 401."""
    token = request.headers.get("X-Auth-Token", "").strip()
    with mock.cloud.operation() as now:
        grant = mock.tokens.lookup(token, now) if token else None
    if grant is None:
        return keystone_unauthorized(request)
    return wrong_tenant(mock, request, str(grant.project_id))


def version_document(base: str, version: str, status: str, updated: str) -> dict[str, Any]:
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


def identity_versions(base: str) -> list[dict[str, Any]]:
    """The identity versions this server offers, as entries of a ``versions`` list. They go
    into the server's root document (``GET /``) beside Trove's own ``v1.0`` entry, so that
    keystoneauth (the openstack CLI given an auth URL without ``/v3``) discovers identity
    at the same URL where Trove clients find the database API versions."""
    return [
        version_document(base, "v3", "stable", "2020-04-07T00:00:00Z")["version"],
        version_document(base, "v2.0", "deprecated", "2014-04-17T00:00:00Z")["version"],
    ]
