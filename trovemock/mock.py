"""`TroveMock`: one emulated cloud, usable as a WSGI application and from Python."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from werkzeug.wrappers import Request

from trovemock.api.pipeline import guarded, wsgi
from trovemock.api.spec import ROUTES_BY_NAME
from trovemock.checks import Fields
from trovemock.clock import Clock, ManualClock, parse_time
from trovemock.config import Config
from trovemock.control import app as control
from trovemock.control.guard import CONTROL_PREFIX, ControlGuard
from trovemock.control.revision import Revision
from trovemock.dataplane import open_dataplane
from trovemock.dataplane.protocol import DataError, Endpoint, UserSpec
from trovemock.exchange import RUN_ROUTE, InternalErrors
from trovemock.faults import FaultRules
from trovemock.identity import keystone
from trovemock.identity.accounts import Accounts
from trovemock.journal import Journal
from trovemock.model import backups as backup_ops
from trovemock.model import data, history
from trovemock.model import ha as ha_rules
from trovemock.model import schedules as schedule_ops
from trovemock.model import strategies as strategy_ops
from trovemock.model.access import Caller, instance_status
from trovemock.model.catalog import FLAVORS
from trovemock.model.cloud import Cloud
from trovemock.model.entities import (
    INSTANCE_STATUSES,
    Backup,
    BackupRequest,
    BackupStrategy,
    Contents,
    Datastore,
    HAGroup,
    Instance,
    Schedule,
    ScheduleRun,
)
from trovemock.model.errors import DomainError
from trovemock.model.instances import store_instance
from trovemock.model.state import records as state_records
from trovemock.scheduled_runs import ScheduledRuns
from trovemock.tokens import TokenRegistry

UUID_LENGTH = 36

# Where each face of the emulator answers (the Trove API takes every other path).
MOUNTS = (
    (CONTROL_PREFIX, control.handle),
    ("/v3", keystone.handle),
    ("/v2.0", keystone.handle),
    ("/auth/v1.0", keystone.handle),
)

# Where each face of the emulator answers (the Trove API takes every other path).
MOUNTS = (
    (CONTROL_PREFIX, control.handle),
    ("/v3", keystone.handle),
    ("/v2.0", keystone.handle),
    ("/auth/v1.0", keystone.handle),
)


class TroveMock:
    """An emulated Trove / Rackspace Cloud Databases cloud.

    Call it as a WSGI app (`werkzeug.test.Client(mock)`, any WSGI server), seed it with
    `add_instance`, move time with `mock.clock`, and read state back for assertions.
    """

    def __init__(
        self,
        dialect: str = "openstack",
        clock: Clock | None = None,
        config: Config | None = None,
        *,
        fidelity: str | None = None,
        dataplane: str | Any | None = None,
    ) -> None:
        """`fidelity="upstream"` reproduces Trove 26.0.0 bug-for-bug where the default
        ("documented") deliberately differs (trovemock/fidelity.py).

        `dataplane="servers"` (or a `trovemock.dataplane.servers.Settings`) backs every
        instance with a real database server and every backup with a real backup; call
        `close()` (or use the mock as a context manager) to stop them."""
        self.clock = clock if clock is not None else ManualClock()
        self.config = config if config is not None else Config()
        if fidelity is not None:
            self.config.update({"fidelity": fidelity})
        self.cloud = Cloud(dialect, self.clock, self.config)
        self.tokens = TokenRegistry()
        self.accounts = Accounts()  # identity's users
        self.faults = FaultRules(config=self.config)
        self.journal = Journal(config=self.config, routes=(*ROUTES_BY_NAME, RUN_ROUTE))
        self.cloud.run_hooks = ScheduledRuns(self.faults, self.journal, dialect)
        # Who may use the control API (/_trovemock/): see trovemock.control.guard.
        self.control_guard = ControlGuard()
        # Moves on every request but the control API's reads (trovemock.control.revision).
        self.revision = Revision()
        # Unexpected exceptions answered with a 500 (emulator bugs, never fault rules): the
        # pytest plugin fails the test that met one. reset() keeps them.
        self.internal_errors = InternalErrors()
        self.dataplane: Any = None
        if dataplane is not None and dataplane != "none":
            self.dataplane = open_dataplane(dataplane)
            self.cloud.dataplane = self.dataplane
            if isinstance(self.clock, ManualClock):
                self.clock.before_move.append(self.dataplane.settle)

    # -- data plane -------------------------------------------------------------------------
    def close(self) -> None:
        """Stop every server the data plane started and remove its files (no-op without a
        data plane). The mock must not be used afterwards."""
        if self.dataplane is not None:
            if isinstance(self.clock, ManualClock) and self.dataplane.settle in \
                    self.clock.before_move:
                self.clock.before_move.remove(self.dataplane.settle)
            self.dataplane.close()

    def __enter__(self) -> TroveMock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _plane(self) -> Any:
        if self.dataplane is None:
            raise ValueError("this mock has no data plane: TroveMock(dataplane=\"servers\")")
        return self.dataplane

    def _no_dataplane(self, what: str) -> None:
        if self.dataplane is not None:
            raise ValueError(f"a state cannot be {what} into a cloud with a data plane: it "
                             "would name servers and backup objects that do not exist")

    def dataplane_status(self) -> dict[str, Any]:
        """Whether a data plane runs; its engines (version, or why one cannot run), its
        servers by instance id, and its backup objects by backup id."""
        plane = self.dataplane
        if plane is None:
            return {"enabled": False}
        engines = {}
        for name, engine in plane.engines.items():
            reason = engine.missing()
            engines[name] = ({"available": False, "reason": reason} if reason else
                             {"available": True, "version": engine.version()})
        servers = {iid: plane.server_info(iid) for iid in list(plane.servers)}
        objects = {bid: plane.backup_info(bid) for bid in list(plane.made)}
        return {"enabled": True, "directory": str(plane.root), "engines": engines,
                "servers": servers, "objects": objects}

    def wait_for_data(self, timeout: float | None = None) -> None:
        """Wait until the data plane's running jobs (server starts, backups, restores) are
        done, and take in their results. The manual clock does this by itself on every
        move; with the system clock, call it before asserting on statuses."""
        self._plane().settle(timeout)
        with self.cloud.operation():
            pass

    def endpoint(self, instance_id: str) -> Endpoint:
        """Where the instance's server listens, with an admin account (os_admin, left out of
        the API's user lists as Trove leaves it out) that may do anything. Waits for a
        server that is still starting; DataError when it failed or is gone."""
        plane = self._plane()
        with self.cloud.operation():
            instance = self.cloud.instances.get(instance_id) or self.instance(instance_id)
        if instance.server == "starting":  # e.g. just created, with the system clock
            self.wait_for_data()
        return plane.admin_endpoint(instance_id)

    def connect(self, instance_id: str, database: str | None = None, *,
                user: str | None = None, password: str | None = None) -> Any:
        """A DB-API connection to the instance's server over TCP (pymysql for MariaDB,
        psycopg2 for PostgreSQL): as `user` with `password`, else as `endpoint()`'s."""
        point = self.endpoint(instance_id)
        return self.dataplane.connect(instance_id, user or point.user,
                                      password if user else point.password, database)

    def backup_object(self, backup_id: str) -> dict[str, Any]:
        """The backup's object: `location`, `path` on disk, `checksum` (MD5), `size_bytes`
        and Trove's `meta` (lsn or WAL positions, parent location and checksum); or
        `{"error": reason}` when its tool failed. KeyError when it holds no data."""
        plane = self._plane()
        self.backup(backup_id)
        info = plane.backup_info(backup_id)
        if info is None:
            raise KeyError(f"backup {backup_id} holds no data object")
        return cast(dict[str, Any], info)

    def corrupt_backup(self, backup_id: str, how: str = "flip") -> None:
        """A fault in the data: "flip" a byte of the backup's object (a restore then gets
        409), "truncate" it, or "delete" it (404)."""
        self._plane().corrupt(backup_id, how)

    def fail_next_backup(self, reason: str = "the backup tool failed (fault injected)") -> None:
        """The next backup's tool run fails: the backup ends FAILED with `reason`."""
        self._plane().fail_next_backup = reason

    # -- WSGI -----------------------------------------------------------------------------
    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        return self._serve(environ, start_response, None)

    def _serve(self, environ: dict, start_response, region: str | None) -> Iterable[bytes]:
        """The mount table: the control API and identity by their path prefixes, everything
        else (version discovery and the Trove API) by the Trove pipeline."""
        path = environ.get("PATH_INFO", "")
        reading = environ.get("REQUEST_METHOD") in ("GET", "HEAD") and (
            path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")
        )
        try:
            for prefix, face in MOUNTS:
                if path == prefix or path.startswith(prefix + "/"):
                    return guarded(face, self, Request(environ))(environ, start_response)
            return wsgi(self, environ, start_response, region)
        finally:
            if not reading:  # counted once answered, so a poll never sees half a change
                self.revision.bump()

    def region(self, name: str) -> RegionApp:
        """A WSGI app whose unprefixed `/v1.0/...` URLs address region `name`."""
        return RegionApp(self, self.cloud.region_named(name))

    # -- facts ----------------------------------------------------------------------------
    @property
    def dialect(self) -> str:
        return self.cloud.dialect

    @property
    def regions(self) -> tuple[str, ...]:
        return self.cloud.regions

    @property
    def default_region(self) -> str:
        return self.cloud.default_region

    # -- seeding --------------------------------------------------------------------------
    def add_instance(
        self,
        project_id: str,
        *,
        id: str | None = None,  # noqa: A002 - the API's own word
        name: str | None = None,
        status: str = "ACTIVE",
        datastore: tuple[str, str] | dict[str, str] = ("mysql", "5.7"),
        volume_size: int = 2,
        flavor_id: str = "1",
        region: str | None = None,
        databases: Iterable[str] = (),
        users: Iterable[str] | dict[str, Iterable[str]] = (),
        used_gb: float | None = None,
        passwords: dict[str, str] | None = None,
    ) -> Instance:
        """Seed an instance. `users` is a list of names or a mapping name -> databases.
        A status of BUILD moves to ACTIVE after `config.instance_build_seconds`.

        With a data plane, its server is started (databases and users created, each user
        with its password from `passwords`) before this returns; DataError if it fails."""
        instance_id = _uuid_arg(id, "id")
        given = Fields(
            {"project_id": project_id, "status": status, "flavor_id": str(flavor_id),
             "volume_size": volume_size},
        )
        given.text("project_id")
        given.one_of("status", INSTANCE_STATUSES)
        given.one_of("flavor_id", tuple(FLAVORS))
        given.whole("volume_size", low=1)
        with self.cloud.operation() as now:
            if instance_id in self.cloud.instances:
                raise ValueError(f"an instance with id {instance_id} already exists")
            instance = store_instance(
                self.cloud,
                instance_id=instance_id,
                project_id=project_id,
                region=self.cloud.region_named(region),
                name=name or f"instance-{instance_id[:8]}",
                status=status,
                datastore=self._datastore(datastore),
                volume_size=volume_size,
                flavor_id=str(flavor_id),
                used_gb=float(used_gb if used_gb is not None else self.config.default_used_gb),
                contents=_contents(databases, users),
                when=now,
                ends_in="ACTIVE" if status == "BUILD" else None,
            )
            if self.dataplane is not None:
                secrets = passwords or {}
                seeded = tuple(UserSpec(name, secrets.get(name, ""), "%", granted)
                               for name, granted in instance.users.items())
                data.start_server(self.cloud, instance, tuple(instance.databases), seeded)
        if self.dataplane is not None:
            self.wait_for_data()
            if instance.server == "failed":
                raise DataError(instance.fault[0] if instance.fault else "server failed")
        return instance

    def add_ha_group(
        self,
        project_id: str,
        *,
        id: str | None = None,  # noqa: A002
        name: str | None = None,
        region: str | None = None,
        replicas: int = 2,
        datastore: tuple[str, str] | dict[str, str] = ("mysql", "5.6"),
        volume_size: int = 2,
        flavor_id: str = "1",
        databases: Iterable[str] = (),
        users: Iterable[str] | dict[str, Iterable[str]] = (),
    ) -> HAGroup:
        """Seed an HA group: a source instance and `replicas` replicas (rackspace)."""
        if self.dialect != "rackspace":
            raise ValueError("HA groups exist only in the rackspace dialect")
        if not isinstance(replicas, int) or replicas < 1:
            raise ValueError("replicas must be >= 1")
        group_id = _uuid_arg(id, "id")
        with self.cloud.operation():
            if group_id in self.cloud.ha_groups:
                raise ValueError(f"an HA group with id {group_id} already exists")
            region_name = self.cloud.region_named(region)
            members = [
                self.add_instance(
                    project_id,
                    name=f"{name or 'ha'}-{'source' if n == 0 else f'replica-{n}'}",
                    datastore=datastore,
                    volume_size=volume_size,
                    flavor_id=flavor_id,
                    region=region_name,
                    databases=databases,
                    users=users,
                )
                for n in range(replicas + 1)
            ]
            return ha_rules.create_group(
                self.cloud,
                group_id=group_id,
                project_id=project_id,
                region=region_name,
                name=name or f"ha-{group_id[:8]}",
                members=members,
                volume_size=volume_size,
                flavor_id=str(flavor_id),
            )

    def add_backup(
        self,
        project_id: str,
        *,
        instance_id: str,
        name: str | None = None,
        description: str | None = None,
        created: datetime | str | None = None,
        updated: datetime | str | None = None,
        status: str = "COMPLETED",
        parent_id: str | None = None,
        size: float | None = None,
        region: str | None = None,
    ) -> Backup:
        """Seed a backup of `instance_id` made at `created` (default: now; never in the
        future) that reached `status` at `updated` (default: `created`), as `POST /backups`
        would have made it then: the same checks (the instance, `parent_id` for an
        incremental, one running backup per instance, the quota), a refusal being a
        ValueError with the API's message. `size` in GB (default: the instance's used
        space). Lists place it by `updated`, as they place every backup."""
        given = Fields({"name": name, "description": description})
        given.text("name", required=False)
        given.text("description", required=False)
        if size is not None and (isinstance(size, bool) or not isinstance(size, int | float)):
            raise ValueError(f"size must be a number of GB, not {size!r}")
        with self.cloud.operation() as now:
            when = parse_time(created) if created is not None else now
            changed = parse_time(updated) if updated is not None else when
            caller = Caller(project_id, self.cloud.region_named(region))
            request = BackupRequest(
                name=name if name is not None else f"backup {when:%Y-%m-%d %H:%M}",
                description=description,
                instance_id=instance_id,
                parent_id=parent_id,
            )
            try:
                return history.add_backup(self.cloud, caller, request, created=when,
                                          updated=changed, status=status, size=size)
            except DomainError as error:
                raise ValueError(str(error)) from None

    def add_datastore_version(self, kind: str, version: str) -> Datastore:
        """Register a datastore version the API then lists and accepts (as an operator's
        `trove-manage datastore_version_update` does); registering a known one changes
        nothing. The API itself never adds one: an unknown version is Trove's 400."""
        return self._datastore((kind, version))

    def add_token(
        self,
        token: str,
        project_id: str | None = None,
        roles: Iterable[str] = (),
        *,
        keep_on_reset: bool = False,
    ) -> None:
        """Register a token: bound to `project_id` (None: any project), with `roles`
        ("admin" unlocks the admin-only list filters). Unregistered tokens are accepted
        as members of the URL's project. `keep_on_reset` tokens survive `reset()` (the
        server's `--admin-token`)."""
        if isinstance(roles, str):
            raise ValueError("roles must be a list of role names, not a string")
        self.tokens.register(token, project_id, roles, kept=keep_on_reset)

    def reset(self) -> None:
        """An empty cloud again; the clock, config and identity users are kept; faults,
        journal and every token but `keep_on_reset` ones (identity's included) cleared.
        With a data plane, every server is stopped and every object removed."""
        if self.dataplane is not None:
            self.dataplane.reset()
        with self.cloud.lock:  # one step for the Trove API and identity alike
            self.cloud.reset()
            self.tokens.reset()
        self.faults.clear()
        self.journal.clear()

    # -- reading --------------------------------------------------------------------------
    def backup(self, backup_id: str) -> Backup:
        with self.cloud.operation():
            return self.cloud.backups[backup_id]

    def backups(self, project_id: str | None = None, region: str | None = None) -> list[Backup]:
        """Backups newest first (most recently changed first, as the API lists them)."""
        with self.cloud.operation():
            regions = [self.cloud.region_named(region)] if region else self.cloud.regions
            found = [b for r in regions for b in self.cloud.newest_first(r, project_id)]
            return sorted(found, key=lambda b: b.order, reverse=True)

    def instance(self, instance_id: str) -> Instance:
        with self.cloud.operation():
            return self.cloud.instances[instance_id]

    def instances(self, project_id: str | None = None, region: str | None = None) -> list[Instance]:
        with self.cloud.operation():
            wanted = self.cloud.region_named(region) if region else None
            return [
                i
                for i in self.cloud.instances.values()
                if (project_id is None or i.project_id == project_id)
                and (wanted is None or i.region == wanted)
            ]

    def instance_status(self, instance_id: str) -> str:
        """The status clients see (BACKUP while one of its backups runs)."""
        with self.cloud.operation():
            return instance_status(self.cloud, self.cloud.instances[instance_id])

    def ha_group(self, ha_id: str) -> HAGroup:
        with self.cloud.operation():
            return self.cloud.ha_groups[ha_id]

    def ha_status(self, ha_id: str) -> str:
        with self.cloud.operation():
            return instance_status(self.cloud, self.cloud.ha_groups[ha_id])

    def next_due(self) -> datetime | None:
        """When the next pending transition or scheduled run is due (None: nothing pending):
        `mock.clock.set(mock.next_due())` moves straight to it."""
        with self.cloud.operation():
            return self.cloud.timeline.next_due()

    # -- forcing --------------------------------------------------------------------------
    def set_status(self, backup_id: str, status: str) -> Backup:
        """Force a status now (NEW, BUILDING, COMPLETED, FAILED, DELETE_FAILED, RESTORED);
        the backup stays there until forced again. Anything else is a ValueError."""
        with self.cloud.operation():
            return backup_ops.force_status(self.cloud, backup_id, status)

    def complete(self, backup_id: str) -> Backup:
        return self.set_status(backup_id, "COMPLETED")

    def fail(self, backup_id: str) -> Backup:
        return self.set_status(backup_id, "FAILED")

    def set_backup_durations(
        self,
        backup_id: str,
        new_seconds: float | None = None,
        building_seconds: float | None = None,
    ) -> Backup:
        """Override how long this backup stays NEW and BUILDING (from its creation)."""
        with self.cloud.operation():
            return backup_ops.set_durations(self.cloud, backup_id, new_seconds, building_seconds)

    # -- scheduled backups (rackspace) and backup strategies (openstack) -----------------
    def add_schedule(
        self,
        project_id: str,
        *,
        day_of_week: int,
        hour: int,
        minute: int,
        instance_id: str | None = None,
        ha_id: str | None = None,
        full_backup_retention: int = schedule_ops.DEFAULT_RETENTION,
        copy_to: Iterable[str] = (),
        region: str | None = None,
    ) -> Schedule:
        """Create a backup schedule as `POST /schedules` would (same checks; a refusal is a
        ValueError with the API's message). Give `instance_id` or `ha_id`."""
        if self.dialect != "rackspace":
            raise ValueError("backup schedules exist only in the rackspace dialect")
        if (instance_id is None) == (ha_id is None):
            raise ValueError("give exactly one of instance_id and ha_id")
        if isinstance(copy_to, str):
            raise ValueError("copy_to must be a list of regions, not a string")
        with self.cloud.operation():
            caller = Caller(project_id, self.cloud.region_named(region))
            try:
                return schedule_ops.create_schedule(
                    self.cloud,
                    caller,
                    day_of_week=day_of_week,
                    hour=hour,
                    minute=minute,
                    instance_id=instance_id,
                    source_id=ha_id,
                    source_type="ha" if ha_id is not None else "instance",
                    full_backup_retention=full_backup_retention,
                    copy_to=list(copy_to),
                )
            except DomainError as error:
                raise ValueError(str(error)) from None

    def schedule(self, schedule_id: str) -> Schedule:
        with self.cloud.operation():
            return self.cloud.schedules[schedule_id]

    def schedules(
        self, project_id: str | None = None, region: str | None = None
    ) -> list[Schedule]:
        """Schedules, oldest first (the clock's due runs applied first)."""
        with self.cloud.operation():
            wanted = self.cloud.region_named(region) if region else None
            return [
                s
                for s in self.cloud.schedules.values()
                if (project_id is None or s.project_id == project_id)
                and (wanted is None or s.region == wanted)
            ]

    def schedule_runs(self, schedule_id: str | None = None) -> list[ScheduleRun]:
        """What each due run did (`outcome` "created" or "skipped", `kind`, `backup_id`,
        `reason`), oldest first; the newest 10,000 runs are kept."""
        with self.cloud.operation():
            return schedule_ops.runs_of(self.cloud, schedule_id)

    def add_backup_strategy(
        self,
        project_id: str,
        swift_container: str,
        *,
        instance_id: str | None = None,
        region: str | None = None,
    ) -> BackupStrategy:
        """Set where the project's (or one instance's) backups go, as
        `POST /backup_strategies` does."""
        if self.dialect != "openstack":
            raise ValueError("backup strategies exist only in the openstack dialect")
        if not isinstance(swift_container, str) or not swift_container:
            raise ValueError("swift_container must be a non-empty string")
        with self.cloud.operation():
            caller = Caller(project_id, self.cloud.region_named(region))
            return strategy_ops.put_strategy(self.cloud, caller, swift_container, instance_id)

    def backup_strategies(self, project_id: str | None = None) -> list[BackupStrategy]:
        with self.cloud.operation():
            return [
                s
                for s in self.cloud.strategies.values()
                if project_id is None or s.project_id == project_id
            ]

    # -- state ----------------------------------------------------------------------------
    def export_state(self) -> dict[str, Any]:
        """The cloud's records. With a data plane they come with its `dataplane` status
        (servers, objects), for reading: such a state cannot be imported, since it holds
        neither the servers' data nor the objects."""
        with self.cloud.operation():
            state = state_records.export_state(self.cloud, self.tokens.records())
        if self.dataplane is not None:
            state["dataplane"] = self.dataplane_status()
        return state

    def import_state(self, state: dict[str, Any]) -> None:
        """Replace the cloud with an `export_state()`: the same records, the same config, and
        a manual clock at the export's `now` (a system clock keeps the wall time: records
        then sit where the export put them relative to it). ValueError naming the place if
        any part is refused, and then nothing changes. Identity tokens the state does not
        hold are forgotten in the same step, so a login token never outlives its cloud."""
        self._no_dataplane("imported")
        if isinstance(state, dict) and "dataplane" in state:
            raise ValueError("this state comes from a cloud with a data plane: it holds "
                             "neither its servers' data nor its backups' objects, so it "
                             "cannot be imported")
        staged = state_records.stage(self.cloud, state)
        config = _config_of(state)
        when = None
        if getattr(self.clock, "manual", False):
            when = parse_time(state["now"]) if isinstance(state.get("now"), str) else None
        with self.cloud.lock:  # one step for every request
            saved = (self.config.to_dict(), self.clock.now())
            try:
                if config is not None:
                    self.config.update(config)
                if when is not None:  # the whole cloud is replaced: back is fine
                    cast(ManualClock, self.clock).set(when, backwards=True)
                with self.cloud.operation():
                    state_records.install(self.cloud, staged)
                    self.tokens.replace(staged.tokens)
            except BaseException:
                self.config.update(saved[0])
                if when is not None:
                    cast(ManualClock, self.clock).set(saved[1], backwards=True)
                raise

    def _datastore(self, value: tuple[str, str] | dict[str, str]) -> Datastore:
        if isinstance(value, dict):
            kind, version = value.get("type"), value.get("version")
        elif isinstance(value, tuple | list) and len(value) == 2:
            kind, version = value
        else:
            raise ValueError("datastore must be (type, version) or {'type':..., 'version':...}")
        if not isinstance(kind, str) or not isinstance(version, str) or not kind or not version:
            raise ValueError("datastore type and version must be non-empty strings")
        return self.cloud.datastores.register(kind, version)


