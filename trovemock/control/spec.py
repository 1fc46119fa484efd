"""The control API's own OpenAPI 3.1 document (``GET /_trovemock/openapi-control.json``),
built from its route table: every endpoint with its parameters, a JSON body where it takes
one, its success status and the fault body of its errors."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import Map

from trovemock.api.spec import FAULT_NAMES

FAULT = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 1,
    "additionalProperties": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
    },
}

# Query parameters by endpoint (path, method): name -> schema.
QUERY: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("/_trovemock/journal", "get"): {
        "method": {"type": "string"},
        "route": {"type": "string"},
        "status": {"type": "string", "pattern": "^[0-9]{3}$"},
        "project_id": {"type": "string"},
        "region": {"type": "string"},
        "kind": {"type": "string"},
        "delivery": {"type": "string"},
        "since": {"type": "integer", "minimum": 0},
        "limit": {"type": "integer", "minimum": 1, "maximum": 10000},
    },
    ("/_trovemock/schedules/runs", "get"): {"schedule_id": {"type": "string"}},
}

# Success statuses other than 200.
STATUS = {
    ("/_trovemock/reset", "post"): 204,
    ("/_trovemock/instances", "post"): 201,
    ("/_trovemock/backups", "post"): 201,
    ("/_trovemock/ha", "post"): 201,
    ("/_trovemock/tokens", "post"): 201,
    ("/_trovemock/datastores", "post"): 201,
    ("/_trovemock/users", "post"): 201,
    ("/_trovemock/faults", "post"): 201,
    ("/_trovemock/faults", "delete"): 204,
    ("/_trovemock/faults/{rule_id}", "delete"): 204,
    ("/_trovemock/journal", "delete"): 204,
    ("/_trovemock/state", "put"): 204,
}
NO_BODY = {("/_trovemock/reset", "post")}
ERRORS = (400, 401, 403, 404, 409, 413, 415)


def control_openapi(routes: Map, summaries: dict[str, str], version: str) -> dict[str, Any]:
    """The document for `routes` (the control API's url map); `summaries` maps an endpoint
    function's name to its one-line summary."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in routes.iter_rules():
        path = rule.rule.replace("<", "{").replace(">", "}")
        if path != "/_trovemock/":
            path = path.rstrip("/")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            verb = method.lower()
            name = getattr(rule.endpoint, "__name__", str(rule.endpoint))
            paths.setdefault(path, {})[verb] = _operation(path, verb, name, summaries, rule)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "trovemock control API",
            "version": version,
            "description": (
                "Drive the emulator from tests in any language: seed, move the clock, inject "
                "faults, read the journal and the state. JSON in and out; errors answer "
                "{\"<faultName>\": {\"code\": <status>, \"message\": \"...\"}}."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": {"Fault": FAULT},
            "securitySchemes": {"controlToken": {"type": "http", "scheme": "bearer"}},
        },
    }


def _operation(
    path: str, verb: str, name: str, summaries: dict[str, str], rule: Any
) -> dict[str, Any]:
    status = STATUS.get((path, verb), 200)
    success: dict[str, Any] = {"description": "No Content" if status == 204 else "OK"}
    if status != 204:
        success["content"] = {"application/json": {"schema": {"type": "object"}}}
    fault = {"$ref": "#/components/schemas/Fault"}
    responses = {str(status): success} | {
        str(code): {
            "description": " or ".join(FAULT_NAMES.get(code, ("fault",))),
            "content": {"application/json": {"schema": fault}},
        }
        for code in ERRORS
    }
    parameters = [
        {"name": arg, "in": "path", "required": True, "schema": {"type": "string"}}
        for arg in sorted(rule.arguments)
    ] + [
        {"name": key, "in": "query", "required": False, "schema": schema}
        for key, schema in QUERY.get((path, verb), {}).items()
    ]
    operation: dict[str, Any] = {
        "operationId": f"control.{name}",
        "summary": summaries.get(name, name.replace("_", " ")),
        "parameters": parameters,
        "responses": responses,
        "security": [{}, {"controlToken": []}],
    }
    if verb in ("post", "put") and (path, verb) not in NO_BODY:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    return operation
