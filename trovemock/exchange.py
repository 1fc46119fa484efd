"""The seams between the HTTP pipeline and the test-control features.

The WSGI app (`trovemock.api.pipeline`) builds a `RequestInfo` for every request, asks the fault
rules for a `FaultAction`, and hands a `JournalEntry` to the journal when the response is
ready. Keeping these plain dataclasses here lets `faults.py`, `journal.py` and the app evolve
without importing each other.
"""

from __future__ import annotations

import re
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

# Domain outcomes a fault rule can ask for. The app passes them to the model operation of
# the matching route: the next backup ends FAILED, the next delete ends DELETE_FAILED, the
# next restore leaves the new instance in ERROR.
OUTCOME_BACKUP_FAILED = "backup_failed"
OUTCOME_DELETE_FAILED = "delete_failed"
OUTCOME_RESTORE_ERROR = "restore_error"
# A scheduled backup run (rackspace `/schedules`) is skipped, as if the scheduler missed it.
OUTCOME_RUN_SKIPPED = "run_skipped"
OUTCOMES = (
    OUTCOME_BACKUP_FAILED,
    OUTCOME_DELETE_FAILED,
    OUTCOME_RESTORE_ERROR,
    OUTCOME_RUN_SKIPPED,
)

# Scheduled runs are not HTTP requests: fault rules match them by this pseudo-route (and
# project, region, path `/v1.0/<project>/schedules/<id>`), and the journal records them as
# entries of kind KIND_SCHEDULED_RUN with method "RUN".
RUN_ROUTE = "schedules.run"
KIND_REQUEST = "request"
KIND_SCHEDULED_RUN = "scheduled_run"


@dataclass(frozen=True)
class RequestInfo:
    """What fault rules can match on. `route` is a name like ``"backups.create"`` (None when
    no route matched); `region` is the region the request addresses (None for control and
    identity paths); `project_id` is the URL's project (None where the path has none)."""

    method: str
    path: str
    route: str | None
    project_id: str | None
    region: str | None
    query: dict[str, str] = field(default_factory=dict)


@dataclass
class FaultAction:
    """What a matched fault rule asks the app to do. Fields combine: `latency` is slept
    first, then `drop`, `status`/`raw_body`, or `outcome` apply (in that priority)."""

    status: int | None = None  # answer with this documented status and its fault body
    message: str | None = None  # fault message; a default per status when None
    retry_after: int | None = None  # the Retry-After header (413, 429, 503)
    gateway_body: bool = False  # a gateway's HTML page instead of the service's fault body
    latency: float = 0.0  # seconds slept before the request is handled
    clock_latency: float = 0.0  # seconds the emulator's clock moves before it is handled
    drop: bool = False  # close the connection without an answer (ConnectionDropped)
    raw_body: bytes | None = None  # answer with exactly these bytes (status or 200)
    outcome: str | None = None  # one of OUTCOMES
    rule_id: str | None = None  # the rule that produced it, for the journal


@dataclass(frozen=True)
class InternalError:
    """An unexpected exception inside the emulator (a bug, never a fault rule): the client got
    the service's 500; the test suite's plugin fails the test that caused it with this."""

    request: str  # "GET /v1.0/p1/backups"
    traceback: str

    def __str__(self) -> str:
        return f"{self.request}\n{self.traceback}"


class InternalErrors:
    """The newest `limit` internal errors of one emulated cloud (thread-safe)."""

    def __init__(self, limit: int = 100) -> None:
        self._errors: deque[InternalError] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def record(self, method: str, path: str) -> None:
        """Call from an `except` block: keeps the exception being handled."""
        error = InternalError(f"{method} {path}", traceback.format_exc())
        with self._lock:
            self._errors.append(error)

    def __iter__(self) -> Iterator[InternalError]:
        with self._lock:
            return iter(list(self._errors))

    def __len__(self) -> int:
        return len(self._errors)

    def clear(self) -> None:
        with self._lock:
            self._errors.clear()


# The environ key an in-process transport puts its read timeout (seconds) under.
CLIENT_TIMEOUT = "trovemock.client_timeout"


class ClientGaveUp(TimeoutError):
    """Raised out of the WSGI app when a fault rule's latency outlasted the client's timeout
    (only in-process transports say they have one). The request was handled and journalled
    with `delivery="gave_up"`; the transport raises its client's timeout error."""


class ConnectionDropped(ConnectionError):
    """Raised out of the WSGI app when a fault rule drops the connection. The standalone
    server closes the socket without answering; in-process callers see the exception."""


