"""Loading the JSON Schemas in `schemas/` and validating bodies with them.

An installed wheel ships them as the package data of `trovemock._schemas`; a source checkout
(or an editable install of one) reads the repository's top-level `schemas/`. Nothing else
named `schemas` is ever read: the checkout's folder counts only beside trovemock's own
`pyproject.toml`.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # jsonschema is imported on first use: it is a third of start-up time
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
    from referencing import Registry


def schemas_root() -> Traversable:
    try:
        return resources.files("trovemock._schemas")
    except ModuleNotFoundError:  # not an installed wheel: a checkout
        pass
    checkout = Path(__file__).resolve().parent.parent
    project = checkout / "pyproject.toml"
    if project.is_file() and 'name = "trovemock"' in project.read_text("utf-8"):
        return checkout / "schemas"
    raise RuntimeError(
        "trovemock's JSON Schemas are missing: neither the trovemock._schemas package data "
        f"nor a trovemock checkout's schemas/ folder beside {Path(__file__).parent}"
    )


def _walk(folder: Traversable, prefix: str = ""):
    for entry in folder.iterdir():
        if entry.is_dir():
            yield from _walk(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith(".json"):
            yield f"{prefix}{entry.name[:-5]}", entry


@cache
def all_schemas() -> dict[str, dict[str, Any]]:
    """Every schema by name relative to the schemas folder, e.g. "requests/instance-create"."""
    return {name: json.loads(entry.read_text("utf-8")) for name, entry in _walk(schemas_root())}


def load(name: str) -> dict[str, Any]:
    return all_schemas()[name]


@cache
def registry() -> Registry:
    from referencing import Registry, Resource

    resources_ = [
        (doc["$id"], Resource.from_contents(doc))
        for doc in all_schemas().values()
        if isinstance(doc, dict) and "$id" in doc
    ]
    return Registry().with_resources(resources_)


@cache
def _strict_integer_validator() -> type[Draft202012Validator]:
    """Trove validates with Draft 4, where 1.0 is not an integer; JSON Schema 2020-12 says it
    is. The emulator keeps Trove's answer (`"incremental": 1.0` is a 400)."""
    from jsonschema import Draft202012Validator, validators

    return validators.extend(
        Draft202012Validator,
        type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
            "integer",
            lambda _checker, value: isinstance(value, int) and not isinstance(value, bool),
        ),
    )


def _inlined(node: Any, resolver) -> Any:
    """A copy of `node` with every `$ref` replaced by its target. Request validation runs on
    every call, and resolving references each time costs more than the checks themselves."""
    if isinstance(node, dict):
        if "$ref" in node:
            resolved = resolver.lookup(node["$ref"])
            target = _inlined(resolved.contents, resolved.resolver)
            rest = {k: _inlined(v, resolver) for k, v in node.items() if k != "$ref"}
            return {**target, **rest} if rest else target
        return {k: _inlined(v, resolver) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inlined(item, resolver) for item in node]
    return node


def _with_max_items(node: Any, max_items: int) -> Any:
    """A copy of `node` whose every `maxItems` is `max_items` (the configured cap)."""
    if isinstance(node, dict):
        return {
            k: max_items if k == "maxItems" else _with_max_items(v, max_items)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_with_max_items(item, max_items) for item in node]
    return node


@cache
def validator(name: str, max_items: int | None = None) -> Draft202012Validator:
    """The validator of schema `name`; `max_items` replaces the `maxItems` of its lists (the
    request schemas carry the default of `config.max_items_per_request`)."""
    document = load(name)
    resolver = registry().resolver(base_uri=document.get("$id", ""))
    inlined = _inlined(document, resolver)
    if max_items is not None:
        inlined = _with_max_items(inlined, max_items)
    return _strict_integer_validator()(inlined)


def _path_text(error: ValidationError) -> str:
    """Trove's way of naming a place: `backup['name']`, or `backup` for the object."""
    parts = list(error.absolute_path)
    if not parts:
        return ""
    text = str(parts[0])
    for part in parts[1:]:
        text += f"[{part!r}]"
    return text


SHOWN_ERRORS = 20  # a body with more errors gets the first ones and a note


def validation_errors(
    name: str, body: Any, max_items: int | None = None
) -> list[ValidationError]:
    """The errors of `body` against schema `name`, sorted by path as Trove sorts them. Bounded
    so that a huge invalid body costs little time: at most `SHOWN_ERRORS` + 1 are collected
    (the extra one says there are more), and a list longer than `max_items` (the `maxItems`
    of the request schemas) stops the search before its items are checked."""
    found: list[ValidationError] = []
    for error in validator(name, max_items).iter_errors(body):
        found.append(error)
        if len(found) > SHOWN_ERRORS or error.validator == "maxItems":
            break
    return sorted(found, key=lambda e: [str(p) for p in e.absolute_path])


def validation_message(name: str, body: Any, max_items: int | None = None) -> str | None:
    """None when `body` is valid, else Trove's "Validation error: ..." text naming the field.
    The errors are sorted by path and joined with "; ", each followed by the messages of its
    sub-errors (a `oneOf` branch's), as Trove's format_validation_msg does; beyond
    `SHOWN_ERRORS` a note says the rest are not shown, and an over-long list is named with
    its length (not echoed)."""
    errors = validation_errors(name, body, max_items)
    if not errors:
        return None
    more = len(errors) > SHOWN_ERRORS
    parts = []
    for error in errors[:SHOWN_ERRORS]:
        where = _path_text(error)
        message = _message(error)
        text = f"{where} {message}" if where else message
        parts.append(text if len(text) <= 500 else text[:480] + "... (truncated)")
        for sub in sorted(error.context or (), key=lambda e: list(map(str, e.schema_path))):
            message = _message(sub)
            parts.append(message if len(message) <= 500 else message[:480] + "...")
    if more:
        parts.append(f"(only the first {SHOWN_ERRORS} errors are shown)")
    return "Validation error: " + "; ".join(parts)


def _message(error: ValidationError) -> str:
    """jsonschema's message, except for an over-long list: its length, not its items."""
    if error.validator == "maxItems":
        return (
            f"has {len(error.instance)} items, more than the {error.validator_value} "
            "a request may hold"
        )
    return error.message
