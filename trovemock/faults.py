"""Fault injection: rules that make the emulated API misbehave on purpose.

A rule has *match* fields (method, route name, path glob, project, region), a *firing* limit
(`times=N` and/or `probability=p`, drawn from a seeded RNG so runs repeat) and an *action*
(an HTTP fault, a raw body, added latency, a dropped connection, or a domain outcome such as
"the next backup ends FAILED"). The first rule that matches, in insertion order, fires.

The app asks `FaultRules.decide(RequestInfo)` once per request and applies the returned
`FaultAction`; this module never touches HTTP itself. Scheduled backup runs (rackspace) ask
too, as the pseudo-route `schedules.run`: only rules naming that route match them, and such
rules carry only an outcome (`backup_failed` or `run_skipped`).
"""

from __future__ import annotations

import fnmatch
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from trovemock.api.spec import ERROR_STATUSES
from trovemock.api.spec import ROUTES_BY_NAME as ROUTES  # the one list of route names
from trovemock.checks import Fields
from trovemock.config import Config
from trovemock.exchange import (
    OUTCOME_BACKUP_FAILED,
    OUTCOME_DELETE_FAILED,
    OUTCOME_RESTORE_ERROR,
    OUTCOME_RUN_SKIPPED,
    OUTCOMES,
    RUN_ROUTE,
    FaultAction,
    RequestInfo,
)

# The statuses the Trove / Cloud Databases API documents for its faults.
DOCUMENTED_STATUSES = ERROR_STATUSES  # the statuses the route table documents
# What the gateways in front of a real deployment answer (a rate limiter, a proxy whose
# upstream failed or timed out).
GATEWAY_STATUSES = (429, 502, 504)
FAULT_STATUSES = tuple(sorted((*DOCUMENTED_STATUSES, *GATEWAY_STATUSES)))
# A raw body may also stand in for a success answer (a malformed 200 or 202).
RAW_BODY_STATUSES = (200, 202, *FAULT_STATUSES)
# The statuses HTTP lets carry Retry-After (RFC 9110 15.5.14 and 15.6.4, RFC 6585 4). 413
# sends it by default; 429 and 503 only when the rule asks, because python-troveclient
# (8.x) raises TypeError on Retry-After with any status but 413: asking for it reproduces
# that crash, as a gateway that sends it would.
RETRY_AFTER_STATUSES = (413, 429, 503)
RETRY_AFTER_BY_DEFAULT = 413
DEFAULT_RETRY_AFTER = 1
# Whose body a fault status comes with: the service's fault format, or a gateway's page.
BODY_SERVICE = "service"
BODY_GATEWAY = "gateway"
BODIES = (BODY_SERVICE, BODY_GATEWAY)
MAX_LATENCY_SECONDS = 300.0
MAX_CLOCK_LATENCY_SECONDS = 86400.0  # a day of emulated time per request
DEFAULT_MAX_RULES = 1000  # without a config (FaultRules() on its own)
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

# The routes where each outcome can happen; a rule without a route gets the first. On the
# pseudo-route of scheduled runs, `backup_failed` makes the run's backup end FAILED.
OUTCOME_ROUTES = {
    OUTCOME_BACKUP_FAILED: ("backups.create", RUN_ROUTE),
    OUTCOME_DELETE_FAILED: ("backups.delete",),
    OUTCOME_RESTORE_ERROR: ("instances.create",),
    OUTCOME_RUN_SKIPPED: (RUN_ROUTE,),
}

MATCH_FIELDS = ("method", "route", "path", "project_id", "region")
LIMIT_FIELDS = ("times", "probability")
ACTION_FIELDS = ("status", "message", "retry_after", "body", "latency", "clock_latency", "drop",
                 "raw_body", "outcome")
ALL_FIELDS = ("id", *MATCH_FIELDS, *LIMIT_FIELDS, *ACTION_FIELDS, "fired")


