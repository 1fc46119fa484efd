"""Readers of the fields of an imported state (`GET /_trovemock/state` JSON): each returns
the value or raises ValueError naming the place (``backups[3].parent_id ...``). Shared by
`records` and `schedules` of this package, so every record kind is checked the same way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from trovemock.checks import Fields
from trovemock.clock import ClockOutOfRange, check_seconds, check_time, parse_time
from trovemock.config import MAX_WHOLE
from trovemock.model.errors import NotFound


def items(state: dict[str, Any], key: str) -> Iterator[tuple[str, dict[str, Any]]]:
    value = state.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"state.{key} must be a list")
    for n, item in enumerate(value):
        where = f"{key}[{n}]"
        if not isinstance(item, dict):
            raise ValueError(f"{where} must be an object")
        yield where, item


def need(data: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        Fields(data, where).refuse(key, f"a value of type {_kind_name(kind)}", value)
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def text(data: dict[str, Any], key: str, where: str) -> str:
    return Fields(data, where).text(key)


def optional_text(data: dict[str, Any], key: str, where: str) -> str | None:
    return Fields(data, where).text(key, required=False, empty=True)


def optional_id(data: dict[str, Any], key: str, where: str) -> str | None:
    return Fields(data, where).text(key, required=False)


def number(data: dict[str, Any], key: str, where: str, *, optional: bool = False) -> Any:
    value = data.get(key)
    found = Fields(data, where).number(key, required=not optional, low=0)
    return value if found is not None else None  # as given: an int stays an int


def whole(data: dict[str, Any], key: str, where: str, *, optional: bool = False) -> Any:
    return Fields(data, where).whole(key, required=not optional, low=0, high=MAX_WHOLE)


def flag(data: dict[str, Any], key: str, where: str) -> bool:
    return Fields(data, where).flag(key)


def seconds(data: dict[str, Any], key: str, where: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        return check_seconds(value, f"{where}.{key}")
    except TypeError as error:
        raise ValueError(str(error)) from None


def when(data: dict[str, Any], key: str, where: str) -> datetime:
    try:
        return check_time(parse_time(need(data, key, str, where)), f"{where}.{key}")
    except ClockOutOfRange:
        raise
    except (ValueError, TypeError) as error:
        raise ValueError(f"{where}.{key}: {error}") from None


def one_of(data: dict[str, Any], key: str, allowed: tuple[str, ...], where: str) -> str:
    return str(Fields(data, where).one_of(key, allowed))


def names(value: Any, where: str) -> tuple[str, ...]:
    where, _, key = where.rpartition(".")
    return tuple(Fields({key: value}, where).names(key, required=True))


def optional_when(data: dict[str, Any], key: str, where: str) -> datetime | None:
    return None if data.get(key) is None else when(data, key, where)


def region(cloud: Any, data: dict[str, Any], where: str) -> str:
    """The canonical name of a region of `cloud` (any case)."""
    try:
        return cloud.region_named(need(data, "region", str, where))
    except NotFound:
        raise ValueError(
            f"{where}.region {data['region']!r} is not a region of this cloud"
        ) from None
