"""The contract checks, run against any Trove / Cloud Databases endpoint.

Read-only by default. With `allow_writes` (and an instance) it also creates a backup, waits
for it, probes the create rules and deletes it again (`writes.py`); every backup it created is
removed in a `finally`, even when a check fails or the run is interrupted.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from trovemock.api.spec import DIALECTS
from trovemock.contract.http import NOT_JSON, Answer, HttpClient
from trovemock.contract.options import ContractOptions
from trovemock.contract.report import FAIL, PASS, SKIP, CheckResult, Report
from trovemock.contract.schemas import check_response
from trovemock.contract.writes import NAME_LIMITS, WriteChecks

READ_CHECKS = ("backups.list", "backups.list.limit", "auth.no_token", "backups.show",
               "backups.show.unknown")
INSTANCE_CHECKS = ("instances.show", "instances.backups")
WRITE_CHECKS = ("backups.create", "backups.create.duplicate", "backups.poll.completed",
                "backups.create.name_too_long", "backups.delete", "backups.poll.deleted",
                "cleanup")
FINAL_CHECKS = ("schemas.every_response",)


def planned_checks(options: ContractOptions) -> list[str]:
    """The checks a run with `options` reports, in order."""
    checks = list(READ_CHECKS)
    if options.instance:
        checks += INSTANCE_CHECKS
    if options.allow_writes:
        checks += WRITE_CHECKS
    return checks + list(FINAL_CHECKS)


def run_contract(
    options: ContractOptions,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Report:
    """Run every planned check and return the report (it never raises for a failing check)."""
    options.validate()
    return _Run(options, sleep, clock).run()


class _Run(WriteChecks):
    def __init__(self, options: ContractOptions, sleep: Callable[[float], None],
                 clock: Callable[[], float]) -> None:
        self.options = options
        self.sleep = sleep
        self.clock = clock
        self.http = HttpClient(options.url, options.token, options.request_timeout)
        self.dialect = options.dialect if options.dialect != "auto" else DIALECTS[0]
        self.report = Report(target=options.url, dialect=self.dialect)
        self.listed: list[dict[str, Any]] = []
        self.created: list[str] = []  # backups this run created, to delete at the end
        self.gone: set[str] = set()  # created backups confirmed deleted (GET 404)

    @property
    def limit(self) -> int:
        return NAME_LIMITS[self.dialect]

    def expected(self, check: str) -> str:
        """What the documents promise for `check` (the report's "expected" column)."""
        wait = f"{self.options.timeout:g} s"
        return {
            "backups.list": f"200 {{\"backups\": [...]}} (responses/backup-list-{self.dialect})",
            "backups.list.limit": "limit=1: 200 with at most 1 backup; when more exist, "
                                  "links[rel=next] with a marker leads to the next one",
            "auth.no_token": "401 unauthorized fault (OpenStack: keystonemiddleware's error)",
            "backups.show": f"200 {{\"backup\": {{...}}}} of a listed id "
                            f"(responses/backup-{self.dialect})",
            "backups.show.unknown": "404 itemNotFound fault",
            "instances.show": "200 {\"instance\": {...}} (responses/instance)",
            "instances.backups": f"200 {{\"backups\": [...]}} of this instance only "
                                 f"(responses/backup-list-{self.dialect})",
            "backups.create": f"202 backup, status NEW; a name of {self.limit} characters "
                              "(the limit) is accepted",
            "backups.create.duplicate": "422 unprocessableEntity fault while a backup of the "
                                        "instance runs",
            "backups.poll.completed": f"status reaches COMPLETED within {wait}, with a size "
                                      "and a locationRef",
            "backups.create.name_too_long": f"400 badRequest fault for a name of "
                                            f"{self.limit + 1} characters",
            "backups.delete": "202, empty body",
            "backups.poll.deleted": f"GET answers 404 itemNotFound within {wait}",
            "cleanup": "every backup the run created is deleted",
            "schemas.every_response": "every answer matches the schema of its route and status",
        }[check]

    # --- driver -------------------------------------------------------------------------

    def run(self) -> Report:
        listing = self.get("backups.list", "/backups")
        if listing.status is None:  # nothing answers there: no check can say anything
            self.record("backups.list", f"no answer: {listing.error}", FAIL, [
                f"nothing answered at {self.options.url}; check --url (the Trove endpoint, "
                "ending in /v1.0/<project>) and that the service is reachable"])
            for check in planned_checks(self.options)[1:]:
                self.record(check, "not run: the endpoint did not answer", SKIP)
            return self.report
        instance = None
        if self.options.instance:
            instance = self.get("instances.show", f"/instances/{self.options.instance}")
        self._pick_dialect(listing, instance)
        steps: list[tuple[str, Callable[[], None]]] = [
            ("backups.list", lambda: self.backups_list(listing)),
            ("backups.list.limit", self.backups_list_limit),
            ("auth.no_token", self.auth_no_token),
            ("backups.show", self.backups_show),
            ("backups.show.unknown", self.backups_show_unknown),
        ]
        if instance is not None:
            steps += [("instances.show", lambda: self.instances_show(instance)),
                      ("instances.backups", self.instances_backups)]
        for check, step in steps:
            self._guarded((check,), step)
        if self.options.allow_writes:
            try:
                self._guarded(WRITE_CHECKS[:-1], self.writes)
            finally:
                self._guarded(("cleanup",), self.cleanup)
        self._guarded(FINAL_CHECKS, self.every_response)
        self._fill_unreported()
        return self.report

    def _guarded(self, checks: tuple[str, ...], step: Callable[[], None]) -> None:
        """Run a step; an unexpected error fails the first of `checks` not yet reported
        (the rest are reported as not run), never a traceback."""
        try:
            step()
        except Exception as error:  # noqa: BLE001 - reported, the run goes on
            pending = [check for check in checks if not self._reported(check)]
            self.record(pending[0] if pending else checks[-1],
                        f"error: {type(error).__name__}: {error}", FAIL)

    def _reported(self, check: str) -> bool:
        return any(result.check == check for result in self.report.results)

    def _fill_unreported(self) -> None:
        for check in planned_checks(self.options):
            if not self._reported(check):
                self.record(check, "not run: an earlier write check failed", SKIP)
        order = {check: i for i, check in enumerate(planned_checks(self.options))}
        self.report.results.sort(key=lambda result: order.get(result.check, len(order)))

    def _pick_dialect(self, listing: Answer, instance: Answer | None) -> None:
        if self.options.dialect != "auto":
            return
        items = listing.items("backups") or [{}]
        first = items[0] if isinstance(items[0], dict) else {}
        shown = (instance.inner("instance") if instance else None) or {}
        hostname = str(shown.get("hostname", ""))
        if {"is_automated", "source", "flavor_ram"} & set(first):
            self.dialect, why = "rackspace", "the Rackspace keys of the listed backups"
        elif "project_id" in first:
            self.dialect, why = "openstack", "project_id in the listed backups"
        elif hostname.endswith(".rackspaceclouddb.com"):
            self.dialect, why = "rackspace", "the instance's hostname"
        elif "rackspacecloud" in urlsplit(self.options.url).netloc:
            self.dialect, why = "rackspace", "the host name of the URL"
        else:
            self.dialect, why = "openstack", "the default (nothing listed to tell)"
        self.report.dialect = self.dialect
        self.report.notes.append(f"dialect {self.dialect} detected from {why}; "
                                 "pass --dialect to choose")

    def record(self, check: str, answer: str, result: str,
               details: list[str] | None = None) -> CheckResult:
        entry = CheckResult(check, self.expected(check), answer, result, list(details or []))
        self.report.results.append(entry)
        return entry

    def expect(self, check: str, route: str, answer: Answer, status: int,
               answer_text: str | None = None, extra: list[str] | None = None) -> bool:
        """Record `check`: PASS when `answer` has `status`, a body matching its schema, and
        no `extra` problems. `answer_text` describes an answer that has `status`."""
        if answer.status is None:
            self.record(check, answer.error or "no answer", FAIL)
            return False
        problems = self.body_problems(route, answer)
        if answer.status != status:
            text = answer.fault_summary()
            self.record(check, text, FAIL, [p for p in problems if p not in text])
            return False
        problems += extra or []
        text = answer_text or f"{answer.status}, {answer.describe_body()}"
        self.record(check, text, FAIL if problems else PASS, [p for p in problems if p not in text])
        return not problems

    def body_problems(self, route: str, answer: Answer) -> list[str]:
        body = answer.json
        if body is NOT_JSON:
            return [f"body is not JSON: {answer.snippet()}"]
        if answer.status is None:
            return []
        return check_response(self.dialect, route, answer.status, body)

    def get(self, route: str, path: str, **kw: Any) -> Answer:
        return self.http.request(route, "GET", path, **kw)

    def wait(self, condition: Callable[[], bool]) -> bool:
        """Poll `condition` with a growing interval until it holds or the timeout passes."""
        deadline = self.clock() + self.options.timeout
        interval = 0.05
        while True:
            if condition():
                return True
            remaining = deadline - self.clock()
            if remaining <= 0:
                return False
            self.sleep(min(interval, remaining))
            interval = min(interval * 1.5, 5.0)

    # --- read-only checks ---------------------------------------------------------------

    def backups_list(self, answer: Answer) -> None:
        items = answer.items("backups")
        self.listed = [item for item in items or [] if isinstance(item, dict)]
        self.expect("backups.list", "backups.list", answer, 200,
                    f"200, {len(items)} backup(s)" if items is not None else None)

    def backups_list_limit(self) -> None:
        answer = self.get("backups.list", "/backups?limit=1")
        first = answer.items("backups")
        extra, text = [], None
        if first is not None:
            marker = _next_marker(answer.json)
            text = f"200, {len(first)} backup(s), next marker {marker!r}"
            if len(first) > 1:
                extra.append(f"limit=1 returned {len(first)} backups")
            if len(self.listed) >= 2 and marker is None:
                extra.append(f"{len(self.listed)} backups exist but the page of 1 has no "
                             "links[rel=next] with a marker")
            elif marker is not None and first:
                text += "; " + self._next_page(marker, first[0], extra)
        self.expect("backups.list.limit", "backups.list", answer, 200, text, extra)

    def _next_page(self, marker: str, seen: Any, extra: list[str]) -> str:
        """Follow a next link: it must answer another page (empty only at the end)."""
        answer = self.get("backups.list", f"/backups?limit=1&marker={quote(marker)}")
        items = answer.items("backups")
        if answer.status != 200 or items is None:
            extra.append(f"the next page answered {answer.fault_summary()}")
            extra += self.body_problems("backups.list", answer)
            return "next page failed"
        if items and isinstance(seen, dict) and isinstance(items[0], dict) \
                and items[0].get("id") == seen.get("id"):
            extra.append("the next page repeats the first page's backup")
        if not items and len(self.listed) >= 2:
            extra.append(f"the next page is empty although {len(self.listed)} backups exist")
        extra += self.body_problems("backups.list", answer)
        return f"next page: {len(items)} backup(s)"

    def auth_no_token(self) -> None:
        answer = self.get("backups.list", "/backups", with_token=False)
        self.expect("auth.no_token", "backups.list", answer, 401, answer.fault_summary())

    def backups_show(self) -> None:
        if not self.listed:
            self.record("backups.show", "no backup listed to show", SKIP)
            return
        backup_id = str(self.listed[0].get("id"))
        answer = self.get("backups.show", f"/backups/{backup_id}")
        shown = answer.inner("backup")
        if shown is None:
            self.expect("backups.show", "backups.show", answer, 200)
            return
        extra = [] if shown.get("id") == backup_id else [
            f"asked for {backup_id}, got {shown.get('id')!r}"]
        self.expect("backups.show", "backups.show", answer, 200,
                    f"200, backup {backup_id} ({shown.get('status')})", extra)

    def backups_show_unknown(self) -> None:
        answer = self.get("backups.show", f"/backups/{uuid.uuid4()}")
        self.expect("backups.show.unknown", "backups.show", answer, 404, answer.fault_summary())

    def instances_show(self, answer: Answer) -> None:
        instance = self.options.instance
        shown = answer.inner("instance")
        if shown is None:
            self.expect("instances.show", "instances.show", answer, 200)
            return
        extra = [] if shown.get("id") == instance else [
            f"asked for {instance}, got {shown.get('id')!r}"]
        self.expect("instances.show", "instances.show", answer, 200,
                    f"200, instance {instance} ({shown.get('status')})", extra)

    def instances_backups(self) -> None:
        instance = self.options.instance
        answer = self.get("instances.backups", f"/instances/{instance}/backups")
        items = answer.items("backups")
        others = [b.get("id") for b in items or []
                  if isinstance(b, dict) and b.get("instance_id") not in (instance, None)]
        extra = [f"backups of other instances listed: {others}"] if others else []
        self.expect("instances.backups", "instances.backups", answer, 200,
                    f"200, {len(items)} backup(s)" if items is not None else None, extra)

    # --- every response -------------------------------------------------------------------

    def every_response(self) -> None:
        problems = []
        answered = [(route, a) for route, a in self.http.answers if a.status is not None]
        for route, answer in answered:
            for problem in self.body_problems(route, answer):
                url = urlsplit(answer.url)
                path = url.path + (f"?{url.query}" if url.query else "")
                problems.append(f"{answer.method} {path} -> {answer.status}: {problem}")
        self.record("schemas.every_response",
                    f"{len(answered)} answers checked, {len(problems)} problem(s)",
                    FAIL if problems else PASS, problems)


def _next_marker(body: Any) -> str | None:
    links = body.get("links") if isinstance(body, dict) else None
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("rel") == "next":
            values = parse_qs(urlsplit(str(link.get("href", ""))).query).get("marker")
            return values[0] if values else None
    return None
