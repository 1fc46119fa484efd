"""With a data plane, what the API's operations do to real data: the instance's server is
provisioned on create (or rebuilt from the backup chain on restore), backups run the engine's
tool, and the databases, users and root APIs run Trove's SQL on the server. Without one
(`cloud.dataplane is None`, the default) every function here returns at once.

Slow work is submitted to the data plane and its result comes back through `deliver()` at
the start of a later operation (see `Cloud.operation`), under the cloud's lock like any other
change; status changes wait for it (an instance is ACTIVE only once its server answers, a
backup COMPLETED only once its object is written).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trovemock.dataplane.protocol import (
    BackupMade,
    DataError,
    ObjectCorrupt,
    ObjectMissing,
    Provision,
    UserSpec,
)
from trovemock.model.cloud import Cloud
from trovemock.model.entities import Backup, Instance
from trovemock.model.errors import BadRequest, Conflict, NotFound

ANY_HOST = "%"


def active(cloud: Cloud) -> bool:
    return cloud.dataplane is not None


# -- servers ------------------------------------------------------------------------------
def start_server(cloud: Cloud, instance: Instance, databases: tuple[str, ...],
                 users: tuple[UserSpec, ...], chain: tuple[str, ...] = (),
                 settings: dict[str, Any] | None = None) -> None:
    """Provision the instance's server; when it cannot even be tried (no engine for the
    datastore, the server limit) the instance ends in ERROR with the reason as its fault."""
    plane = cloud.dataplane
    if plane is None:
        return
    instance.server = "starting"
    spec = Provision(instance.id, instance.datastore.type, databases, users, chain,
                     dict(settings or {}))
    try:
        plane.provision(spec, lambda result: _server_done(cloud, instance.id, result))
    except DataError as error:
        _server_done(cloud, instance.id, error)


def start_replica(cloud: Cloud, instance: Instance, source: Instance,
                  settings: dict[str, Any]) -> None:
    """A replica's server: seeded from a backup of the primary's, then following it."""
    plane = cloud.dataplane
    if plane is None or source.server is None:
        return
    instance.server = "starting"
    spec = Provision(instance.id, instance.datastore.type, (), (), (), dict(settings),
                     replica_of=source.id)
    try:
        plane.provision(spec, lambda result: _server_done(cloud, instance.id, result))
    except DataError as error:
        _server_done(cloud, instance.id, error)


def _server_done(cloud: Cloud, instance_id: str, result: Any) -> None:
    instance = cloud.instances.get(instance_id)
    if instance is None:
        return
    if isinstance(result, DataError):
        instance.server = "failed"
        instance.fault = (f"The instance's database server failed: {result}", cloud.time)
    else:
        instance.server = "ready"
    if instance.awaiting_server:  # its emulated build or restart time is already over
        instance.awaiting_server = False
        instance.status = "ERROR" if instance.server == "failed" else "ACTIVE"
        instance.service_reset = False
        instance.updated = cloud.time


def settles_now(instance: Instance, status: str) -> str | None:
    """The status an instance whose emulated time is up takes now, or None while its
    server is still starting (it then settles when the server answers)."""
    if status != "ACTIVE" or instance.server is None:
        return status
    if instance.server == "starting":
        instance.awaiting_server = True
        return None
    return "ERROR" if instance.server == "failed" else status


def restart_server(cloud: Cloud, instance: Instance) -> None:
    plane = cloud.dataplane
    if plane is None or instance.server != "ready":
        return
    instance.server = "starting"
    try:
        plane.restart(instance.id, lambda result: _server_done(cloud, instance.id, result))
    except DataError as error:
        _server_done(cloud, instance.id, error)


def remove_server(cloud: Cloud, instance: Instance) -> None:
    if cloud.dataplane is not None and instance.server is not None:
        cloud.dataplane.remove_server(instance.id)


def server_address(cloud: Cloud, instance: Instance) -> tuple[str, int] | None:
    """(address, port) of the instance's server, which the API shows as its addresses."""
    if cloud.dataplane is None or instance.server is None:
        return None
    info = cloud.dataplane.server_info(instance.id)
    return (info["address"], info["port"]) if info else None


def server_version(cloud: Cloud, instance: Instance) -> str | None:
    if cloud.dataplane is None or instance.server is None:
        return None
    info = cloud.dataplane.server_info(instance.id)
    return info["version"] if info else None


# -- backups ------------------------------------------------------------------------------
def start_backup(cloud: Cloud, backup: Backup,
                 finish: Callable[[Cloud, Backup, str], None]) -> None:
    """Run the engine's backup tool for a backup of an instance with a server; `finish`
    sets the final status when the emulated time was over before the tool was."""
    plane = cloud.dataplane
    if plane is None or backup.outcome != "COMPLETED" or backup.instance_id is None:
        return
    instance = cloud.instances.get(backup.instance_id)
    if instance is None or instance.server is None:
        return
    backup.data = "running"
    try:
        plane.backup(backup.id, instance.id, backup.parent_id,
                     lambda result: _backup_done(cloud, backup.id, result, finish))
    except DataError as error:
        _backup_done(cloud, backup.id, error, finish)


def _backup_done(cloud: Cloud, backup_id: str, result: Any,
                 finish: Callable[[Cloud, Backup, str], None]) -> None:
    backup = cloud.backups.get(backup_id)
    if backup is None:  # deleted while its tool ran
        if cloud.dataplane is not None:
            cloud.dataplane.remove_object(backup_id)
        return
    if isinstance(result, BackupMade):
        backup.data = "done"
        backup.location_ref = result.location
    else:
        backup.data = "failed"
        backup.data_error = str(result)
        backup.outcome = "FAILED"
    if backup.awaiting_data:
        backup.awaiting_data = False
        finish(cloud, backup, backup.outcome)


def finishes_now(backup: Backup) -> bool:
    """False while the backup's tool still runs (it then finishes when the tool does)."""
    if backup.data == "running":
        backup.awaiting_data = True
        return False
    return True


def check_restore(cloud: Cloud, chain: list[Backup]) -> None:
    """Trove's checks of every link's object before a restore: 404 when one is missing,
    409 when one no longer matches its checksum."""
    plane = cloud.dataplane
    if plane is None:
        return
    for backup in chain:
        if backup.data != "done":
            location = backup.location_ref or f"database_backups/{backup.id}"
            raise NotFound(str(ObjectMissing(location)))
    try:
        plane.check_chain([b.id for b in chain])
    except ObjectMissing as error:
        raise NotFound(str(error)) from None
    except ObjectCorrupt as error:
        raise Conflict(str(error)) from None


# -- databases, users, root: Trove's guest SQL ----------------------------------------------
def serving(cloud: Cloud, instance: Instance) -> bool:
    return cloud.dataplane is not None and instance.server == "ready"


def run(cloud: Cloud, instance: Instance, action: str, *args: Any) -> Any:
    """Run one of the data plane's SQL operations on the instance's server; a refusal by
    the server is a 400 carrying the server's words."""
    if not serving(cloud, instance):
        return None
    try:
        return getattr(cloud.dataplane, action)(instance.id, *args)
    except DataError as error:
        raise BadRequest(str(error)) from None


def refresh(cloud: Cloud, instance: Instance) -> None:
    """Read the databases and users (at host %) back from the server, as Trove's guest
    lists them: what was made over SQL shows up too."""
    if not serving(cloud, instance):
        return
    instance.databases = run(cloud, instance, "list_databases")
    users = run(cloud, instance, "list_users")
    instance.users = {name: granted for name, host, granted in users if host == ANY_HOST}