@dataclass(eq=False)
class FaultRule:
    """One rule. Read `fired` to see how often it fired; build rules with `FaultRules.add`."""

    id: str
    method: str | None = None
    route: str | None = None
    path: str | None = None
    project_id: str | None = None
    region: str | None = None
    times: int | None = None
    probability: float | None = None
    status: int | None = None
    message: str | None = None
    retry_after: int | None = None
    body: str | None = None  # BODY_SERVICE or BODY_GATEWAY, with a status
    latency: float = 0.0
    clock_latency: float = 0.0
    drop: bool = False
    raw_body: bytes | None = None
    outcome: str | None = None
    fired: int = field(default=0)

    @property
    def exhausted(self) -> bool:
        """True once a `times=N` rule has fired N times; it then matches nothing."""
        return self.times is not None and self.fired >= self.times

    def matches(self, info: RequestInfo) -> bool:
        """Whether the request fits every match field (the probability is not drawn here)."""
        if self.method is not None and info.method.upper() != self.method:
            return False
        if self.route is not None and info.route != self.route:
            return False
        if info.route == RUN_ROUTE and self.route != RUN_ROUTE:
            return False  # only rules that name scheduled runs apply to them
        if self.path is not None and not fnmatch.fnmatchcase(info.path, self.path):
            return False
        if self.project_id is not None and info.project_id != self.project_id:
            return False
        if self.region is not None and (info.region or "").upper() != self.region.upper():
            return False
        return True

    def action(self) -> FaultAction:
        return FaultAction(
            status=self.status,
            message=self.message,
            retry_after=self.retry_after,
            gateway_body=self.body == BODY_GATEWAY,
            latency=self.latency,
            clock_latency=self.clock_latency,
            drop=self.drop,
            raw_body=self.raw_body,
            outcome=self.outcome,
            rule_id=self.id,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable; `FaultRules.add(**rule.to_dict())` builds an equal rule.
        `raw_body` is text: bytes that are not UTF-8 survive as surrogate escapes."""
        data: dict[str, Any] = {name: getattr(self, name) for name in ALL_FIELDS}
        if self.raw_body is not None:
            data["raw_body"] = self.raw_body.decode("utf-8", "surrogateescape")
        return data

    def describe(self) -> str:
        """A one-line summary for assertion messages, e.g.
        ``fault-1 (POST backups.create -> 503, fired 0 times)``."""
        where = [self.method or "", self.route or "", self.path or ""]
        where += [f"project={self.project_id}"] if self.project_id else []
        where += [f"region={self.region}"] if self.region else []
        matcher = " ".join(part for part in where if part) or "any request"
        limit = f", times={self.times}" if self.times is not None else ""
        limit += f", probability={self.probability}" if self.probability is not None else ""
        return f"{self.id} ({matcher} -> {self._what()}{limit}, fired {_times(self.fired)})"

    def _what(self) -> str:
        parts = []
        if self.latency:
            parts.append(f"+{self.latency:g}s")
        if self.clock_latency:
            parts.append(f"+{self.clock_latency:g}s on the clock")
        if self.drop:
            parts.append("drop")
        if self.raw_body is not None:
            parts.append(f"raw body ({self.status or 200})")
        elif self.status is not None:
            parts.append(str(self.status))
        if self.outcome:
            parts.append(self.outcome)
        return " ".join(parts)


class FaultRules:
    """The ordered fault rules of one emulated cloud. Thread-safe.

    At most `max_rules` rules (the cloud's `config.max_fault_rules`, 1000 by default) exist at
    once: every request walks them, so adding one more is refused rather than slowing every
    request down."""

    def __init__(self, seed: int | None = 0, *, config: Config | None = None) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._ids: set[str] = set()
        self._seed = seed
        self._random = random.Random(seed)
        self._next_number = 1
        self._config = config

    @property
    def max_rules(self) -> int:
        return self._config.max_fault_rules if self._config is not None else DEFAULT_MAX_RULES

    # -- building ---------------------------------------------------------------------------
    def add(self, **fields: Any) -> FaultRule:
        """Append a rule. Fields: method, route, path (glob), project_id, region, times,
        probability, status, message, retry_after, latency, drop, raw_body, outcome (and id,
        fired, as `FaultRule.to_dict` gives them). Bad input raises ValueError naming the field,
        and so does a rule beyond `max_rules`.
        """
        with self._lock:
            if len(self._rules) >= self.max_rules:
                raise ValueError(
                    f"there are already {len(self._rules)} fault rules, the limit "
                    f"(config max_fault_rules); remove some first"
                )
            rule = _build_rule(fields, self._ids)
            if rule.id == "":
                rule.id = self._fresh_id()
            self._rules.append(rule)
            self._ids.add(rule.id)
            return rule

    @contextmanager
    def inject(self, **fields: Any) -> Iterator[FaultRule]:
        """``with mock.faults.inject(status=503, route="backups.list") as rule:`` adds the rule
        for the block and removes it afterwards (its `fired` count stays readable)."""
        rule = self.add(**fields)
        try:
            yield rule
        finally:
            self.remove(rule)

    def remove(self, rule_or_id: FaultRule | str) -> FaultRule:
        """Remove a rule (or its id); KeyError when it is not one of these rules."""
        wanted = rule_or_id.id if isinstance(rule_or_id, FaultRule) else rule_or_id
        with self._lock:
            for index, rule in enumerate(self._rules):
                if rule.id == wanted:
                    self._ids.discard(wanted)
                    return self._rules.pop(index)
        raise KeyError(f"no fault rule with id {wanted!r}")

    def clear(self) -> None:
        """Remove every rule, restart the ids and re-seed the RNG (so a cleared cloud behaves
        like a fresh one)."""
        with self._lock:
            self._rules.clear()
            self._ids.clear()
            self._next_number = 1
            self._random.seed(self._seed)

    @property
    def current_seed(self) -> int | None:
        """The seed `probability` rules draw from (None: drawn from the system's entropy)."""
        return self._seed

    def seed(self, seed: int | None) -> None:
        """Re-seed the RNG that `probability` rules draw from."""
        with self._lock:
            self._seed = seed
            self._random.seed(seed)

    # -- reading ----------------------------------------------------------------------------
    @property
    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def get(self, rule_id: str) -> FaultRule:
        with self._lock:
            for rule in self._rules:
                if rule.id == rule_id:
                    return rule
        raise KeyError(f"no fault rule with id {rule_id!r}")

    def __len__(self) -> int:
        with self._lock:
            return len(self._rules)

    def __iter__(self) -> Iterator[FaultRule]:
        return iter(self.rules)

    def to_dicts(self) -> list[dict[str, Any]]:
        return [rule.to_dict() for rule in self.rules]

    def unfired(self) -> list[FaultRule]:
        """Rules that never fired (a test's fault that never happened is usually a bug)."""
        return [rule for rule in self.rules if rule.fired == 0]

    def assert_all_fired(self) -> None:
        missing = self.unfired()
        if missing:
            lines = "\n  ".join(rule.describe() for rule in missing)
            raise AssertionError(f"{_count(len(missing), 'fault rule')} never fired:\n  {lines}")

    def assert_never_fired(self, rule: FaultRule | str) -> None:
        found = rule if isinstance(rule, FaultRule) else self.get(rule)
        if found.fired:
            raise AssertionError(f"fault rule fired but should not have: {found.describe()}")

    # -- the app's question -----------------------------------------------------------------
    def decide(self, info: RequestInfo) -> FaultAction | None:
        """The action of the first live rule matching `info`, counting it as fired."""
        with self._lock:
            for rule in self._rules:
                if rule.exhausted or not rule.matches(info):
                    continue
                if rule.probability is not None and self._random.random() >= rule.probability:
                    continue
                rule.fired += 1
                return rule.action()
        return None

    def _fresh_id(self) -> str:
        while True:
            candidate = f"fault-{self._next_number}"
            self._next_number += 1
            if candidate not in self._ids:
                return candidate


# -- validation -------------------------------------------------------------------------------
def _build_rule(fields: dict[str, Any], taken_ids: set[str]) -> FaultRule:
    given = Fields({name: value for name, value in fields.items() if value is not None},
                   "fault rule")
    given.only(ALL_FIELDS)
    probability = given.number("probability", required=False, low=0, high=1)
    if probability == 0:
        given.refuse("probability", "a number in (0, 1]", probability)
    rule = FaultRule(
        id=_rule_id(given.data.get("id"), taken_ids),
        method=_method(given.data.get("method")),
        route=_route(given.data.get("route")),
        path=given.text("path", required=False),
        project_id=given.text("project_id", required=False),
        region=given.text("region", required=False),
        times=given.whole("times", required=False, low=1),
        probability=probability,
        status=given.whole("status", required=False, low=100),
        message=given.text("message", required=False),
        retry_after=given.whole("retry_after", required=False, low=0),
        body=given.one_of("body", BODIES, required=False),
        latency=given.number("latency", required=False, low=0, high=MAX_LATENCY_SECONDS) or 0.0,
        clock_latency=given.number("clock_latency", required=False, low=0,
                                   high=MAX_CLOCK_LATENCY_SECONDS) or 0.0,
        drop=given.flag("drop"),
        raw_body=_raw_body(given.data.get("raw_body")),
        outcome=given.one_of("outcome", OUTCOMES, required=False),
        fired=given.whole("fired", required=False, low=0) or 0,
    )
    _check_action(rule)
    return rule


def _check_action(rule: FaultRule) -> None:
    """Reject combinations the app could not honour, and fill in the defaults."""
    acts = (
        rule.status is not None,
        rule.raw_body is not None,
        rule.latency > 0,
        rule.clock_latency > 0,
        rule.drop,
        rule.outcome is not None,
    )
    if rule.message is not None and rule.status is None:
        raise ValueError("message needs a status")
    if not any(acts):
        raise ValueError(
            "a fault rule needs an action: status, raw_body, latency, clock_latency, drop or "
            "outcome"
        )
    if rule.drop and (rule.status is not None or rule.raw_body is not None or rule.outcome):
        raise ValueError("drop closes the connection; it cannot combine with status, "
                         "raw_body or outcome")
    if rule.outcome and (rule.status is not None or rule.raw_body is not None):
        raise ValueError("outcome lets the request succeed; it cannot combine with status "
                         "or raw_body")
    if rule.raw_body is not None:
        if rule.status is not None and rule.status not in RAW_BODY_STATUSES:
            raise ValueError(f"status with raw_body must be one of {_listed(RAW_BODY_STATUSES)}")
        if rule.message is not None:
            raise ValueError("message belongs to a fault body; raw_body is sent as given")
    elif rule.status is not None and rule.status not in FAULT_STATUSES:
        raise ValueError(f"status must be a documented fault status or a gateway's: "
                         f"{_listed(FAULT_STATUSES)}")
    if rule.retry_after is not None and (
        rule.status not in RETRY_AFTER_STATUSES or rule.raw_body is not None
    ):
        raise ValueError(f"retry_after goes with status {_listed(RETRY_AFTER_STATUSES)} "
                         "(the statuses HTTP gives a Retry-After)")
    if rule.status == RETRY_AFTER_BY_DEFAULT and rule.raw_body is None \
            and rule.retry_after is None:
        rule.retry_after = DEFAULT_RETRY_AFTER
    if rule.body is not None and (rule.status is None or rule.raw_body is not None):
        raise ValueError("body chooses the page sent with a status: it needs a status and "
                         "no raw_body")
    if rule.status in (502, 504) and rule.body is None:
        rule.body = BODY_GATEWAY  # the proxy answers these, not the service
    elif rule.status is not None and rule.raw_body is None and rule.body is None:
        rule.body = BODY_SERVICE
    if rule.outcome:
        expected = OUTCOME_ROUTES[rule.outcome]
        if rule.route is None:
            rule.route = expected[0]
        elif rule.route not in expected:
            where = " or ".join(repr(route) for route in expected)
            raise ValueError(f"route: outcome {rule.outcome!r} happens on route {where}, "
                             f"not {rule.route!r}")
    if rule.route == RUN_ROUTE and (
        rule.outcome is None or rule.latency or rule.clock_latency or rule.method
    ):
        raise ValueError(f"route {RUN_ROUTE!r} (scheduled backup runs, not HTTP requests) "
                         f"takes only an outcome: {OUTCOME_BACKUP_FAILED!r} or "
                         f"{OUTCOME_RUN_SKIPPED!r}, and no method or latency")


def _rule_id(value: Any, taken: set[str]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("id must be a non-empty string")
    if value in taken:
        raise ValueError(f"id: a fault rule with id {value!r} already exists")
    return value


def _method(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value.upper() not in HTTP_METHODS:
        raise ValueError(f"method must be one of {', '.join(HTTP_METHODS)}, not {value!r}")
    return value.upper()


def _route(value: Any) -> str | None:
    if value is None:
        return None
    if value == RUN_ROUTE:
        return value
    if not isinstance(value, str) or value not in ROUTES:
        raise ValueError(f"route must be a route name such as 'backups.create' "
                         f"(known: {', '.join(sorted([*ROUTES, RUN_ROUTE]))}), not {value!r}")
    return value












def _raw_body(value: Any) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    raise ValueError(f"raw_body must be text or bytes, not {type(value).__name__}")




def _listed(statuses: tuple[int, ...]) -> str:
    return ", ".join(str(status) for status in statuses)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"
