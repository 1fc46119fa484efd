"""The emulated cloud: every region's projects, their instances and backups, one lock, and
the timeline that moves statuses along the clock."""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Protocol

from trovemock.clock import Clock, ClockOutOfRange, check_time
from trovemock.config import DIALECTS, Config
from trovemock.dataplane.protocol import DataPlane
from trovemock.model.catalog import RACKSPACE_REGIONS, Datastores
from trovemock.model.entities import (
    Backup,
    BackupRequest,
    BackupStrategy,
    Configuration,
    HAGroup,
    Instance,
    Schedule,
    ScheduleRun,
)
from trovemock.model.errors import NotFound, Unserviceable
from trovemock.model.timeline import Timeline

# A timed transition ahead of a record: (due, action, its arguments, the record whose
# generation cancels it). Each rule module's `pending()` lists its records' events, used both
# when a transition starts and when an imported state is installed.
Event = tuple[datetime, Callable[..., None], tuple[Any, ...], Any]
RUNS_KEPT = 10_000  # scheduled runs remembered (oldest forgotten first)


class Project:
    """One project (tenant, account) in one region."""

    __slots__ = ("id", "region", "backups", "instances", "ha_groups")

    def __init__(self, project_id: str, region: str) -> None:
        self.id = project_id
        self.region = region
        # Ordered by last change, oldest first: lists walk it backwards (newest first).
        self.backups: OrderedDict[str, Backup] = OrderedDict()
        self.instances: dict[str, Instance] = {}
        self.ha_groups: dict[str, HAGroup] = {}