class RegionApp:
    """A WSGI app for one region of a cloud (its own base URL, in-process)."""

    def __init__(self, mock: TroveMock, region: str) -> None:
        self.mock = mock
        self.name = region

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        return self.mock._serve(environ, start_response, self.name)

    def __repr__(self) -> str:
        return f"<RegionApp {self.name}>"


def _uuid_arg(value: str | None, label: str) -> str:
    if value is None:
        return str(uuid.uuid4())
    try:
        if len(value) == UUID_LENGTH and uuid.UUID(value):
            return value
    except (ValueError, TypeError, AttributeError):
        pass
    raise ValueError(f"{label} must be a UUID (the API refuses other instance ids), not {value!r}")


def _config_of(state: dict[str, Any]) -> dict[str, Any] | None:
    """The config an export carries, checked whole (None for an export without one)."""
    config = state.get("config")
    if config is None:
        return None
    if not isinstance(config, dict):
        raise ValueError("state.config must be an object")
    try:
        Config().update(config)  # checked on a scratch copy: nothing applied yet
    except ValueError as error:
        raise ValueError(f"state.{error}") from None
    return config


def _contents(
    databases: Iterable[str], users: Iterable[str] | dict[str, Iterable[str]]
) -> Contents:
    if isinstance(databases, str) or isinstance(users, str):
        raise ValueError("databases and users must be lists of names, not a string")
    grants = (
        {name: tuple(dbs) for name, dbs in users.items()}
        if isinstance(users, dict)
        else {name: () for name in users}
    )
    names = [*databases, *grants, *(db for dbs in grants.values() for db in dbs)]
    if not all(isinstance(name, str) and name for name in names):
        raise ValueError(
            "databases must be names, and users names or a mapping name -> database names"
        )
    return Contents(tuple(databases), tuple(grants.items()))
