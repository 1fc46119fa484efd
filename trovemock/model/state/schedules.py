"""The schedules, their runs and the backup strategies in an exported state
(`records` calls `export_parts`, `parse_parts` and `install`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trovemock.model import schedules
from trovemock.model.cloud import Cloud
from trovemock.model.entities import BackupStrategy, Schedule, ScheduleRun
from trovemock.model.errors import DomainError
from trovemock.model.state import readers as fields

MAX_RUNS = 10_000_000  # more due runs than the clock's whole range holds
_RUN_TEXT = ("kind", "backup_id", "reason", "error", "fault_rule")


@dataclass
class Parts:
    schedules: list[Schedule] = field(default_factory=list)
    runs: list[ScheduleRun] = field(default_factory=list)
    strategies: list[BackupStrategy] = field(default_factory=list)


def export_parts(cloud: Cloud) -> dict[str, Any]:
    return {
        "schedules": [_schedule_out(s) for s in cloud.schedules.values()],
        "schedule_runs": [_run_out(r) for r in cloud.schedule_runs],
        "backup_strategies": [
            {
                "project_id": s.project_id,
                "region": s.region,
                "instance_id": s.instance_id,
                "swift_container": s.swift_container,
                "backend": s.backend,
            }
            for s in cloud.strategies.values()
        ],
    }


def parse_parts(cloud: Cloud, state: dict[str, Any]) -> Parts:
    """Everything checked before the cloud changes; ValueError names the bad place."""
    parts = Parts()
    sources: set[tuple[str, str]] = set()
    ids: set[str] = set()
    for where, d in fields.items(state, "schedules"):
        schedule = _schedule_in(cloud, d, where)
        key = (schedule.source_type, schedule.source_id)
        if key in sources:
            raise ValueError(f"{where}: a second schedule for {key[0]} {key[1]}")
        if schedule.id in ids:
            raise ValueError(f"{where}: a second schedule with id {schedule.id}")
        sources.add(key)
        ids.add(schedule.id)
        parts.schedules.append(schedule)
    for where, d in fields.items(state, "schedule_runs"):
        parts.runs.append(_run_in(cloud, d, where))
    for where, d in fields.items(state, "backup_strategies"):
        parts.strategies.append(
            BackupStrategy(
                project_id=fields.text(d, "project_id", where),
                region=fields.region(cloud, d, where),
                instance_id=fields.need(d, "instance_id", str, where),  # "" is project-wide
                swift_container=fields.text(d, "swift_container", where),
                backend=fields.text(d, "backend", where) if "backend" in d else "swift",
            )
        )
    return parts


def check_sources(parts: Parts, contents: Cloud) -> None:
    """A schedule backs up an instance or HA group of its own project and region (one that
    is gone is allowed: the schedule stops at its next run), and lists each full once."""
    for n, schedule in enumerate(parts.schedules):
        where = f"schedules[{n}]"
        found = (contents.ha_groups if schedule.source_type == "ha" else contents.instances).get(
            schedule.source_id
        )
        if found is not None and (found.project_id, found.region) != (
            schedule.project_id,
            schedule.region,
        ):
            raise ValueError(
                f"{where}.source_id names {schedule.source_type} {schedule.source_id} of "
                f"project {found.project_id} in {found.region}, not of the schedule's project "
                f"{schedule.project_id} in {schedule.region}"
            )
        if len(set(schedule.fulls)) != len(schedule.fulls):
            raise ValueError(f"{where}.fulls lists a backup more than once")


def install(cloud: Cloud, parts: Parts) -> None:
    """Into a freshly reset cloud, inside an operation: each schedule's next run is queued."""
    for schedule in parts.schedules:
        cloud.schedules[schedule.id] = schedule
        cloud.schedule_of_source[(schedule.source_type, schedule.source_id)] = schedule.id
        schedules._queue(cloud, schedule)
    cloud.schedule_runs.extend(parts.runs)
    for strategy in parts.strategies:
        key = (strategy.region, strategy.project_id, strategy.instance_id)
        cloud.strategies[key] = strategy