class Cloud:
    def __init__(self, dialect: str, clock: Clock, config: Config) -> None:
        if dialect not in DIALECTS:
            raise ValueError(f"dialect must be one of {DIALECTS}, not {dialect!r}")
        self.dialect = dialect
        self.clock = clock
        self.config = config
        self.lock = threading.RLock()
        self._depth = 0  # nesting of operation(); touched only while holding the lock
        self._time = clock.now()
        self.datastores = Datastores()
        # Told about every scheduled run (fault rules, journal); see model.schedules.RunHooks.
        self.run_hooks: RunHooks | None = None
        # Real servers and backups behind the records (trovemock.model.data); None: API only.
        self.dataplane: DataPlane | None = None
        if dialect == "rackspace":
            self.regions: tuple[str, ...] = RACKSPACE_REGIONS
        else:
            self.regions = (config.openstack_region,)
        before = set(vars(self))
        self.reset()
        # What `reset` creates is the cloud's contents: `adopt` moves exactly these.
        self._contents = tuple(name for name in vars(self) if name not in before)

    def reset(self) -> None:
        """Empty the cloud. Every attribute set here is contents."""
        with self.lock:
            self.projects: dict[tuple[str, str], Project] = {}
            self.backups: dict[str, Backup] = {}
            self.instances: dict[str, Instance] = {}
            self.ha_groups: dict[str, HAGroup] = {}
            self.configurations: dict[str, Configuration] = {}
            # parent id -> child ids, in creation order (a dict: dropping one is O(1))
            self.children: dict[str, dict[str, None]] = {}
            self.copies: dict[str, dict[str, str]] = {}  # origin id -> region -> backup id
            self.timeline = Timeline()
            self._order = itertools.count(1)
            self._changes = 0  # bumped whenever any list order changes
            self._list_cache: dict[tuple[str, str], tuple[int, list[Backup]]] = {}
            self.schedules: dict[str, Schedule] = {}
            self.schedule_of_source: dict[tuple[str, str], str] = {}  # (type, id) -> schedule
            self.schedule_runs: deque[ScheduleRun] = deque(maxlen=RUNS_KEPT)
            # (region, project, instance id or "" for the project) -> strategy
            self.strategies: dict[tuple[str, str, str], BackupStrategy] = {}

    # -- time -------------------------------------------------------------------------
    @contextmanager
    def operation(self) -> Iterator[datetime]:
        """Every read and write of the cloud runs inside one. It holds the lock and, on the
        outermost entry only, reads the clock once and applies every transition due by then,
        so one operation sees one consistent moment (`cloud.time`)."""
        with self.lock:
            if self._depth == 0:
                now = self.clock.now()
                try:
                    check_time(now, "the clock reads")
                except ClockOutOfRange as error:
                    raise Unserviceable(f"{error}; set the clock to a supported time.") from None
                self._time = now
                if self.dataplane is not None:  # finished server and backup jobs first
                    self._depth += 1
                    try:
                        self.dataplane.deliver()
                    finally:
                        self._depth -= 1
                self.timeline.run_until(now)
            self._depth += 1
            try:
                yield self._time
            finally:
                self._depth -= 1

    @property
    def time(self) -> datetime:
        """The time of the running operation (see `operation`)."""
        if self._depth == 0:
            raise RuntimeError("cloud.time is only defined inside cloud.operation()")
        return self._time

    @property
    def horizon(self) -> datetime:
        """The moment due events are being run up to: the operation's time, read before
        `operation` counts its depth (a scheduled run uses it to see how far behind it is)."""
        return self._time

    def catch_up(self) -> None:
        """Apply transitions that became due at `time` during this operation (a shortened
        duration, a rescheduled event)."""
        self.timeline.run_until(self.time)

    @contextmanager
    def moment(self, when: datetime) -> Iterator[None]:
        """Run model code as of `when`, a due time the operation is catching up with, so
        what it makes (a scheduled backup) carries that time, not the operation's."""
        saved = self._time
        self._time = when
        self._depth += 1  # due events run before the operation's own depth is counted
        try:
            yield
        finally:
            self._depth -= 1
            self._time = saved

    @staticmethod
    def later(when: datetime, seconds: float) -> datetime:
        return when + timedelta(seconds=seconds)

    def adopt(self, staged: Cloud) -> None:
        """Take over the contents of `staged` in one step: an import is built in a private
        cloud outside the lock, checked, and then swapped in here, inside an operation, by
        plain assignments that cannot fail half-way. List caches are dropped."""
        changes = self._changes + 1
        for name in self._contents:
            setattr(self, name, getattr(staged, name))
        self._changes = max(changes, self._changes + 1)
        self._list_cache = {}

    def schedule(self, events: list[Event]) -> None:
        for due, action, args, record in events:
            self.timeline.at(due, action, *args, record=record)

    # -- regions and projects ---------------------------------------------------------
    @property
    def default_region(self) -> str:
        if self.dialect == "rackspace":
            return self.config.default_region
        return self.regions[0]

    def region_named(self, name: str | None) -> str:
        """The canonical region for a name (any case); None means the default region."""
        if name is None:
            return self.default_region
        for region in self.regions:
            if region.lower() == name.lower():
                return region
        raise NotFound(f"Region {name} cannot be found.")

    def project(self, region: str, project_id: str) -> Project:
        key = (region, project_id)
        found = self.projects.get(key)
        if found is None:
            found = self.projects[key] = Project(project_id, region)
        return found

    def existing_project(self, region: str, project_id: str) -> Project | None:
        return self.projects.get((region, project_id))

    # -- backups bookkeeping ----------------------------------------------------------
    def store_backup(self, backup: Backup) -> None:
        backup.order = next(self._order)
        self._changes += 1
        self.backups[backup.id] = backup
        self.project(backup.region, backup.project_id).backups[backup.id] = backup
        if backup.parent_id is not None:
            self.children.setdefault(backup.parent_id, {})[backup.id] = None
        self.copies.setdefault(backup.origin_id, {})[backup.region] = backup.id

    def touch(self, backup: Backup, when: datetime) -> None:
        """Record a change: bumps `updated` and moves the backup to the head of lists."""
        backup.updated = max(when, backup.updated)
        backup.order = next(self._order)
        self._changes += 1
        self.project(backup.region, backup.project_id).backups.move_to_end(backup.id)

    def renumber(self, oldest_first: list[Backup]) -> None:
        """Put every backup's list position in the given order (all backups, oldest change
        first): seeded history placed among what is already listed."""
        for backup in oldest_first:
            backup.order = next(self._order)
        for project in self.projects.values():
            mine = sorted(project.backups.values(), key=lambda b: b.order)
            project.backups.clear()
            project.backups.update((b.id, b) for b in mine)
        self._changes += 1

    def drop_backup(self, backup: Backup) -> None:
        if self.dataplane is not None and backup.data is not None:
            self.dataplane.remove_object(backup.id)
        self._changes += 1
        del self.backups[backup.id]
        del self.project(backup.region, backup.project_id).backups[backup.id]
        self.children.pop(backup.id, None)
        if backup.parent_id is not None:
            siblings = self.children.get(backup.parent_id)
            if siblings is not None:
                siblings.pop(backup.id, None)
                if not siblings:
                    del self.children[backup.parent_id]
        regions = self.copies.get(backup.origin_id)
        if regions is not None and regions.get(backup.region) == backup.id:
            del regions[backup.region]
            if not regions:
                del self.copies[backup.origin_id]
        backup.generation += 1

    def newest_first_list(self, region: str, project_id: str) -> list[Backup]:
        """The project's backups newest first, as a list kept until the next change: walking
        a long list page by page then costs one copy, and each page is a slice."""
        key = (region, project_id)
        cached = self._list_cache.get(key)
        if cached is not None and cached[0] == self._changes:
            return cached[1]
        found = list(self.newest_first(region, project_id))
        self._list_cache = {key: (self._changes, found)}  # keep one: memory stays bounded
        return found

    def newest_first(self, region: str, project_id: str | None) -> Iterator[Backup]:
        """Backups of one project (or every project when None), most recently changed first."""
        if project_id is not None:
            project = self.existing_project(region, project_id)
            return reversed(project.backups.values()) if project else iter(())
        everyone = [p for (r, _), p in self.projects.items() if r == region]
        merged = sorted(
            (b for p in everyone for b in p.backups.values()),
            key=lambda b: b.order,
            reverse=True,
        )
        return iter(merged)


class RunHooks(Protocol):
    """What the cloud tells about scheduled runs (TroveMock wires fault rules and the journal
    here; the model knows neither)."""

    def decide(self, schedule: Schedule, due: datetime) -> tuple[str | None, str | None]:
        """(outcome, fault rule id) for this run: OUTCOME_BACKUP_FAILED, OUTCOME_RUN_SKIPPED
        or None."""
        ...

    def record(
        self,
        schedule: Schedule,
        run: ScheduleRun,
        request: BackupRequest | None,
        backup: Backup | None,
    ) -> None:
        """A run happened; `request` is what it asked `create_backup` for (None when its
        source was gone)."""
        ...
