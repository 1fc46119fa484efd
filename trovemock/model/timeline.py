"""The emulator's due events: what happens when the clock reaches a time (a backup turns
BUILDING, an instance settles, a scheduled run is due)."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

COMPACT_FLOOR = 1024  # below this many queued events, cancelled ones are left to expire


class Versioned(Protocol):
    generation: int


class Timeline:
    def __init__(self) -> None:
        self._heap: list[
            tuple[datetime, int, Callable[..., None], tuple[Any, ...], Versioned | None, int]
        ] = []
        self._seq = itertools.count()
        self._compact_at = COMPACT_FLOOR

    def at(
        self,
        due: datetime,
        action: Callable[..., None],
        *args: Any,
        record: Versioned | None = None,
    ) -> None:
        """Run `action(due, *args)` once the clock reaches `due`. Actions check themselves
        whether they still apply (entities carry a generation counter for that); an event
        given its `record` is also known to be cancelled once the record's generation moves
        on, so it is dropped from the queue before its time instead of held until then."""
        generation = record.generation if record is not None else 0
        heapq.heappush(self._heap, (due, next(self._seq), action, args, record, generation))
        if len(self._heap) > self._compact_at:
            self._compact()

    def run_until(self, now: datetime) -> None:
        heap = self._heap
        while heap and heap[0][0] <= now:
            due, _, action, args, record, generation = heapq.heappop(heap)
            if record is None or record.generation == generation:
                action(due, *args)

    def next_due(self) -> datetime | None:
        """When the earliest pending event is due (a status transition, a copy, a scheduled
        run); None when nothing is pending. Cancelled events at the head are dropped."""
        heap = self._heap
        while heap and heap[0][4] is not None and heap[0][4].generation != heap[0][5]:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def _compact(self) -> None:
        self._heap = [e for e in self._heap if e[4] is None or e[4].generation == e[5]]
        heapq.heapify(self._heap)
        self._compact_at = max(COMPACT_FLOOR, 2 * len(self._heap))

    def __len__(self) -> int:
        return len(self._heap)
