"""Rackspace scheduled backups: a schedule per instance or HA group, driven by the clock.

Only a schedule's *next* run is an event on the cloud's scheduler; a run queues the one after
it, so a year of clock costs one event per run, never a scan. A run calls the same
`create_backup` as `POST /backups` (so every rule applies: one running backup per source,
quota, an available source), marked automated. Retention is applied when a scheduled full
backup completes. Every choice the documents leave open is listed in docs/rackspace.md
("Scheduled backups") and tested in tests/test_schedules_*.py.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from trovemock.exchange import OUTCOME_BACKUP_FAILED, OUTCOME_RUN_SKIPPED
from trovemock.model import backups, copies
from trovemock.model.access import Caller, visible_group, visible_instance, visible_schedule
from trovemock.model.backups import create_backup, descendants_of
from trovemock.model.cloud import Cloud
from trovemock.model.entities import Backup, BackupRequest, Schedule, ScheduleRun
from trovemock.model.errors import BadRequest, DomainError, Unprocessable

# Where the documents say scheduled backups are not offered.
UNAVAILABLE_REGIONS = ("SYD", "HKG")
# The datastore families Cloud Databases offers scheduled backups for (automated-backups.rst
# names MySQL, Percona and MariaDB versions; the datastore-version flag agrees).
DATASTORES = ("mysql", "percona", "mariadb")
DEFAULT_RETENTION = 2
MIN_RETENTION = 2  # cdbclient's help: "Set the scheduled full backup retention, minimum is 2."
EVERY_DAY = 7
# A clock jump runs a schedule's due runs one by one only for the last year (or the span its
# retention keeps, when longer): older runs would have made backups that retention deleted long
# before now, so they are summed up in one `elided` record instead of made, and a jump of a
# century costs what a jump of a year does.
ELIDE_BEYOND = timedelta(days=366)
SOURCE_TYPES = ("instance", "ha")

# What fault rules may ask of a run (see trovemock.faults): the run's backup ends FAILED, or
# the run is skipped.


log = logging.getLogger("trovemock")


# -- time -------------------------------------------------------------------------------------
def weekday(when: datetime) -> int:
    """The schedule's day numbering: 0 = Sunday ... 6 = Saturday."""
    return (when.weekday() + 1) % 7


def next_slot(after: datetime, hour: int, minute: int, day_of_week: int | None) -> datetime:
    """The first hour:minute strictly after `after`, on `day_of_week` when given (and not
    7, which is every day)."""
    slot = after.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if slot <= after:
        slot += timedelta(days=1)
    if day_of_week is not None and day_of_week != EVERY_DAY:
        slot += timedelta(days=(day_of_week - weekday(slot)) % 7)
    return slot


def following_run(schedule: Schedule, after: datetime) -> datetime:
    """Until a run has made its first (full) backup, runs wait for the full-backup day
    (release v2.23.0: "no incremental backup runs until after the first full one"); from
    then on they are daily."""
    day = None if schedule.started else schedule.day_of_week
    return next_slot(after, schedule.hour, schedule.minute, day)


def list_schedules(
    cloud: Cloud,
    caller: Caller,
    *,
    action: str | None = None,
    source_id: str | None = None,
    source_type: str | None = None,
) -> list[Schedule]:
    """The caller's schedules in its region, oldest first, with cdbclient's filters."""
    return [
        s
        for s in cloud.schedules.values()
        if s.region == caller.region
        and s.project_id == caller.project_id
        and (not action or action == "backup")
        and (not source_id or s.source_id == source_id)
        and (not source_type or s.source_type == source_type)
    ]


def is_running(cloud: Cloud, schedule: Schedule) -> bool:
    """Whether the backup of its latest run is still running."""
    backup = cloud.backups.get(schedule.last_backup_id or "")
    return backup is not None and backup.running


def runs_of(cloud: Cloud, schedule_id: str | None = None) -> list[ScheduleRun]:
    return [r for r in cloud.schedule_runs if schedule_id is None or r.schedule_id == schedule_id]


