"""Request journal (placeholder: the test-control issue fills this in)."""

from __future__ import annotations

import threading

from trovemock.hooks import JournalEntry


class Journal:
    def __init__(self) -> None:
        self.enabled = True
        self._entries: list[JournalEntry] = []
        self._lock = threading.Lock()

    def record(self, entry: JournalEntry) -> None:
        if not self.enabled:
            return
        with self._lock:
            entry.seq = len(self._entries) + 1
            self._entries.append(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    @property
    def entries(self) -> list[JournalEntry]:
        return list(self._entries)
