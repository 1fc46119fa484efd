"""The one set of field readers for values that do not come through a JSON Schema: the
control API's bodies, fault rules, the config, identity's login bodies, state import and the
Python API. Each reads one field of one object and names its place when it refuses it, in one
wording everywhere: "backups[3].name must be a non-empty string, not ''".

`Fields(data, where, error=...)` raises `error(message)`; callers pick the exception their
door speaks (ValueError for Python, the HTTP error for an API), the words stay the same.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from typing import Any, Literal, NoReturn, overload

MISSING: Any = object()


def place(where: str, name: str) -> str:
    """`backup` + `name` -> `backup.name`; `` + `name` -> `name`; `roles` + `[2]` ..."""
    if not where:
        return name
    return f"{where}{name}" if name.startswith("[") else f"{where}.{name}"


def shown(value: Any) -> str:
    """A refused value as the message shows it, cut short."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"an integer of {len(str(abs(value)))} digits"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Fields:
    """Typed reads of one object's fields (a JSON object or keyword arguments)."""

    def __init__(
        self,
        data: Mapping[str, Any],
        where: str = "",
        *,
        error: Callable[[str], Exception] = ValueError,
    ) -> None:
        self.data = data
        self.where = where
        self.error = error

    def refuse(self, name: str, wanted: str, value: Any = MISSING) -> NoReturn:
        what = place(self.where, name)
        if value is MISSING:
            raise self.error(f"{what} is required: {wanted}")
        raise self.error(f"{what} must be {wanted}, not {shown(value)}")

    def only(self, allowed: Collection[str]) -> None:
        """Refuse fields this object does not have."""
        unknown = sorted(set(self.data) - set(allowed))
        if unknown:
            where = f" in {self.where}" if self.where else ""
            raise self.error(
                f"unknown field(s){where}: {', '.join(unknown)} "
                f"(allowed: {', '.join(sorted(allowed))})"
            )

    def _get(self, name: str, required: bool, wanted: str) -> Any:
        value = self.data.get(name)
        if value is None and required:
            self.refuse(name, wanted)
        return value

    @overload
    def text(self, name: str, *, required: Literal[True] = True, empty: bool = False) -> str: ...
    @overload
    def text(self, name: str, *, required: bool, empty: bool = False) -> str | None: ...
    def text(self, name: str, *, required: bool = True, empty: bool = False) -> str | None:
        wanted = "a string" if empty else "a non-empty string"
        value = self._get(name, required, wanted)
        if value is not None and (not isinstance(value, str) or (not value and not empty)):
            self.refuse(name, wanted, value)
        return value

    @overload
    def whole(
        self, name: str, *, required: Literal[True] = True, low: int | None = None,
        high: int | None = None,
    ) -> int: ...
    @overload
    def whole(
        self, name: str, *, required: bool, low: int | None = None, high: int | None = None
    ) -> int | None: ...
    def whole(
        self, name: str, *, required: bool = True, low: int | None = None,
        high: int | None = None,
    ) -> int | None:
        wanted = _range("a whole number", low, high)
        value = self._get(name, required, wanted)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not _within(value, low, high):
            self.refuse(name, wanted, value)
        return value

    @overload
    def number(
        self, name: str, *, required: Literal[True] = True, low: float | None = None,
        high: float | None = None,
    ) -> float: ...
    @overload
    def number(
        self, name: str, *, required: bool, low: float | None = None, high: float | None = None
    ) -> float | None: ...
    def number(
        self, name: str, *, required: bool = True, low: float | None = None,
        high: float | None = None,
    ) -> float | None:
        wanted = _range("a number", low, high)
        value = self._get(name, required, wanted)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.refuse(name, wanted, value)
        try:
            number = float(value)
        except OverflowError:  # an integer too big for a float (10**400)
            self.refuse(name, wanted, value)
        if not math.isfinite(number) or not _within(number, low, high):
            self.refuse(name, wanted, value)
        return number

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.refuse(name, "true or false", value)
        return value

    def names(self, name: str, *, required: bool = False) -> list[str]:
        """A list of non-empty strings (a lone string is refused: it is not a list)."""
        value = self._get(name, required, "a list of names")
        if value is None:
            return []
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
            self.refuse(name, "a list of names", value)
        for n, item in enumerate(value):
            if not isinstance(item, str) or not item:
                Fields({f"[{n}]": item}, place(self.where, name), error=self.error).refuse(
                    f"[{n}]", "a non-empty string", item
                )
        return list(value)

    def one_of(self, name: str, choices: Collection[str], *, required: bool = True) -> str | None:
        wanted = "one of " + ", ".join(choices)
        value = self._get(name, required, wanted)
        if value is not None and value not in choices:
            self.refuse(name, wanted, value)
        return value

    def obj(self, name: str, *, required: bool = True) -> Fields:
        """The field as a nested object's `Fields` (an empty one when absent and optional)."""
        value = self._get(name, required, "an object")
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            self.refuse(name, "an object", value)
        return Fields(value, place(self.where, name), error=self.error)


def _range(kind: str, low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{kind} from {_num(low)} to {_num(high)}"
    if low is not None:
        return f"{kind} of at least {_num(low)}"
    if high is not None:
        return f"{kind} of at most {_num(high)}"
    return kind


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)
