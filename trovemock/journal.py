"""The request journal: every request the emulated API answered, for assertions in tests.

The app hands each finished exchange to `Journal.record` as a `exchange.JournalEntry`. The journal
keeps the newest `max_entries` (10,000 by default) whose sizes add up to at most `max_bytes`
(the cloud's `config.journal_max_bytes`, 64 MiB by default), so a long-running server does not
grow without bound, and can be cleared or switched off (`journal.enabled = False`). An entry
counts what it really holds in memory (`held_bytes`: its headers, query, parsed bodies as
Python objects, every field), so the budget bounds the journal's memory, not only the bodies'
bytes; a request body over `BODY_SHOWN_BYTES` is kept as the text of its start only, and a
header or query value over `VALUE_SHOWN_CHARS` as its start (the app does both).
"""

from __future__ import annotations

import fnmatch
import sys
import threading
from collections import deque
from collections.abc import Collection, Iterator
from dataclasses import fields
from typing import Any

from trovemock.config import Config
from trovemock.exchange import DELIVERIES, JournalEntry

DEFAULT_MAX_ENTRIES = 10_000
DEFAULT_MAX_BYTES = 64 * 1024 * 1024  # without a config (Journal() on its own)
BODY_SHOWN_BYTES = 65536  # larger request bodies are journaled as the text of their start
VALUE_SHOWN_CHARS = 8192  # longer header and query values are journaled as their start
# How many entries an assertion message shows at most (the newest ones).
SHOWN_IN_ASSERTIONS = 20


_CONTAINERS = (dict, list, tuple)


def held_bytes(entry: JournalEntry) -> int:
    """The memory an entry holds: the entry and every object it refers to (iteratively, so a
    body nested thousands deep costs no recursion; an object shared twice counts twice,
    which only overstates)."""
    size = sys.getsizeof
    fields_of = vars(entry)
    total = size(entry) + size(fields_of)
    work: list[Any] = [fields_of]
    while work:
        item = work.pop()
        if item is not fields_of:
            total += size(item)
        children = [*item.keys(), *item.values()] if type(item) is dict else item
        for child in children:
            if type(child) in _CONTAINERS:
                work.append(child)
            else:
                total += size(child)
    return total


def shortened(value: str) -> str:
    """A header or query value as the journal keeps it."""
    if len(value) <= VALUE_SHOWN_CHARS:
        return value
    return value[:VALUE_SHOWN_CHARS] + f" ... (truncated, {len(value)} characters)"


