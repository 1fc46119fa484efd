"""The contract checks, run against any Trove / Cloud Databases endpoint.

Read-only by default. With `allow_writes` (and an instance) it also creates a backup, waits
for it, probes the create rules and deletes it again; every backup it created is removed in a
`finally`, even when a check fails or the run is interrupted.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from trovemock.contract.http import NOT_JSON, Answer, HttpClient
from trovemock.contract.report import FAIL, PASS, SKIP, CheckResult, Report
from trovemock.contract.routes import DIALECTS
from trovemock.contract.schemas import check_response

NAME_LIMITS = {"openstack": 255, "rackspace": 64}  # trove-behavior.md §4; seeds 001/002
RUNNING = ("NEW", "BUILDING", "SAVING")
NAME_PREFIX = "trovemock-contract-"

READ_CHECKS = ("backups.list", "backups.list.limit", "auth.no_token", "backups.show",
               "backups.show.unknown")
INSTANCE_CHECKS = ("instances.show", "instances.backups")
WRITE_CHECKS = ("backups.create", "backups.create.duplicate", "backups.poll.completed",
                "backups.create.name_too_long", "backups.delete", "backups.poll.deleted",
                "cleanup")
FINAL_CHECKS = ("schemas.every_response",)


@dataclass
class ContractOptions:
    url: str  # e.g. https://dfw.databases.api.rackspacecloud.com/v1.0/<project>
    token: str | None
    dialect: str = "auto"  # "auto", "openstack" or "rackspace"
    instance: str | None = None
    allow_writes: bool = False
    timeout: float = 600.0  # bound of each wait (backup to COMPLETED, delete to 404)
    request_timeout: float = 30.0

    def validate(self) -> None:
        """Raise ValueError naming the bad option."""
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"--url must be an http(s) URL, got {self.url!r}")
        if self.dialect not in ("auto", *DIALECTS):
            raise ValueError(
                f"--dialect must be auto, openstack or rackspace, not {self.dialect!r}")
        if self.allow_writes and not self.instance:
            raise ValueError("--allow-writes needs --instance (the instance to back up)")
        if self.timeout <= 0:
            raise ValueError("--timeout must be positive")


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


class _Run:
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

    # --- driver -------------------------------------------------------------------------

    def run(self) -> Report:
        steps: list[tuple[str, Callable[[], None]]] = [
            ("backups.list", self.backups_list),
            ("backups.list.limit", self.backups_list_limit),
            ("auth.no_token", self.auth_no_token),
            ("backups.show", self.backups_show),
            ("backups.show.unknown", self.backups_show_unknown),
        ]
        if self.options.instance:
            steps += [("instances.show", self.instances_show),
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
        self.report.dialect = self.dialect
        return self.report

    def _guarded(self, checks: tuple[str, ...], step: Callable[[], None]) -> None:
        """Run a step; an unexpected error fails the first of `checks` not yet reported
        (the rest are reported as not run), never a traceback."""
        try:
            step()
        except Exception as error:  # noqa: BLE001 - reported, the run goes on
            pending = [check for check in checks if not self._reported(check)]
            failed = pending[0] if pending else checks[-1]
            self.record(failed, "the check to run", f"error: {type(error).__name__}: {error}",
                        FAIL)

    def _reported(self, check: str) -> bool:
        return any(result.check == check for result in self.report.results)

    def _fill_unreported(self) -> None:
        for check in planned_checks(self.options):
            if not self._reported(check):
                self.record(check, "-", "not run (an earlier step failed)", SKIP)
        order = {check: i for i, check in enumerate(planned_checks(self.options))}
        self.report.results.sort(key=lambda result: order.get(result.check, len(order)))

    def record(self, check: str, expected: str, answer: str, result: str,
               details: list[str] | None = None) -> CheckResult:
        entry = CheckResult(check, expected, answer, result, list(details or []))
        self.report.results.append(entry)
        return entry

    def expect(self, check: str, route: str, answer: Answer, status: int, expected: str,
               answer_text: str | None = None, extra: list[str] | None = None) -> bool:
        """Record `check`: PASS when `answer` has `status`, a body matching its schema, and
        no `extra` problems. `answer_text` describes an answer that has `status`."""
        if answer.status is None:
            self.record(check, expected, answer.error or "no answer", FAIL)
            return False
        problems = self.body_problems(route, answer)
        if answer.status != status:
            self.record(check, expected, answer.fault_summary(), FAIL, problems)
            return False
        problems += extra or []
        text = answer_text or f"{answer.status}, {answer.describe_body()}"
        self.record(check, expected, text, FAIL if problems else PASS, problems)
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

    # --- read-only checks ---------------------------------------------------------------

    def backups_list(self) -> None:
        answer = self.get("backups.list", "/backups")
        body = answer.json
        items = body.get("backups") if isinstance(body, dict) else None
        if isinstance(items, list):
            self.listed = [item for item in items if isinstance(item, dict)]
        self._pick_dialect(self.listed)
        count = f"{len(self.listed)} backup(s)" if isinstance(items, list) else None
        self.expect("backups.list", "backups.list", answer, 200,
                    f"200 {{\"backups\": [...]}} (responses/backup-list-{self.dialect})",
                    f"200, {count}" if count else None)

    def _pick_dialect(self, items: list[dict[str, Any]]) -> None:
        if self.options.dialect != "auto":
            return
        if items and {"is_automated", "source", "flavor_ram"} & set(items[0]):
            self.dialect, why = "rackspace", "Rackspace keys in the listed backups"
        elif items and "project_id" in items[0]:
            self.dialect, why = "openstack", "project_id in the listed backups"
        elif "rackspacecloud" in urlsplit(self.options.url).netloc:
            self.dialect, why = "rackspace", "the host name"
        else:
            self.dialect, why = "openstack", "the default (no backup listed to tell)"
        self.report.notes.append(f"dialect {self.dialect} detected from {why}; "
                                 "pass --dialect to choose")

    def backups_list_limit(self) -> None:
        answer = self.get("backups.list", "/backups?limit=1")
        body = answer.json
        extra = []
        items = body.get("backups", []) if isinstance(body, dict) else []
        if isinstance(items, list):
            if len(items) > 1:
                extra.append(f"limit=1 returned {len(items)} backups")
            if len(items) == 1 and _next_marker(body) is None:
                extra.append("a full page (1 of limit=1) has no links[rel=next] with a marker")
        shown = (f"200, {len(items)} backup(s), next marker {_next_marker(body)!r}"
                 if isinstance(items, list) and isinstance(body, dict) else None)
        self.expect("backups.list.limit", "backups.list", answer, 200,
                    "200, at most 1 backup; a full page links to the next one "
                    "(links[rel=next] with a marker)", shown, extra)

    def auth_no_token(self) -> None:
        answer = self.get("backups.list", "/backups", with_token=False)
        self.expect("auth.no_token", "backups.list", answer, 401,
                    "401 unauthorized fault", answer.fault_summary())

    def backups_show(self) -> None:
        if not self.listed:
            self.record("backups.show", "200 backup of a listed id", "no backup listed to show",
                        SKIP)
            return
        backup_id = str(self.listed[0].get("id"))
        answer = self.get("backups.show", f"/backups/{backup_id}")
        shown = _inner(answer, "backup")
        extra = [] if shown is None or shown.get("id") == backup_id else [
            f"asked for {backup_id}, got {shown.get('id')!r}"]
        self.expect("backups.show", "backups.show", answer, 200,
                    f"200 {{\"backup\": {{...}}}} (responses/backup-{self.dialect})",
                    f"200, backup {backup_id} ({(shown or {}).get('status')})", extra)

    def backups_show_unknown(self) -> None:
        missing = str(uuid.uuid4())
        answer = self.get("backups.show", f"/backups/{missing}")
        self.expect("backups.show.unknown", "backups.show", answer, 404,
                    "404 itemNotFound fault", answer.fault_summary())

    def instances_show(self) -> None:
        instance = self.options.instance
        answer = self.get("instances.show", f"/instances/{instance}")
        shown = _inner(answer, "instance")
        extra = [] if shown is None or shown.get("id") == instance else [
            f"asked for {instance}, got {shown.get('id')!r}"]
        self.expect("instances.show", "instances.show", answer, 200,
                    "200 {\"instance\": {...}} (responses/instance)",
                    f"200, instance {instance} ({(shown or {}).get('status')})", extra)

    def instances_backups(self) -> None:
        instance = self.options.instance
        answer = self.get("instances.backups", f"/instances/{instance}/backups")
        body = answer.json
        items = body.get("backups") if isinstance(body, dict) else None
        extra = []
        if isinstance(items, list):
            others = [b.get("id") for b in items
                      if isinstance(b, dict) and b.get("instance_id") not in (instance, None)]
            if others:
                extra.append(f"backups of other instances listed: {others}")
        self.expect("instances.backups", "instances.backups", answer, 200,
                    f"200 {{\"backups\": [...]}} of this instance "
                    f"(responses/backup-list-{self.dialect})",
                    f"200, {len(items)} backup(s)" if isinstance(items, list) else None, extra)

    # --- write checks -------------------------------------------------------------------

    def writes(self) -> None:
        limit = NAME_LIMITS[self.dialect]
        backup_id = self.create_at_limit(limit)
        if backup_id is None:
            return
        self.create_duplicate()
        completed = self.poll_completed(backup_id)
        self.create_too_long(limit)
        if not completed:
            return
        self.delete(backup_id)
        self.poll_deleted(backup_id)

    def create(self, name: str) -> tuple[Answer, dict[str, Any] | None]:
        body = {"backup": {"name": name, "instance": self.options.instance,
                           "description": "trovemock contract check; safe to delete"}}
        answer = self.http.request("backups.create", "POST", "/backups", body)
        backup = _inner(answer, "backup")
        if answer.status is not None and 200 <= answer.status < 300 and backup:
            self.created.append(str(backup.get("id")))
        return answer, backup

    def create_at_limit(self, limit: int) -> str | None:
        answer, backup = self.create(_name(limit))
        extra = []
        if backup is not None:
            if backup.get("status") != "NEW":
                extra.append(f"status {backup.get('status')!r}, documented NEW")
            if backup.get("name") != _name(limit):
                extra.append("the name is not echoed as sent")
            if backup.get("instance_id") != self.options.instance:
                extra.append(f"instance_id {backup.get('instance_id')!r}")
        self.expect(
            "backups.create", "backups.create", answer, 202,
            f"202 backup, status NEW; a name of {limit} characters (the limit) is accepted",
            f"202, backup {(backup or {}).get('id')} ({(backup or {}).get('status')})", extra)
        backup_id = str((backup or {}).get("id"))
        return backup_id if backup_id in self.created else None

    def create_duplicate(self) -> None:
        answer, backup = self.create(_name(32))
        self.expect("backups.create.duplicate", "backups.create", answer, 422,
                    "422 unprocessableEntity fault: one running backup per instance",
                    answer.fault_summary())

    def create_too_long(self, limit: int) -> None:
        answer, _ = self.create(_name(limit + 1))
        self.expect("backups.create.name_too_long", "backups.create", answer, 400,
                    f"400 badRequest fault for a name of {limit + 1} characters",
                    answer.fault_summary())

    def poll_completed(self, backup_id: str) -> bool:
        expected = (f"status reaches COMPLETED within {self.options.timeout:g} s, with a size "
                    "and a locationRef")
        seen: list[str] = []
        answer = None

        def done() -> bool:
            nonlocal answer
            answer = self.get("backups.show", f"/backups/{backup_id}")
            status = (_inner(answer, "backup") or {}).get("status")
            if not seen or seen[-1] != status:
                seen.append(str(status))
            return answer.status != 200 or status not in RUNNING

        finished = self.wait(done)
        backup = _inner(answer, "backup") or {}
        path = " -> ".join(seen)
        problems = []
        if not finished:
            problems.append(f"still {seen[-1]} after {self.options.timeout:g} s")
        elif answer.status != 200:
            problems.append(f"GET answered {answer.fault_summary()}")
        elif backup.get("status") != "COMPLETED":
            problems.append(f"ended {backup.get('status')}")
        else:
            if not isinstance(backup.get("size"), int | float):
                problems.append(f"size {backup.get('size')!r} at COMPLETED")
            if not backup.get("locationRef"):
                problems.append(f"locationRef {backup.get('locationRef')!r} at COMPLETED")
        self.record("backups.poll.completed", expected, f"statuses seen: {path}",
                    FAIL if problems else PASS, problems)
        return finished and backup.get("status") == "COMPLETED"

    def delete(self, backup_id: str) -> None:
        answer = self.http.request("backups.delete", "DELETE", f"/backups/{backup_id}")
        self.expect("backups.delete", "backups.delete", answer, 202, "202, empty body",
                    f"{answer.status}, {answer.describe_body()}")

    def poll_deleted(self, backup_id: str) -> None:
        last: list[Answer] = []

        def gone() -> bool:
            last[:] = [self.get("backups.show", f"/backups/{backup_id}")]
            return last[0].status == 404

        finished = self.wait(gone)
        if finished:
            self.gone.add(backup_id)
        self.expect("backups.poll.deleted", "backups.show", last[0], 404,
                    f"GET answers 404 itemNotFound within {self.options.timeout:g} s",
                    last[0].fault_summary())

    def cleanup(self) -> None:
        """Delete every backup this run created that is not confirmed gone."""
        left = []
        for backup_id in [b for b in self.created if b not in self.gone]:
            if not self.remove(backup_id):
                left.append(backup_id)
        expected = "every backup the run created is deleted"
        if left:
            self.record("cleanup", expected, f"left behind: {', '.join(left)}", FAIL,
                        ["delete them by hand (DELETE /backups/<id>)"])
        else:
            count = len(self.created)
            self.record("cleanup", expected, f"{count} created, none left behind", PASS)

    def remove(self, backup_id: str) -> bool:
        def settled() -> bool:
            answer = self.get("backups.show", f"/backups/{backup_id}")
            status = (_inner(answer, "backup") or {}).get("status")
            return answer.status == 404 or status not in RUNNING

        self.wait(settled)
        answer = self.http.request("backups.delete", "DELETE", f"/backups/{backup_id}")
        if answer.status == 404:
            return True
        if answer.status is None or not 200 <= answer.status < 300:
            return False
        return self.wait(lambda: self.get("backups.show", f"/backups/{backup_id}").status == 404)

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

    # --- every response -------------------------------------------------------------------

    def every_response(self) -> None:
        problems = []
        answered = [(route, a) for route, a in self.http.answers if a.status is not None]
        for route, answer in answered:
            for problem in self.body_problems(route, answer):
                path = urlsplit(answer.url).path
                problems.append(f"{answer.method} {path} -> {answer.status}: {problem}")
        self.record("schemas.every_response",
                    "every answer matches the schema of its route and status",
                    f"{len(answered)} answers checked, {len(problems)} problem(s)",
                    FAIL if problems else PASS, problems)


def _inner(answer: Answer | None, key: str) -> dict[str, Any] | None:
    body = answer.json if answer is not None else None
    if isinstance(body, dict) and isinstance(body.get(key), dict):
        return body[key]
    return None


def _next_marker(body: Any) -> str | None:
    links = body.get("links") if isinstance(body, dict) else None
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("rel") == "next":
            values = parse_qs(urlsplit(str(link.get("href", ""))).query).get("marker")
            return values[0] if values else None
    return None


def _name(length: int) -> str:
    """A recognisable backup name of exactly `length` characters."""
    return (NAME_PREFIX + uuid.uuid4().hex + "x" * length)[:length]
