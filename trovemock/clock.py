"""Clocks the emulator reads. Every model operation first brings state up to `clock.now()`,
so a test decides when backups finish by moving a clock, never by sleeping."""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Callable
from typing import Protocol

DEFAULT_START = _dt.datetime(2014, 2, 13, 21, 47, 16)
# The bounds of emulated time. Every due time is the clock plus at most a few durations, so
# with the clock before LATEST_TIME and each duration at most MAX_DURATION_SECONDS no due time
# can overflow Python's datetime (which ends in year 9999). Years below 1000 would not render
# as the four digits of the wire format.
EARLIEST_TIME = _dt.datetime(1000, 1, 1)
LATEST_TIME = _dt.datetime(9000, 1, 1)
MAX_DURATION_SECONDS = 100 * 365 * 86400.0


class ClockOutOfRange(ValueError):
    """A time the emulator cannot work with (before EARLIEST_TIME or from LATEST_TIME on)."""


def check_time(value: _dt.datetime, what: str = "the time") -> _dt.datetime:
    """`value` if the emulator can work with it, else ClockOutOfRange naming `what`."""
    if not EARLIEST_TIME <= value < LATEST_TIME:
        raise ClockOutOfRange(
            f"{what} {value.isoformat()} is outside the times trovemock supports "
            f"({EARLIEST_TIME.isoformat()} to {LATEST_TIME.isoformat()}, excluded)"
        )
    return value


def check_seconds(value: object, what: str = "seconds") -> float:
    """A duration in seconds: a finite number from 0 to MAX_DURATION_SECONDS."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{what} must be a number")
    if not 0 <= value <= MAX_DURATION_SECONDS:  # also refuses NaN
        raise ValueError(
            f"{what} must be a number from 0 to {MAX_DURATION_SECONDS:.0f} (about 100 years)"
        )
    return float(value)


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


def backwards_refusal(now: _dt.datetime, wanted: _dt.datetime) -> str:
    """Why the manual clock does not go back unasked (one text for every face)."""
    return (
        f"the clock would move back from {now.isoformat()} to {wanted.isoformat()}: what the "
        "emulator already holds (backups, instances, scheduled runs) would then have been "
        "made in the future, and statuses never move back. Ask for it explicitly if that is "
        "what the test wants (Python: clock.set(when, backwards=True); control API: "
        '{"set": ..., "backwards": true}), or reset() first'
    )


class ManualClock:
    """A clock that moves only when told to (the default in tests)."""

    manual = True

    def __init__(self, start: _dt.datetime | str | None = None) -> None:
        self._now = check_time(parse_time(start), "start") if start is not None else DEFAULT_START
        self._lock = threading.Lock()
        # Run before every move: a data plane waits here for its running jobs, so what a
        # test sees after advancing is the same however fast the machine is.
        self.before_move: list[Callable[[], None]] = []

    def now(self) -> _dt.datetime:
        return self._now

    def advance(self, seconds: float) -> _dt.datetime:
        """Move forward; ValueError beyond about 100 years at once or past LATEST_TIME."""
        if not isinstance(seconds, int | float) or isinstance(seconds, bool):
            raise TypeError("seconds must be a number")
        if seconds < 0:
            raise ValueError("a clock cannot advance by a negative amount; use set()")
        seconds = check_seconds(seconds, "seconds")
        for wait in self.before_move:
            wait()
        with self._lock:
            self._now = check_time(self._now + _dt.timedelta(seconds=seconds), "the new time")
            return self._now

    def set(self, when: _dt.datetime | str, *, backwards: bool = False) -> _dt.datetime:
        """Jump to `when` (naive UTC or any time zone); ValueError from LATEST_TIME on, and
        for a time before now unless `backwards` is true: what the emulator already holds
        (backups, instances, scheduled runs) would then lie in the future."""
        parsed = check_time(parse_time(when), "the new time")
        for wait in self.before_move:
            wait()
        with self._lock:
            if parsed < self._now and not backwards:
                raise ValueError(backwards_refusal(self._now, parsed))
            self._now = parsed
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