class Journal:
    """Recorded requests, oldest first. Thread-safe."""

    def __init__(
        self,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        config: Config | None = None,
        routes: Collection[str] = (),
    ) -> None:
        """`routes`: the route names entries may have, for checking filters (none: any)."""
        for name, value in (("max_entries", max_entries), ("max_bytes", max_bytes)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1")
        self.enabled = True
        self.routes = frozenset(routes)
        self._entries: deque[JournalEntry] = deque(maxlen=max_entries)
        self._sizes: deque[int] = deque(maxlen=max_entries)  # aligned with _entries
        self._bytes = 0
        self._max_bytes = max_bytes
        self._config = config  # when given, its journal_max_bytes is the limit
        self._next_seq = 1
        self._lock = threading.Lock()

    @property
    def max_entries(self) -> int:
        return self._entries.maxlen or DEFAULT_MAX_ENTRIES

    @property
    def max_bytes(self) -> int:
        return self._config.journal_max_bytes if self._config is not None else self._max_bytes

    @property
    def size_bytes(self) -> int:
        """The summed sizes of the kept entries (see the module's docstring)."""
        return self._bytes

    def record(self, entry: JournalEntry) -> JournalEntry | None:
        """Store `entry`, numbering it (`seq` 1, 2, ...), and forget the oldest entries beyond
        the limits (the newest one is always kept); nothing happens when switched off."""
        if not self.enabled:
            return None
        size = held_bytes(entry)
        with self._lock:
            entry.seq = self._next_seq
            self._next_seq += 1
            if len(self._entries) == self._entries.maxlen:
                self._bytes -= self._sizes[0]  # append drops the oldest
            self._entries.append(entry)
            self._sizes.append(size)
            self._bytes += size
            limit = self.max_bytes
            while self._bytes > limit and len(self._entries) > 1:
                self._entries.popleft()
                self._bytes -= self._sizes.popleft()
        return entry

    def clear(self) -> None:
        """Forget every entry; numbering starts at 1 again."""
        with self._lock:
            self._entries.clear()
            self._sizes.clear()
            self._bytes = 0
            self._next_seq = 1

    @property
    def entries(self) -> list[JournalEntry]:
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self.entries)

    def filter(
        self,
        method: str | None = None,
        route: str | None = None,
        status: int | None = None,
        project_id: str | None = None,
        region: str | None = None,
        path: str | None = None,
        kind: str | None = None,
        delivery: str | None = None,
    ) -> list[JournalEntry]:
        """Entries matching every given field; `method` ignores case, `path` is a glob,
        `kind` is "request" or "scheduled_run", `delivery` "sent", "dropped" or "gave_up". A
        route name the emulator does not have is a ValueError naming the ones it has (a typo
        would otherwise match nothing, silently)."""
        if route is not None and self.routes and route not in self.routes:
            raise ValueError(
                f"unknown route {route!r}; routes: {', '.join(sorted(self.routes))}"
            )
        if delivery is not None and delivery not in DELIVERIES:
            raise ValueError(f"delivery must be one of {', '.join(DELIVERIES)}, not {delivery!r}")
        return [
            entry
            for entry in self.entries
            if _matches(entry, method, route, status, project_id, region, path)
            and (kind is None or entry.kind == kind)
            and (delivery is None or entry.delivery == delivery)
        ]

    def last(self, n: int = 1) -> list[JournalEntry]:
        """The newest `n` entries, oldest first."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError("n must be a whole number >= 0")
        entries = self.entries
        return entries[len(entries) - n :] if n else []

    @property
    def latest(self) -> JournalEntry | None:
        """The newest entry, None when nothing was recorded."""
        with self._lock:
            return self._entries[-1] if self._entries else None

    def assert_called(
        self, route: str, times: int | None = None, **filters: Any
    ) -> list[JournalEntry]:
        """Assert `route` was requested (exactly `times` times when given; matching `filters`:
        method, status, project_id, region, path) and return those entries."""
        found = self.filter(route=route, **filters)
        if (times is None and found) or (times is not None and len(found) == times):
            return found
        wanted = "at least once" if times is None else _times(times)
        raise AssertionError(
            f"expected {_describe(route, filters)} {wanted}, got {_times(len(found))}"
            + self._context(found)
        )

    def assert_not_called(self, route: str, **filters: Any) -> None:
        found = self.filter(route=route, **filters)
        if found:
            raise AssertionError(
                f"expected no {_describe(route, filters)}, got {_times(len(found))}"
                + self._context(found)
            )

    def to_dicts(self) -> list[dict[str, Any]]:
        """JSON-serialisable entries (times as ISO 8601 strings)."""
        return [entry_to_dict(entry) for entry in self.entries]

    def format(self, last: int = SHOWN_IN_ASSERTIONS) -> str:
        """The newest `last` entries, one compact line each."""
        return "\n".join(format_entry(entry) for entry in self.last(last))

    def _context(self, found: list[JournalEntry]) -> str:
        if not self.enabled:
            return "\n(the journal is switched off: journal.enabled is False)"
        everything = self.entries
        if not everything:
            return "\n(no requests were recorded)"
        marked = {id(entry) for entry in found}
        title = "recorded requests (> marks a match)" if found else "recorded requests"
        return f"\n{title}:\n" + _lines(everything, marked)


def entry_to_dict(entry: JournalEntry) -> dict[str, Any]:
    """A JSON-ready dict of the entry. Shallow: the bodies are the entry's own objects (a deep
    copy would cost memory and fail on a body nested as deeply as JSON allows)."""
    data = {f.name: getattr(entry, f.name) for f in fields(entry)}
    data["time"] = entry.time.isoformat() if entry.time is not None else None
    data["query"] = dict(entry.query)
    data["headers"] = dict(entry.headers)
    data["response_headers"] = dict(entry.response_headers)
    return data


def format_entry(entry: JournalEntry) -> str:
    """``#3 POST /v1.0/p/backups -> 503 serviceUnavailable: ... [fault rule fault-1]``"""
    return str(entry)


def _matches(
    entry: JournalEntry,
    method: str | None,
    route: str | None,
    status: int | None,
    project_id: str | None,
    region: str | None,
    path: str | None,
) -> bool:
    return (
        (method is None or entry.method.upper() == method.upper())
        and (route is None or entry.route == route)
        and (status is None or entry.status == status)
        and (project_id is None or entry.project_id == project_id)
        and (region is None or (entry.region or "").upper() == region.upper())
        and (path is None or fnmatch.fnmatchcase(entry.path, path))
    )


def _describe(route: str, filters: dict[str, Any]) -> str:
    given = ", ".join(f"{key}={value!r}" for key, value in filters.items() if value is not None)
    return f"{route} ({given})" if given else route


def _lines(entries: list[JournalEntry], marked: set[int]) -> str:
    hidden = len(entries) - SHOWN_IN_ASSERTIONS
    text = "\n".join(
        ("> " if id(entry) in marked else "  ") + format_entry(entry)
        for entry in entries[-SHOWN_IN_ASSERTIONS:]
    )
    return (f"  ... {hidden} older not shown\n" if hidden > 0 else "") + text


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _times(n: int) -> str:
    return {0: "0 times", 1: "once"}.get(n, f"{n} times")
