"""The schedules, their runs and the backup strategies in an exported state
(`model/snapshot.py` calls `export_parts`, `parse_parts` and `install`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trovemock.clock import check_time, parse_time
from trovemock.model import schedules
from trovemock.model.cloud import Cloud
from trovemock.model.entities import BackupStrategy, Schedule, ScheduleRun
from trovemock.model.errors import DomainError, NotFound

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
    for n, d in _items(state, "schedules"):
        schedule = _schedule_in(cloud, d, f"schedules[{n}]")
        key = (schedule.source_type, schedule.source_id)
        if key in sources:
            raise ValueError(f"schedules[{n}]: a second schedule for {key[0]} {key[1]}")
        if schedule.id in ids:
            raise ValueError(f"schedules[{n}]: a second schedule with id {schedule.id}")
        sources.add(key)
        ids.add(schedule.id)
        parts.schedules.append(schedule)
    for n, d in _items(state, "schedule_runs"):
        parts.runs.append(_run_in(cloud, d, f"schedule_runs[{n}]"))
    for n, d in _items(state, "backup_strategies"):
        where = f"backup_strategies[{n}]"
        parts.strategies.append(
            BackupStrategy(
                project_id=_text(d, "project_id", where),
                region=_region(cloud, d, where),
                instance_id=_text(d, "instance_id", where, empty=True),
                swift_container=_text(d, "swift_container", where),
                backend=_text(d, "backend", where) if "backend" in d else "swift",
            )
        )
    return parts


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
    }
    data.update({name: getattr(r, name) for name in _RUN_TEXT})
    return data


# -- in -------------------------------------------------------------------------------------
def _items(state: dict[str, Any], key: str):
    value = state.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"state.{key} must be a list")
    for n, item in enumerate(value):
        if not isinstance(item, dict):
            raise ValueError(f"{key}[{n}] must be an object")
        yield n, item


def _text(d: dict[str, Any], key: str, where: str, *, empty: bool = False) -> str:
    value = d.get(key)
    if not isinstance(value, str) or (not value and not empty):
        raise ValueError(f"{where}.{key} must be a{'' if empty else ' non-empty'} string")
    return value


def _optional_text(d: dict[str, Any], key: str, where: str) -> str | None:
    value = d.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{where}.{key} must be a string or null")
    return value


def _whole(d: dict[str, Any], key: str, where: str) -> int:
    value = d.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where}.{key} must be a whole number")
    return value


def _time(d: dict[str, Any], key: str, where: str) -> datetime:
    try:
        when = parse_time(d.get(key))  # type: ignore[arg-type]
    except (ValueError, TypeError):
        raise ValueError(f"{where}.{key} must be an ISO 8601 time") from None
    return check_time(when, f"{where}.{key}")  # later runs are computed from it


def _optional_time(d: dict[str, Any], key: str, where: str) -> datetime | None:
    return None if d.get(key) is None else _time(d, key, where)


def _region(cloud: Cloud, d: dict[str, Any], where: str) -> str:
    try:
        return cloud.region_named(_text(d, "region", where))
    except NotFound:
        raise ValueError(f"{where}.region {d['region']!r} is not a region of this cloud") from None


def _schedule_in(cloud: Cloud, d: dict[str, Any], where: str) -> Schedule:
    source_type = _text(d, "source_type", where)
    if source_type not in schedules.SOURCE_TYPES:
        raise ValueError(f"{where}.source_type must be 'instance' or 'ha'")
    day, hour, minute = (_whole(d, k, where) for k in ("day_of_week", "hour", "minute"))
    retention = _whole(d, "full_backup_retention", where)
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
        id=_text(d, "id", where),
        project_id=_text(d, "project_id", where),
        region=_region(cloud, d, where),
        source_type=source_type,
        source_id=_text(d, "source_id", where),
        day_of_week=day,
        hour=hour,
        minute=minute,
        full_backup_retention=retention,
        copy_to=tuple(copy_to),
        created=_time(d, "created", where),
        updated=_time(d, "updated", where),
        next_run=_time(d, "next_run", where),
        last_scheduled=_optional_time(d, "last_scheduled", where),
        last_backup_id=_optional_text(d, "last_backup_id", where),
        started=started,
        fulls=list(fulls),
    )


def _run_in(cloud: Cloud, d: dict[str, Any], where: str) -> ScheduleRun:
    outcome = _text(d, "outcome", where)
    if outcome not in ("created", "skipped"):
        raise ValueError(f"{where}.outcome must be 'created' or 'skipped'")
    return ScheduleRun(
        schedule_id=_text(d, "schedule_id", where),
        project_id=_text(d, "project_id", where),
        region=_region(cloud, d, where),
        due=_time(d, "due", where),
        outcome=outcome,
        **{name: _optional_text(d, name, where) for name in _RUN_TEXT},
    )
