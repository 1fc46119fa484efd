"""The Trove API's URL map, built from the route table (`trovemock.api.spec`). Route names
(``backups.create``) are the endpoints: what fault rules and the journal match on."""

from __future__ import annotations

from trovemock.api.routing import url_map
from trovemock.api.spec import ROUTES, UPSTREAM_ROUTES

URL_MAP = url_map((route.rule, (route.method,), route.name) for route in ROUTES)
# What upstream fidelity routes beyond the documents (tried when URL_MAP has no such method).
UPSTREAM_URL_MAP = url_map((route.rule, (route.method,), route.name) for route in UPSTREAM_ROUTES)
