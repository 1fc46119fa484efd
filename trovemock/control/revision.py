"""The revision counter: a number that changes whenever what the emulator shows may have
changed, so a client (the dashboard) polls it alone and refetches only when it moves.

The rule: +1 for every request that reached the emulator, except the control API's reads
(GET and HEAD under ``/_trovemock/``), and +1 for every move of the clock seen since the
last read (a manual clock's advance or set; a system clock moves all the time, so on it
the revision moves on every read). Changes made from Python in the same process (for
example ``mock.add_instance``) are not requests and do not count.
"""

from __future__ import annotations

import threading
from datetime import datetime


class Revision:
    """A thread-safe change counter (`bump` on a request, `read` with the clock's time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._seen: datetime | None = None

    def bump(self) -> None:
        """Count one change."""
        with self._lock:
            self._count += 1

    def read(self, now: datetime) -> int:
        """The revision, counting a clock move if `now` differs from the last time read."""
        with self._lock:
            if self._seen is not None and now != self._seen:
                self._count += 1
            self._seen = now
            return self._count