# -- out ------------------------------------------------------------------------------------
def _when_out(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def _schedule_out(s: Schedule) -> dict[str, Any]:
    return {
        "id": s.id,
        "project_id": s.project_id,
        "region": s.region,
        "source_type": s.source_type,
        "source_id": s.source_id,
        "day_of_week": s.day_of_week,
        "hour": s.hour,
        "minute": s.minute,
        "full_backup_retention": s.full_backup_retention,
        "copy_to": list(s.copy_to),
        "created": _when_out(s.created),
        "updated": _when_out(s.updated),
        "next_run": _when_out(s.next_run),
        "last_scheduled": _when_out(s.last_scheduled),
        "last_backup_id": s.last_backup_id,
        "started": s.started,
        "fulls": list(s.fulls),
    }


def _run_out(r: ScheduleRun) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schedule_id": r.schedule_id,
        "project_id": r.project_id,
        "region": r.region,
        "due": _when_out(r.due),
        "outcome": r.outcome,
        "runs": r.runs,
        "until": _when_out(r.until),
    }
    data.update({name: getattr(r, name) for name in _RUN_TEXT})
    return data


# -- in -------------------------------------------------------------------------------------
def _schedule_in(cloud: Cloud, d: dict[str, Any], where: str) -> Schedule:
    source_type = fields.text(d, "source_type", where)
    if source_type not in schedules.SOURCE_TYPES:
        raise ValueError(f"{where}.source_type must be 'instance' or 'ha'")
    day, hour, minute = (fields.whole(d, k, where) for k in ("day_of_week", "hour", "minute"))
    retention = fields.whole(d, "full_backup_retention", where)
    try:
        schedules.check_timing(day, hour, minute)
        schedules.check_retention(retention)
    except DomainError as error:
        raise ValueError(f"{where}: {error}") from None
    copy_to = d.get("copy_to", [])
    fulls = d.get("fulls", [])
    for key, value in (("copy_to", copy_to), ("fulls", fulls)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{where}.{key} must be a list of strings")
    started = d.get("started", False)
    if not isinstance(started, bool):
        raise ValueError(f"{where}.started must be true or false")
    return Schedule(
        id=fields.text(d, "id", where),
        project_id=fields.text(d, "project_id", where),
        region=fields.region(cloud, d, where),
        source_type=source_type,
        source_id=fields.text(d, "source_id", where),
        day_of_week=day,
        hour=hour,
        minute=minute,
        full_backup_retention=retention,
        copy_to=tuple(copy_to),
        created=fields.when(d, "created", where),
        updated=fields.when(d, "updated", where),
        next_run=fields.when(d, "next_run", where),
        last_scheduled=fields.optional_when(d, "last_scheduled", where),
        last_backup_id=fields.optional_text(d, "last_backup_id", where),
        started=started,
        fulls=list(fulls),
    )


def _run_in(cloud: Cloud, d: dict[str, Any], where: str) -> ScheduleRun:
    outcome = fields.text(d, "outcome", where)
    if outcome not in ("created", "skipped", "elided"):
        raise ValueError(f"{where}.outcome must be 'created', 'skipped' or 'elided'")
    runs = fields.whole(d, "runs", where, optional=True)
    runs = 1 if runs is None else runs
    if not 1 <= runs <= MAX_RUNS or (runs > 1 and outcome != "elided"):
        raise ValueError(f"{where}.runs must be 1, or up to {MAX_RUNS} for an elided run")
    return ScheduleRun(
        schedule_id=fields.text(d, "schedule_id", where),
        project_id=fields.text(d, "project_id", where),
        region=fields.region(cloud, d, where),
        due=fields.when(d, "due", where),
        outcome=outcome,
        runs=runs,
        until=fields.optional_when(d, "until", where),
        **{name: fields.optional_text(d, name, where) for name in _RUN_TEXT},
    )
