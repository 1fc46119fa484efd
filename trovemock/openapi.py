"""The OpenAPI 3.1 document of each dialect, assembled from the JSON Schema files.

Every schema file becomes a component (its `$defs` become components of their own, named
``<file>.<def>``) and every `$ref` between files is rewritten to point at the component, so
the document is self-contained. The route table is `trovemock.api.spec`.
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import Any
from urllib.parse import urldefrag, urljoin

from trovemock.api.spec import (
    DIALECTS,
    ERROR_STATUSES,
    FAULT_NAMES,
    FAULT_SCHEMA,
    Route,
    routes_for,
)
from trovemock.schema import all_schemas

PREFIX = "/v1.0/{project_id}"
COMPONENTS = "#/components/schemas/"
SUCCESS_TEXT = {200: "OK", 202: "Accepted", 204: "No Content"}
# Routes whose request body may be left out (cdb-cli enables root without one).
OPTIONAL_BODY_ROUTES = ("root.enable",)

# Query parameters of the list calls (trove-behavior.md §10; seed 002 documents datastore).
# `marker` is an offset, as in Trove: the next link carries it.
LIST_QUERY: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "openstack": [
        ("limit", {"type": "integer", "minimum": 1}),
        ("marker", {"type": "integer", "minimum": 0}),
        ("datastore", {"type": "string"}),
        ("instance_id", {"type": "string"}),
        ("all_projects", {"type": "string"}),
        ("project_id", {"type": "string"}),
    ],
    "rackspace": [
        ("limit", {"type": "integer", "minimum": 1}),
        ("marker", {"type": "integer", "minimum": 0}),
        ("datastore", {"type": "string"}),
    ],
}
PAGED_ROUTES = ("backups.list", "instances.backups", "ha.backups", "ha.list", "schedules.list")


def build_openapi(dialect: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `dialect` ("openstack" or "rackspace"). Built once per
    dialect; each call returns a fresh copy the caller may change."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}: expected one of {', '.join(DIALECTS)}")
    return copy.deepcopy(_build(dialect))


@functools.cache
def _build(dialect: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in routes_for(dialect):
        paths.setdefault(PREFIX + route.path, {})[route.method.lower()] = _operation(
            dialect, route
        )
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": f"Trove Backups API ({dialect} dialect)",
            "version": _version(),
            "description": (
                "The API trovemock emulates, assembled from its JSON Schemas. Errors answer "
                "{\"<faultName>\": {\"code\": <status>, \"message\": \"...\"}}."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": _components(),
            "securitySchemes": {
                "token": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"}
            },
        },
        "security": [{"token": []}],
    }


def _version() -> str:
    try:
        return metadata.version("trovemock")
    except metadata.PackageNotFoundError:  # running from a bare checkout
        return "0+unknown"


def _operation(dialect: str, route: Route) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": route.name,
        "summary": route.summary,
        "parameters": _parameters(dialect, route),
        "responses": _responses(dialect, route),
    }
    request = route.request_schema(dialect)
    if request is not None:
        operation["requestBody"] = {
            "required": route.name not in OPTIONAL_BODY_ROUTES,
            "content": {"application/json": {"schema": {"$ref": _component_ref(request)}}},
        }
    return operation


def _parameters(dialect: str, route: Route) -> list[dict[str, Any]]:
    names = ["project_id"] + [
        part[1:-1] for part in route.path.split("/") if part.startswith("{")
    ]
    parameters = [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "string", "minLength": 1, "pattern": "^[^/?#]+$"}}
        for name in names
    ]
    if route.name in PAGED_ROUTES:
        query = LIST_QUERY[dialect] if route.name == "backups.list" else LIST_QUERY["rackspace"][:2]
        parameters += [
            {"name": name, "in": "query", "required": False, "schema": schema}
            for name, schema in query
        ]
    return parameters


def _responses(dialect: str, route: Route) -> dict[str, Any]:
    success: dict[str, Any] = {"description": SUCCESS_TEXT.get(route.status, "Success")}
    body = route.response_schema(dialect)
    if body is not None:
        success["content"] = {"application/json": {"schema": {"$ref": _component_ref(body)}}}
    responses = {str(route.status): success}
    fault = {"$ref": _component_ref(FAULT_SCHEMA)}
    for status in ERROR_STATUSES:
        responses[str(status)] = {
            "description": " or ".join(FAULT_NAMES[status]),
            "content": {"application/json": {"schema": fault}},
        }
    return responses


def _component_name(schema_name: str) -> str:
    """``responses/backup-openstack`` -> ``responses.backup-openstack``."""
    return schema_name.replace("/", ".")


def _component_ref(schema_name: str) -> str:
    return COMPONENTS + _component_name(schema_name)


@functools.cache
def _components() -> dict[str, Any]:
    schemas = all_schemas()
    names_by_id = {schema["$id"]: name for name, schema in schemas.items()}
    components: dict[str, Any] = {}
    for name in sorted(schemas):
        schema = copy.deepcopy(schemas[name])
        base = schema.pop("$id")
        schema.pop("$schema", None)
        defs = schema.pop("$defs", {})
        rewrite = functools.partial(_rewrite_refs, base=base, names_by_id=names_by_id)
        components[_component_name(name)] = rewrite(schema)
        for def_name, definition in defs.items():
            components[f"{_component_name(name)}.{def_name}"] = rewrite(definition)
    return components


def _rewrite_refs(node: Any, *, base: str, names_by_id: dict[str, str]) -> Any:
    """Copy of `node` with every `$ref` (relative to the file's `$id`) made a component ref."""
    if isinstance(node, list):
        return [_rewrite_refs(item, base=base, names_by_id=names_by_id) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if key == "$ref":
            result[key] = _component_pointer(value, base, names_by_id)
        else:
            result[key] = _rewrite_refs(value, base=base, names_by_id=names_by_id)
    return result


def _component_pointer(ref: str, base: str, names_by_id: dict[str, str]) -> str:
    url, fragment = urldefrag(urljoin(base, ref))
    if url not in names_by_id:
        raise ValueError(f"$ref {ref!r} in {base} names no schema file")
    target = COMPONENTS + _component_name(names_by_id[url])
    parts = [p for p in fragment.split("/") if p]
    if len(parts) >= 2 and parts[0] == "$defs":
        target += "." + parts[1]
        parts = parts[2:]
    return "/".join([target, *parts])


def main(argv: Sequence[str] | None = None) -> int:
    """`trovemock openapi --dialect openstack|rackspace [--output FILE]`."""
    parser = argparse.ArgumentParser(
        prog="trovemock openapi", description="Print the OpenAPI 3.1 document of a dialect."
    )
    parser.add_argument("--dialect", choices=DIALECTS, default="openstack")
    parser.add_argument("--output", "-o", help="write to this file instead of stdout")
    args = parser.parse_args(argv)
    text = json.dumps(build_openapi(args.dialect), indent=2, sort_keys=False) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