# -- writing ----------------------------------------------------------------------------------
def create_schedule(
    cloud: Cloud,
    caller: Caller,
    *,
    day_of_week: int,
    hour: int,
    minute: int,
    instance_id: str | None = None,
    source_id: str | None = None,
    source_type: str | None = None,
    full_backup_retention: int | None = None,
    copy_to: list[str] | tuple[str, ...] | str | None = None,
) -> Schedule:
    """Checks, in this order: region, timing, source (400 / 404), datastore and one schedule
    per source (422), copy regions (400). Nothing is stored unless every check passes."""
    now = cloud.time
    if caller.region in UNAVAILABLE_REGIONS:
        raise BadRequest(f"Scheduled backups are not available in region {caller.region}.")
    check_timing(day_of_week, hour, minute)
    retention = check_retention(
        DEFAULT_RETENTION if full_backup_retention is None else full_backup_retention
    )
    kind, source = _source(cloud, caller, instance_id, source_id, source_type)
    if source.datastore.type.lower() not in DATASTORES:
        raise Unprocessable(
            f"Scheduled backups are not supported for datastore {source.datastore.type} "
            f"{source.datastore.version}."
        )
    taken = cloud.schedule_of_source.get((kind, source.id))
    if taken is not None:
        word = "HA instance" if kind == "ha" else "Instance"
        raise Unprocessable(f"{word} {source.id} already has a backup schedule ({taken}).")
    regions = _checked_regions(cloud, caller, copy_to)
    schedule = Schedule(
        id=str(uuid.uuid4()),
        # An admin may schedule another project's instance: the schedule belongs to the
        # instance's project, where its runs are made and where it is listed.
        project_id=source.project_id,
        region=caller.region,
        source_type=kind,
        source_id=source.id,
        day_of_week=day_of_week,
        hour=hour,
        minute=minute,
        full_backup_retention=retention,
        copy_to=regions,
        created=now,
        updated=now,
        next_run=now,
    )
    schedule.next_run = following_run(schedule, now)
    cloud.schedules[schedule.id] = schedule
    cloud.schedule_of_source[(kind, source.id)] = schedule.id
    _queue(cloud, schedule)
    return schedule


KEEP = object()  # "leave unchanged" for update_schedule's copy_to


def update_schedule(
    cloud: Cloud,
    caller: Caller,
    schedule_id: str,
    *,
    day_of_week: int | None = None,
    hour: int | None = None,
    minute: int | None = None,
    full_backup_retention: int | None = None,
    copy_to: object = KEEP,
    run_now: bool = False,
    source_check: dict[str, str | None] | None = None,
) -> Schedule:
    """Change the timing, retention or copy regions; `run_now` moves the next run to now
    (it happens when the cloud is next looked at, not during this call). `source_check`
    holds instance_id / source_id / source_type as sent: a different source is refused."""
    now = cloud.time
    schedule = visible_schedule(cloud, caller, schedule_id)
    _check_same_source(schedule, source_check or {})
    new_day = schedule.day_of_week if day_of_week is None else day_of_week
    new_hour = schedule.hour if hour is None else hour
    new_minute = schedule.minute if minute is None else minute
    check_timing(new_day, new_hour, new_minute)
    retention = (
        schedule.full_backup_retention
        if full_backup_retention is None
        else check_retention(full_backup_retention)
    )
    regions = schedule.copy_to
    if copy_to is not KEEP:
        regions = _checked_regions(cloud, caller, copy_to)
    retime = (new_day, new_hour, new_minute) != (
        schedule.day_of_week,
        schedule.hour,
        schedule.minute,
    )
    schedule.day_of_week, schedule.hour, schedule.minute = new_day, new_hour, new_minute
    schedule.copy_to = regions
    shrink = retention < schedule.full_backup_retention
    schedule.full_backup_retention = retention
    schedule.updated = now
    if run_now or retime:
        schedule.next_run = now if run_now else following_run(schedule, now)
        schedule.generation += 1  # the queued run is void
        _queue(cloud, schedule)
    if shrink:
        prune(cloud, schedule)
    return schedule


def delete_schedule(cloud: Cloud, caller: Caller, schedule_id: str) -> None:
    """The schedule stops; the backups it made stay (as backups outlive their instance)."""
    drop(cloud, visible_schedule(cloud, caller, schedule_id))


def drop(cloud: Cloud, schedule: Schedule) -> None:
    schedule.generation += 1
    cloud.schedules.pop(schedule.id, None)
    if cloud.schedule_of_source.get((schedule.source_type, schedule.source_id)) == schedule.id:
        del cloud.schedule_of_source[(schedule.source_type, schedule.source_id)]


