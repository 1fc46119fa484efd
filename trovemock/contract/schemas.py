"""Response validation against the JSON Schemas in `schemas/` (loaded by `trovemock.schema`).

`check_response` is the single judge of "does this answer match the documented contract"; the
test suite's response observer, the contract runner and the OpenAPI tests all call it.
"""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import ValidationError

from trovemock.api.spec import FAULT_NAMES, FAULT_SCHEMA, ROUTES_BY_NAME
from trovemock.schema import validator

MAX_ERRORS = 5


def schema_errors(name: str, instance: Any) -> list[str]:
    """Readable errors of `instance` against schema `name` (empty when it is valid)."""
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: list(map(str, e.path)))
    return [_describe(error) for error in errors[:MAX_ERRORS]]


def _describe(error: ValidationError) -> str:
    """``$['backup']['status']: 'DONE' is not one of [...]``, the message cut to stay short."""
    path = "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in error.absolute_path)
    message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    return f"${path}: {message}"


def expected_schema(dialect: str, route: str, status: int) -> str | None:
    """The schema name documenting the body of `route` answering `status` in `dialect`
    (the fault schema for errors). None when that success has an empty body. Raises
    KeyError for an unknown route or an undocumented success status."""
    if status >= 400:
        return FAULT_SCHEMA
    spec = ROUTES_BY_NAME[route]
    if status != spec.status:
        raise KeyError(f"{route} documents {spec.status}, not {status}")
    return spec.response_schema(dialect)


def check_response(dialect: str, route: str, status: int, body: Any) -> list[str]:
    """Problems with a response (empty list when it matches the documented contract).

    `body` is the parsed JSON body, or None when the body was empty."""
    if route not in ROUTES_BY_NAME:
        return [f"unknown route {route!r}"]
    try:
        name = expected_schema(dialect, route, status)
    except KeyError:
        documented = ROUTES_BY_NAME[route].status
        return [f"status {status} is not documented for {route} (success is {documented})"]
    if name is None:
        return [] if body is None else ["expected an empty body, got JSON"]
    if body is None:
        return [f"expected a JSON body ({name}), got an empty body"]
    problems = [f"{name} {error}" for error in schema_errors(name, body)]
    if name == FAULT_SCHEMA and not problems:
        problems = fault_problems(status, body)
    return problems


def fault_problems(status: int, body: dict[str, Any]) -> list[str]:
    """What JSON Schema cannot see: the fault name and `code` must agree with the status."""
    ((fault_name, fault),) = body.items()
    problems = []
    if fault["code"] != status:
        problems.append(f"fault code {fault['code']} differs from the HTTP status {status}")
    names = FAULT_NAMES.get(status, ())
    if fault_name not in names:
        expected = " or ".join(names) if names else "no documented fault"
        problems.append(f"fault name {fault_name!r} for status {status} (expected {expected})")
    return problems
