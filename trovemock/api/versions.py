"""API version discovery: ``GET /`` and ``GET /v1.0`` (no token, as Trove and Rackspace).

``GET /`` is shared with identity discovery: Trove's document is ``{"versions": [v1.0]}``
and keystoneauth reads any ``versions`` list, so the identity versions this server also
serves (``v3``, ``v2.0``) follow Trove's entry. A Trove client finds its ``v1.0`` entry (the
only one with status ``CURRENT``); keystoneauth finds ``v3`` and ``v2.0`` and ignores ``v1.0``,
which is no identity version it knows.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from trovemock import identity
from trovemock.api.faults import fault_response

if TYPE_CHECKING:
    from trovemock.mock import TroveMock

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


def handle(mock: TroveMock, request: Request) -> Response:
    if request.method not in ("GET", "HEAD"):
        response = fault_response(405, f"{request.method} is not allowed on {request.path}.")
        response.headers["Allow"] = "GET, HEAD"
        return response
    base = request.host_url.rstrip("/") + request.script_root
    version = trove_version(base, mock.dialect)
    if request.path == ROOT:
        body: dict[str, Any] = {"versions": [version, *identity.discovery_versions(base)]}
    else:
        body = {"version": version}
    return Response(json.dumps(body), status=200, content_type="application/json")