DELIVERY_SENT = "sent"
DELIVERY_DROPPED = "dropped"
DELIVERY_GAVE_UP = "gave_up"
DELIVERIES = (DELIVERY_SENT, DELIVERY_DROPPED, DELIVERY_GAVE_UP)


@dataclass
class JournalEntry:
    """One request/response pair as recorded by the app."""

    seq: int
    time: datetime | None  # emulator clock at the start (None if the clock failed)
    method: str
    path: str
    route: str | None
    project_id: str | None
    region: str | None
    query: dict[str, str]
    headers: dict[str, str]  # X-Auth-Token value replaced by "***"
    request_json: Any  # parsed JSON body, None when absent or not JSON
    request_text: str | None  # raw body text when it was not valid JSON
    status: int
    response_json: Any  # parsed response body, None when empty
    response_headers: dict[str, str]
    fault_rule: str | None = None  # id of the fault rule that fired, if any
    duration_ms: float = 0.0
    size: int = 0  # bytes of the request and response bodies as sent (the journal's budget)
    kind: str = KIND_REQUEST  # or KIND_SCHEDULED_RUN
    # What reached the client: DELIVERY_SENT, DELIVERY_DROPPED (a fault rule closed the
    # connection: no answer, status 0) or DELIVERY_GAVE_UP (the client's timeout ran out
    # first: the request was handled, its answer never read).
    delivery: str = "sent"

    def __str__(self) -> str:
        """One line: ``#3 POST /v1.0/p/backups -> 503 serviceUnavailable: ... [fault rule
        fault-1]``."""
        query = "&".join(f"{key}={value}" for key, value in self.query.items())
        line = f"#{self.seq} {self.method} {self.path}{'?' + query if query else ''}"
        if self.delivery == DELIVERY_DROPPED:
            line += " -> dropped: the connection was closed without an answer"
        else:
            line += f" -> {self.status}"
        fault = fault_text(self.response_json) if self.status >= 400 else None
        if fault:
            line += f" {fault}"
        if self.delivery == DELIVERY_GAVE_UP:
            line += " (the client gave up waiting)"
        if self.fault_rule:
            line += f" [fault rule {self.fault_rule}]"
        return line


# Observers see every (dialect, JournalEntry) the app produces, journal on or off. The test
# suite's conftest uses this to validate every response against the JSON Schemas.
ResponseObserver = Callable[[str, JournalEntry], None]
response_observers: list[ResponseObserver] = []


class FaultDecider(Protocol):
    """Decides whether a fault rule answers a request (`trovemock.faults.FaultRules`)."""

    def decide(self, info: RequestInfo) -> FaultAction | None: ...


# Secrets a journal entry never shows: database users' and root passwords, API keys. The
# client still gets them; wherever the journal is shown (Python, control API, failure
# reports, the request log) they read MASK, as the auth token does.
SECRET_KEYS = frozenset({"password", "root_password", "apiKey", "api_key"})
MASK = "***"
_SECRET_IN_TEXT = re.compile(
    r'("(?:password|root_password|apiKey|api_key)"\s*:\s*)"(?:[^"\\]|\\.)*"'
)


def masked(value: Any) -> Any:
    """A copy of a JSON value with every secret replaced by MASK (iterative: a body nested
    thousands deep is copied as well as a flat one)."""
    if not isinstance(value, dict | list):
        return value
    top: list[Any] = [None]
    work: list[tuple[Any, Any, Any]] = [(value, top, 0)]  # (source, target container, slot)
    while work:
        source, target, slot = work.pop()
        if isinstance(source, dict):
            copy: Any = {}
            for key, item in source.items():
                if key in SECRET_KEYS and isinstance(item, str):
                    copy[key] = MASK
                else:
                    copy[key] = item
                    if isinstance(item, dict | list):
                        work.append((item, copy, key))
        elif isinstance(source, list):
            copy = list(source)
            work.extend((item, copy, n) for n, item in enumerate(source)
                        if isinstance(item, dict | list))
        else:
            copy = source
        target[slot] = copy
    return top[0]


def masked_text(text: str) -> str:
    """The same for a body kept as text (not valid JSON, or cut short)."""
    return _SECRET_IN_TEXT.sub(r'\1"***"', text)


def fault_text(body: Any) -> str | None:
    """`name: message` of a `{"<faultName>": {"code": N, "message": ...}}` body."""
    if isinstance(body, dict) and len(body) == 1:
        ((name, inner),) = body.items()
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            message = inner["message"]
            return f"{name}: {message if len(message) <= 120 else message[:117] + '...'}"
    return None
