"""Due-time events without threads. Model operations call `run_until(now)` first, so state
is always what it would be had a background worker run every transition on time."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any


class Timeline:
    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, Callable[..., None], tuple[Any, ...]]] = []
        self._seq = itertools.count()

    def at(self, due: datetime, action: Callable[..., None], *args: Any) -> None:
        """Run `action(due, *args)` once the clock reaches `due`. Actions check themselves
        whether they still apply (entities carry a generation counter for that)."""
        heapq.heappush(self._heap, (due, next(self._seq), action, args))

    def run_until(self, now: datetime) -> None:
        heap = self._heap
        while heap and heap[0][0] <= now:
            due, _, action, args = heapq.heappop(heap)
            action(due, *args)

    def clear(self) -> None:
        self._heap.clear()

    def __len__(self) -> int:
        return len(self._heap)
