"""Validate every response an emulator gives, as a `trovemock.exchange` response observer.

    audit = ResponseAudit()
    exchange.response_observers.append(audit)
    ...                       # drive the emulator
    assert audit.take() == []

The project's own test suite installs one for every test (tests/conftest.py); any suite that
drives trovemock can do the same.
"""

from __future__ import annotations

import threading

from trovemock.contract.schemas import check_response
from trovemock.exchange import JournalEntry


def entry_problems(dialect: str, entry: JournalEntry) -> list[str]:
    """Schema problems of one journal entry. Skipped (no problems): control and identity
    paths (no route), bodies that are not JSON (a fault rule's raw bytes)."""
    if entry.route is None:
        return []
    body = entry.response_json
    if body is None and _has_body(entry):
        return []  # not JSON: only a fault rule's raw_body produces that
    return check_response(dialect, entry.route, entry.status, body)


def _has_body(entry: JournalEntry) -> bool:
    headers = {key.lower(): value for key, value in entry.response_headers.items()}
    return headers.get("content-length", "0") not in ("", "0")


def describe(entry: JournalEntry, problem: str) -> str:
    rule = f" (fault rule {entry.fault_rule})" if entry.fault_rule else ""
    return f"{entry.method} {entry.path} -> {entry.route} {entry.status}{rule}: {problem}"


class ResponseAudit:
    """A thread-safe response observer that collects schema violations."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._violations: list[str] = []
        self.checked = 0  # responses validated so far

    def __call__(self, dialect: str, entry: JournalEntry) -> None:
        found = [describe(entry, problem) for problem in entry_problems(dialect, entry)]
        with self._lock:
            self.checked += 1
            self._violations.extend(found)

    def take(self) -> list[str]:
        """The violations seen since the last call (and forget them)."""
        with self._lock:
            found, self._violations = self._violations, []
        return found
