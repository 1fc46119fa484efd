"""Clocks the emulator reads. Every model operation first brings state up to `clock.now()`,
so a test decides when backups finish by moving a clock, never by sleeping."""

from __future__ import annotations

import datetime as _dt
import threading
from typing import Protocol

DEFAULT_START = _dt.datetime(2014, 2, 13, 21, 47, 16)


def parse_time(value: _dt.datetime | str) -> _dt.datetime:
    """Accept a datetime or an ISO 8601 string; return naive UTC."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            value = _dt.datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"not an ISO 8601 time: {value!r}") from exc
    if not isinstance(value, _dt.datetime):
        raise TypeError(f"expected a datetime or ISO string, got {type(value).__name__}")
    if value.tzinfo is not None:
        value = value.astimezone(_dt.UTC).replace(tzinfo=None)
    return value


class Clock(Protocol):
    def now(self) -> _dt.datetime: ...


class ManualClock:
    """A clock that moves only when told to (the default in tests)."""

    manual = True

    def __init__(self, start: _dt.datetime | str | None = None) -> None:
        self._now = parse_time(start) if start is not None else DEFAULT_START
        self._lock = threading.Lock()

    def now(self) -> _dt.datetime:
        return self._now

    def advance(self, seconds: float) -> _dt.datetime:
        if not isinstance(seconds, int | float) or isinstance(seconds, bool):
            raise TypeError("seconds must be a number")
        if seconds < 0:
            raise ValueError("a clock cannot advance by a negative amount; use set()")
        with self._lock:
            self._now += _dt.timedelta(seconds=seconds)
            return self._now

    def set(self, when: _dt.datetime | str) -> _dt.datetime:
        with self._lock:
            self._now = parse_time(when)
            return self._now

    def __repr__(self) -> str:
        return f"ManualClock({self._now.isoformat()!r})"


class SystemClock:
    """Wall-clock time. It looks the time up through the `datetime` module on every call,
    so freezegun's `freeze_time` and `tick()` move the emulator too."""

    manual = False

    def now(self) -> _dt.datetime:
        return _dt.datetime.now(_dt.UTC).replace(tzinfo=None)

    def __repr__(self) -> str:
        return "SystemClock()"
