"""Readers of the fields of an imported state (`GET /_trovemock/state` JSON): each returns
the value or raises ValueError naming the place (``backups[3].parent_id ...``). Shared by
`snapshot` and `schedule_state`, so every record kind is checked the same way."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from trovemock.clock import ClockOutOfRange, check_seconds, check_time, parse_time
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
        raise ValueError(f"{where}.{key} is missing or has the wrong type")
    return value


def text(data: dict[str, Any], key: str, where: str) -> str:
    value = need(data, key, str, where)
    if not value:
        raise ValueError(f"{where}.{key} must not be empty")
    return value


def optional_text(data: dict[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{where}.{key} must be a string or null")
    return value


def optional_id(data: dict[str, Any], key: str, where: str) -> str | None:
    value = optional_text(data, key, where)
    if value == "":
        raise ValueError(f"{where}.{key} must not be empty")
    return value


def number(data: dict[str, Any], key: str, where: str, *, optional: bool = False) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{where}.{key} must be a finite number")
    if value < 0:
        raise ValueError(f"{where}.{key} must be >= 0")
    return value


def whole(data: dict[str, Any], key: str, where: str, *, optional: bool = False) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{where}.{key} must be a whole number >= 0")
    return value


def flag(data: dict[str, Any], key: str, where: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"{where}.{key} must be true or false")
    return value


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
    value = data.get(key)
    if value not in allowed:
        raise ValueError(f"{where}.{key} {value!r} is not one of {', '.join(allowed)}")
    return value


def names(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{where} must be a list of non-empty strings")
    return tuple(value)


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