def has_schedule(cloud: Cloud, source_type: str, source_id: str) -> bool:
    """Whether an instance (or HA group) is backed up on a schedule: its document shows it as
    ``"schedule": {"enabled": ...}``."""
    return (source_type, source_id) in cloud.schedule_of_source


def forget_source(cloud: Cloud, source_type: str, source_id: str) -> None:
    """Its instance (or HA group) is gone: the schedule stops and disappears."""
    schedule_id = cloud.schedule_of_source.get((source_type, source_id))
    if schedule_id is not None:
        drop(cloud, cloud.schedules[schedule_id])


# -- checks -----------------------------------------------------------------------------------
def check_timing(day_of_week: object, hour: object, minute: object) -> None:
    for name, value, top in (("day_of_week", day_of_week, 7), ("hour", hour, 23),
                             ("minute", minute, 59)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            raise BadRequest(f"{name} must be a whole number from 0 to {top}, not {value!r}.")


def check_retention(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < MIN_RETENTION:
        raise BadRequest(
            f"full_backup_retention must be a whole number of at least {MIN_RETENTION}, "
            f"not {value!r}."
        )
    return value


def copy_regions(value: object) -> list[str] | None:
    """`copy_to` as sent: a list, a comma string (cdb-cli's update sends it raw), or None.
    An empty string or list means no copies."""
    if value is None:
        return None
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple):
        return list(value)
    raise BadRequest("copy_to must be a list of regions or a comma-separated string.")


def _checked_regions(cloud: Cloud, caller: Caller, copy_to: object) -> tuple[str, ...]:
    regions = copy_regions(copy_to)
    return copies.check_regions(cloud, caller.region, regions) if regions else ()


def _source(
    cloud: Cloud,
    caller: Caller,
    instance_id: str | None,
    source_id: str | None,
    source_type: str | None,
):
    kind = source_type or "instance"
    if kind not in SOURCE_TYPES:
        raise BadRequest(f"source_type must be 'instance' or 'ha', not {source_type!r}.")
    if kind == "ha":
        if instance_id:
            raise BadRequest("instance_id must be empty for a schedule of an HA instance.")
        if not source_id:
            raise BadRequest("source_id is required when source_type is 'ha'.")
        return kind, visible_group(cloud, caller, source_id)
    if instance_id and source_id and instance_id != source_id:
        raise BadRequest("instance_id and source_id name different instances.")
    wanted = instance_id or source_id
    if not wanted:
        raise BadRequest("instance_id (or source_id) is required.")
    return kind, visible_instance(cloud, caller, wanted)


def _check_same_source(schedule: Schedule, sent: dict[str, str | None]) -> None:
    expected = {
        "instance_id": schedule.instance_id,
        "source_id": schedule.source_id,
        "source_type": schedule.source_type,
    }
    for name, value in sent.items():
        if value is not None and value != expected[name]:
            raise BadRequest(
                f"{name} of a schedule cannot be changed; delete the schedule and create "
                "another."
            )


# -- runs -------------------------------------------------------------------------------------
def _queue(cloud: Cloud, schedule: Schedule) -> None:
    cloud.timeline.at(schedule.next_run, _run, cloud, schedule, schedule.generation)


def _run(due: datetime, cloud: Cloud, schedule: Schedule, generation: int) -> None:
    if schedule.generation != generation or cloud.schedules.get(schedule.id) is not schedule:
        return
    previous = schedule.last_scheduled
    schedule.last_scheduled = due
    source = _source_of(cloud, schedule)
    if source is None:  # its instance or HA group vanished: the schedule stops
        drop(cloud, schedule)
        reason = (f"The {schedule.source_type} {schedule.source_id} no longer exists; "
                  "the schedule was deleted.")
        run = _record(schedule, due, "skipped", reason=reason, error="NotFound")
        _remember(cloud, schedule, run, None, None)
        return
    resume = _resume_after_jump(cloud, schedule, due, previous)
    if resume is not None:
        _elide(cloud, schedule, due, resume)
        return
    with cloud.moment(due):
        run, request, backup = _attempt(cloud, schedule, due)
    # Never a slot that already ran: after the clock was set back, a run (run_now) at an
    # earlier time is followed by the first slot after the latest one run.
    schedule.next_run = following_run(schedule, max(due, previous) if previous else due)
    _queue(cloud, schedule)
    _remember(cloud, schedule, run, request, backup)


def _slot_step(schedule: Schedule) -> timedelta:
    """Time between two runs: a day once started (or with a full every day), else a week."""
    return timedelta(days=1 if schedule.started or schedule.day_of_week == EVERY_DAY else 7)


def _resume_after_jump(
    cloud: Cloud, schedule: Schedule, due: datetime, previous: datetime | None
) -> datetime | None:
    """The first slot worth running when `due` lies further behind the clock than what
    retention could still keep (at least `ELIDE_BEYOND`); None when `due` should run."""
    full_every = timedelta(days=1 if schedule.day_of_week == EVERY_DAY else 7)
    keeps = full_every * (schedule.full_backup_retention + 2)
    cutoff = cloud.horizon - max(keeps, ELIDE_BEYOND)
    if due >= cutoff or (previous is not None and previous >= cutoff):
        return None
    resume = following_run(schedule, cutoff)
    return resume if resume > due else None


def _elide(cloud: Cloud, schedule: Schedule, due: datetime, resume: datetime) -> None:
    step = _slot_step(schedule)
    count = (resume - due) // step
    last = resume - step
    retention = schedule.full_backup_retention
    run = ScheduleRun(
        schedule_id=schedule.id,
        project_id=schedule.project_id,
        region=schedule.region,
        due=due,
        outcome="elided",
        reason=(
            f"{count} runs due from {due:%Y-%m-%dT%H:%M:%S} to {last:%Y-%m-%dT%H:%M:%S} were "
            f"not made one by one: the clock jumped past them, and retention "
            f"({retention} full backups) would have deleted their backups long before now."
        ),
        runs=count,
        until=last,
    )
    schedule.last_scheduled = last
    schedule.next_run = resume
    _queue(cloud, schedule)
    _remember(cloud, schedule, run, None, None)


def _remember(
    cloud: Cloud,
    schedule: Schedule,
    run: ScheduleRun,
    request: BackupRequest | None,
    backup: Backup | None,
) -> None:
    cloud.schedule_runs.append(run)
    if cloud.run_hooks is not None:
        cloud.run_hooks.record(schedule, run, request, backup)


def _source_of(cloud: Cloud, schedule: Schedule):
    if schedule.source_type == "ha":
        return cloud.ha_groups.get(schedule.source_id)
    return cloud.instances.get(schedule.source_id)


def _attempt(
    cloud: Cloud, schedule: Schedule, due: datetime
) -> tuple[ScheduleRun, BackupRequest, Backup | None]:
    """Make the run's backup, or say why not."""
    outcome, rule_id = (None, None)
    if cloud.run_hooks is not None:
        outcome, rule_id = cloud.run_hooks.decide(schedule, due)
    kind, parent_id = _plan(cloud, schedule, due)
    request = _request(schedule, due, kind, parent_id, fail=outcome == OUTCOME_BACKUP_FAILED)
    if outcome == OUTCOME_RUN_SKIPPED:
        reason = f"The run was skipped by fault rule {rule_id}."
        return _record(schedule, due, "skipped", reason=reason, fault_rule=rule_id), request, None
    caller = Caller(project_id=schedule.project_id, region=schedule.region)
    try:
        backup = create_backup(cloud, caller, request)
    except DomainError as error:
        run = _record(schedule, due, "skipped", reason=str(error),
                      error=type(error).__name__, fault_rule=rule_id)
        return run, request, None
    except Exception as error:  # noqa: BLE001 - a run ends recorded, never in another request
        log.exception("scheduled run of %s at %s failed", schedule.id, due)
        run = _record(schedule, due, "skipped", reason=f"The run failed in the emulator: {error!r}",
                      error=type(error).__name__, fault_rule=rule_id)
        return run, request, None
    schedule.started = True
    schedule.last_backup_id = backup.id
    if kind == "full":
        schedule.fulls.append(backup.id)
    run = _record(schedule, due, "created", kind=kind, backup_id=backup.id, fault_rule=rule_id)
    return run, request, backup


def _record(
    schedule: Schedule,
    due: datetime,
    outcome: str,
    *,
    kind: str | None = None,
    backup_id: str | None = None,
    reason: str | None = None,
    error: str | None = None,
    fault_rule: str | None = None,
) -> ScheduleRun:
    return ScheduleRun(
        schedule_id=schedule.id,
        project_id=schedule.project_id,
        region=schedule.region,
        due=due,
        outcome=outcome,
        kind=kind,
        backup_id=backup_id,
        reason=reason,
        error=error,
        fault_rule=fault_rule,
    )


def _plan(cloud: Cloud, schedule: Schedule, due: datetime) -> tuple[str, str | None]:
    """Full on the full-backup day (every day with 7); otherwise an incremental on the tip of
    the newest completed full's chain, or a full when there is no such chain or the tip has
    no copy yet in a region the backup must be copied to."""
    if schedule.day_of_week in (EVERY_DAY, weekday(due)):
        return "full", None
    tip = _chain_tip(cloud, schedule)
    if tip is None:
        return "full", None
    if any(copies.copy_in(cloud, tip, region) is None for region in schedule.copy_to):
        return "full", None
    return "incremental", tip.id


def _chain_tip(cloud: Cloud, schedule: Schedule) -> Backup | None:
    node = None
    for backup_id in reversed(schedule.fulls):
        found = cloud.backups.get(backup_id)
        if found is not None and found.status == "COMPLETED":
            node = found
            break
    while node is not None:
        after = [
            child
            for child in (cloud.backups[c] for c in cloud.children.get(node.id, ()))
            if child.schedule_id == schedule.id and child.status == "COMPLETED"
        ]
        if not after:
            return node
        node = max(after, key=lambda b: (b.created, b.order))
    return None


def _request(
    schedule: Schedule, due: datetime, kind: str, parent_id: str | None, *, fail: bool
) -> BackupRequest:
    return BackupRequest(
        name=f"Automated {kind} backup {due:%Y-%m-%d %H:%M}",
        description=f"Made by schedule {schedule.id}.",
        instance_id=schedule.instance_id,
        parent_id=parent_id,
        source_type=schedule.source_type,
        source_id=schedule.source_id,
        copy_to=schedule.copy_to or None,
        fail=fail,
        schedule_id=schedule.id,
    )


# -- retention --------------------------------------------------------------------------------
def after_final(cloud: Cloud, backup: Backup) -> None:
    """A scheduled backup reached a final status: a completed full may retire old ones."""
    schedule = cloud.schedules.get(backup.schedule_id or "")
    if (
        schedule is not None
        and backup.status == "COMPLETED"
        and backup.parent_id is None
        and backup.region == schedule.region
    ):
        prune(cloud, schedule)


def prune(cloud: Cloud, schedule: Schedule) -> None:
    """Keep the newest `full_backup_retention` COMPLETED full backups of the schedule; every
    older full it made (completed or failed) goes, with its incrementals and the copies the
    schedule made of them. A chain holding a backup the schedule did not make (an on-demand
    incremental on an automated one) or a running backup is kept."""
    live = [b for b in (cloud.backups.get(i) for i in schedule.fulls) if b is not None]
    completed = [b for b in live if b.status == "COMPLETED"]
    keep_from = (
        completed[-schedule.full_backup_retention]
        if len(completed) > schedule.full_backup_retention
        else None
    )
    kept: list[str] = []
    retiring = keep_from is not None
    for full in live:
        if full is keep_from:
            retiring = False
        if not (retiring and _delete_tree(cloud, schedule, full)):
            kept.append(full.id)
    schedule.fulls = kept


def _delete_tree(cloud: Cloud, schedule: Schedule, full: Backup) -> bool:
    """Delete `full`, its descendants and the schedule's copies of them in other regions,
    all or nothing per region. True when `full` itself went."""
    roots = [full] + [
        copy
        for region in schedule.copy_to
        if (copy := copies.copy_in(cloud, full, region)) is not None
        and copy.schedule_id == schedule.id
    ]
    gone = False
    for root in roots:
        members = [root, *descendants_of(cloud, root.id)]
        if any(m.running or m.schedule_id != schedule.id for m in members):
            continue
        for member in reversed(members):
            cloud.drop_backup(member)
        gone = gone or root is full
    return gone


backups.FINAL_LISTENERS.append(after_final)
