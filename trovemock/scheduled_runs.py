"""Scheduled backup runs meet the test-control features: fault rules decide a run's outcome,
and each run is a journal entry of its own kind.

A run is not an HTTP request, so it is described to the fault rules as the pseudo-route
`schedules.run` (method "RUN", path `/v1.0/<project>/schedules/<id>`), and journalled with
`kind="scheduled_run"`, the equivalent `POST /backups` body as its request, and as its answer
the 202 and backup a client would have seen, or the fault the create met (a fault rule's skip
is a 503). Runs a clock jump left too far behind to matter are one `elided` entry (status
200, `{"elided": {"runs", "due", "until", "reason"}}`).
"""

from __future__ import annotations

from datetime import datetime

from trovemock.api.errors import DOMAIN_STATUS, fault_body
from trovemock.api.views import backup_view
from trovemock.exchange import (
    KIND_SCHEDULED_RUN,
    RUN_ROUTE,
    FaultDecider,
    JournalEntry,
    RequestInfo,
)
from trovemock.journal import Journal
from trovemock.model.entities import Backup, BackupRequest, Schedule, ScheduleRun

SKIPPED_BY_RULE_STATUS = 503
ELIDED_STATUS = 200  # a summary, not an answer any client saw
_STATUS_BY_NAME = {error.__name__: status for error, status in DOMAIN_STATUS.items()}


def run_path(schedule: Schedule) -> str:
    return f"/v1.0/{schedule.project_id}/schedules/{schedule.id}"


class ScheduledRuns:
    """The `model.schedules.RunHooks` of one TroveMock."""

    def __init__(self, faults: FaultDecider, journal: Journal, dialect: str) -> None:
        self.faults = faults
        self.journal = journal
        self.dialect = dialect

    def decide(self, schedule: Schedule, due: datetime) -> tuple[str | None, str | None]:
        info = RequestInfo(
            method="RUN",
            path=run_path(schedule),
            route=RUN_ROUTE,
            project_id=schedule.project_id,
            region=schedule.region,
        )
        action = self.faults.decide(info)
        if action is None:
            return None, None
        return action.outcome, action.rule_id

    def record(
        self,
        schedule: Schedule,
        run: ScheduleRun,
        request: BackupRequest | None,
        backup: Backup | None,
    ) -> None:
        journal = self.journal
        if not journal.enabled:
            return
        if backup is not None:
            status, reply = 202, {"backup": backup_view(backup, self.dialect)}
        elif run.outcome == "elided":
            status, reply = ELIDED_STATUS, {"elided": {
                "runs": run.runs, "due": run.due, "until": run.until, "reason": run.reason,
            }}
        elif run.error is not None:
            status = _STATUS_BY_NAME.get(run.error, 400)
            reply = fault_body(status, run.reason)
        else:
            status = SKIPPED_BY_RULE_STATUS
            reply = fault_body(status, run.reason)
        journal.record(
            JournalEntry(
                seq=0,
                time=run.due,
                method="RUN",
                path=run_path(schedule),
                route=RUN_ROUTE,
                project_id=schedule.project_id,
                region=schedule.region,
                query={},
                headers={},
                request_json=create_body(request) if request is not None else None,
                request_text=None,
                status=status,
                response_json=reply,
                response_headers={},
                fault_rule=run.fault_rule,
                kind=KIND_SCHEDULED_RUN,
            )
        )


def create_body(request: BackupRequest) -> dict:
    """The `POST /backups` body an on-demand client would send for the run's backup."""
    backup: dict[str, object] = {
        "name": request.name,
        "description": request.description,
        "instance": request.instance_id,
        "source": {"type": request.source_type, "id": request.source_id},
    }
    if request.parent_id is not None:
        backup["parent_id"] = request.parent_id
    if request.copy_to:
        backup["copy_to"] = list(request.copy_to)
    return {"backup": backup}
