"""The records the cloud stores. Plain slotted dataclasses: cheap to create by the
hundred thousand, and readable from tests (`mock.backup(id).status`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

RUNNING = frozenset({"NEW", "BUILDING", "SAVING"})
RESTORABLE = frozenset({"COMPLETED", "RESTORED"})
BACKUP_STATUSES = ("NEW", "BUILDING", "COMPLETED", "FAILED", "DELETE_FAILED", "RESTORED")
# Instance statuses a seeded instance may have (what Trove shows; BACKUP is derived).
INSTANCE_STATUSES = ("ACTIVE", "BUILD", "REBOOT", "RESIZE", "SHUTDOWN", "ERROR", "BLOCKED")


@dataclass(frozen=True, slots=True)
class Datastore:
    type: str
    version: str
    version_id: str
    type_id: str


@dataclass(frozen=True, slots=True)
class Flavor:
    id: str
    name: str
    ram: int


@dataclass(frozen=True, slots=True)
class Contents:
    """What a restore brings back: database names and users (name -> granted databases)."""

    databases: tuple[str, ...] = ()
    users: tuple[tuple[str, tuple[str, ...]], ...] = ()


EMPTY_CONTENTS = Contents()


@dataclass(slots=True, eq=False)
class Backup:
    id: str
    project_id: str
    region: str
    name: str
    description: str | None
    status: str
    created: datetime
    updated: datetime
    datastore: Datastore
    instance_id: str | None
    parent_id: str | None
    contents: Contents = EMPTY_CONTENTS
    size: float | None = None
    location_ref: str | None = None
    source_type: str = "instance"  # "instance" or "ha"
    source_id: str | None = None
    flavor_ram: int | None = None
    volume_size: int | None = None
    is_automated: bool = False
    swift_container: str | None = None
    used_gb: float = 0.0  # becomes `size` at BUILDING
    outcome: str = "COMPLETED"  # how BUILDING ends: COMPLETED or FAILED
    copy_to: tuple[str, ...] = ()  # regions that receive a copy when this completes
    origin_id: str = ""  # the backup this one is a copy of (itself when original)
    schedule_id: str | None = None  # the schedule whose run (or run's copy) made it
    pinned: bool = False  # a forced status: the lifecycle no longer moves it
    new_seconds: float | None = None  # per-backup duration overrides
    building_seconds: float | None = None
    generation: int = 0  # bumped to cancel scheduled transitions
    order: int = 0  # global change counter: lists sort on it (newest change first)
    deleting: bool = False  # upstream fidelity: deleted, until the taskmanager gets to it
    # with a data plane: None (no data), "running", "done" or "failed"; the tool's reason
    data: str | None = None
    data_error: str | None = None
    awaiting_data: bool = False  # its emulated time is over; it finishes with its tool

    @property
    def is_incremental(self) -> bool:
        return self.parent_id is not None

    @property
    def running(self) -> bool:
        return self.status in RUNNING


@dataclass(frozen=True)
class Access:
    """Who may reach an instance: `is_public` gives it a public address (Trove's floating
    IP); `allowed_cidrs` the networks its security group lets in (every one when empty)."""

    is_public: bool = False
    allowed_cidrs: tuple[str, ...] = ()

    def view(self) -> dict[str, object]:
        return {"is_public": self.is_public, "allowed_cidrs": list(self.allowed_cidrs)}


@dataclass(slots=True, eq=False)
class Instance:
    id: str
    project_id: str
    region: str
    name: str
    status: str  # stored status; see Cloud.instance_status for what clients see
    created: datetime
    updated: datetime
    datastore: Datastore
    volume_size: int
    flavor_id: str
    used_gb: float
    databases: list[str] = field(default_factory=list)
    users: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ha_id: str | None = None
    running_backup: str | None = None
    generation: int = 0
    root_enabled: bool = False  # enabled and not disabled since (Trove's root history)
    service_reset: bool = False  # reset_status: the datastore status reads ERROR
    # Trove's instance fault: the message of the last refused action and when (openstack)
    fault: tuple[str, datetime] | None = None
    deleting: bool = False  # upstream fidelity: deleted, until the taskmanager gets to it
    # a resize under way: the flavor / volume size it takes when it settles (as Trove's
    # taskmanager records them once done)
    resize_flavor_id: str | None = None
    resize_volume_size: int | None = None
    # Trove's `access`, as a create or update body set it: is_public (a floating IP, a public
    # address) and allowed_cidrs; None when never given
    access: Access | None = None
    # with a data plane: its server "starting", "ready" or "failed" (None: no data plane)
    server: str | None = None
    awaiting_server: bool = False
    configuration_id: str | None = None  # the attached configuration group
    replica_of: str | None = None  # the primary this replica follows
    # a configuration change waits for a restart (Trove's RESTART_REQUIRED task)
    restart_required: bool = False  # its emulated time is over; it settles when the server does

    def contents(self) -> Contents:
        return Contents(tuple(self.databases), tuple(self.users.items()))


@dataclass(slots=True, eq=False)
class Configuration:
    """A configuration group: parameter values for one datastore version, attached to
    instances of its project."""

    id: str
    project_id: str
    region: str
    name: str
    description: str | None
    datastore: Datastore
    values: dict[str, object]
    created: datetime
    updated: datetime


@dataclass(slots=True, eq=False)
class HAGroup:
    id: str
    project_id: str
    region: str
    name: str
    status: str
    created: datetime
    updated: datetime
    datastore: Datastore
    volume_size: int
    flavor_id: str
    members: list[str]  # instance ids: the source first, then the replicas
    running_backup: str | None = None


@dataclass(slots=True, eq=False)
class Schedule:
    """A Rackspace backup schedule: one per source (an instance or an HA group). Only its
    next run is on the scheduler; each run queues the one after it."""

    id: str
    project_id: str
    region: str
    source_type: str  # "instance" or "ha"
    source_id: str
    day_of_week: int  # the full-backup day: 0 = Sunday ... 6 = Saturday, 7 = every day
    hour: int
    minute: int
    full_backup_retention: int
    copy_to: tuple[str, ...]
    created: datetime
    updated: datetime
    next_run: datetime
    last_scheduled: datetime | None = None
    last_backup_id: str | None = None
    started: bool = False  # a run has made a backup: from then on runs are daily
    fulls: list[str] = field(default_factory=list)  # its full backups, oldest first
    generation: int = 0  # bumped to cancel the queued run

    @property
    def instance_id(self) -> str | None:
        return self.source_id if self.source_type == "instance" else None


@dataclass(frozen=True, slots=True)
class ScheduleRun:
    """What one due run of a schedule did: `created` a backup, or `skipped` (why in
    `reason`: the refusal an on-demand create would have met, or a fault rule). `elided`
    stands for `runs` due runs, `due` to `until`, that a clock jump left so far behind that
    retention would have deleted their backups long before now: they were not made one by
    one (see `model.schedules.ELIDE_BEYOND`)."""

    schedule_id: str
    project_id: str
    region: str
    due: datetime
    outcome: str  # "created", "skipped" or "elided"
    kind: str | None = None  # "full" or "incremental" when created
    backup_id: str | None = None
    reason: str | None = None
    error: str | None = None  # the domain error's class name when a rule refused it
    fault_rule: str | None = None
    runs: int = 1  # the due runs this record stands for (more than 1 only when elided)
    until: datetime | None = None  # the last of them, when elided


@dataclass(slots=True, eq=False)
class BackupStrategy:
    """A Trove backup strategy: where a project's (instance_id "") or one instance's
    backups go."""

    project_id: str
    region: str
    instance_id: str
    swift_container: str
    backend: str = "swift"


@dataclass(frozen=True)
class BackupRequest:
    name: str
    description: str | None = None
    instance_id: str | None = None
    parent_id: str | None = None
    incremental: bool = False
    swift_container: str | None = None
    source_type: str | None = None  # rackspace `source.type`: "instance" or "ha"
    source_id: str | None = None
    copy_to: tuple[str, ...] | None = None
    fail: bool = False  # a fault rule asked for this backup to end FAILED
    schedule_id: str | None = None  # set by a schedule's run: the backup is automated
