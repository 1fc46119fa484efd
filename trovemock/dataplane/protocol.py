"""What the model asks of a data plane, in plain values (ids, names, passwords): the model
never sees a process, a file or a connection.

Slow work (starting a server, running a backup tool, rebuilding a restore) is *submitted*
with a callback; the data plane runs it on its own worker, outside the cloud's lock, and hands
the result back through `deliver()`, which the cloud calls at the start of every operation,
under its lock. Short SQL (a database list, a grant) runs at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


class DataError(Exception):
    """A data plane operation failed; the message says why in words a user can act on."""


class ObjectMissing(DataError):
    """A backup's object is not in the object store (Trove's BackupFileNotFound)."""

    def __init__(self, location: str) -> None:
        super().__init__(f"Backup file in {location} was not found in the object storage.")
        self.location = location


class ObjectCorrupt(DataError):
    """A backup's object no longer matches its checksum (RestoreBackupIntegrityError)."""

    def __init__(self, backup_id: str) -> None:
        super().__init__(
            "Current Swift object checksum does not match original checksum for backup "
            f"{backup_id}."
        )
        self.backup_id = backup_id


@dataclass(frozen=True)
class UserSpec:
    """A database user as a create body names it."""

    name: str
    password: str
    host: str = "%"
    databases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Provision:
    """What an instance's server starts from: empty (the template) or a backup chain, oldest
    first; then the body's databases and users (errors ignored after a restore, as Trove's
    guest does)."""

    instance_id: str
    datastore: str  # the Trove datastore type: mysql, mariadb, postgresql
    databases: tuple[str, ...] = ()
    users: tuple[UserSpec, ...] = ()
    chain: tuple[str, ...] = ()  # backup ids, full first
    settings: dict[str, Any] = field(default_factory=dict)  # a configuration group's values
    replica_of: str | None = None  # start as a replica of this instance's server


@dataclass(frozen=True)
class BackupMade:
    """A finished backup: where its object is, its MD5, its size and Trove's metadata."""

    location: str
    checksum: str
    size_bytes: int
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Endpoint:
    """Where a client reaches an instance's server, and an account it may use."""

    host: str
    port: int
    user: str
    password: str
    engine: str  # "mariadb" or "postgresql"
    version: str  # the real server version

    def url(self, database: str | None = None) -> str:
        scheme = "mysql" if self.engine == "mariadb" else "postgresql"
        return f"{scheme}://{self.user}:{self.password}@{self.host}:{self.port}/{database or ''}"


# A submitted job's callback: the result, or the DataError that ended it.
Done = Callable[[Any], None]


class DataPlane(Protocol):
    def deliver(self) -> None:
        """Run the callbacks of finished jobs (the cloud calls this under its lock)."""

    def settle(self, timeout: float | None = None) -> None:
        """Wait until no job is queued or running (never called under the cloud's lock)."""

    def await_snapshots(self) -> None:
        """Wait until every backup asked for so far has taken its snapshot (never called
        under the cloud's lock)."""

    def supports(self, datastore: str) -> str | None:
        """None when the datastore can be served, else why not."""

    def provision(self, spec: Provision, done: Done) -> None:
        """Start the instance's server (from the template or the backup chain); `done`
        gets None when it answers, or a DataError."""

    def remove_server(self, instance_id: str) -> None:
        """Stop the instance's server and remove its files (queued after its other jobs)."""

    def restart(self, instance_id: str, done: Done) -> None:
        """Stop and start the server (settings that need a restart apply)."""

    def backup(self, backup_id: str, instance_id: str, parent_id: str | None,
               done: Done) -> None:
        """Back the server up now (a snapshot of this moment); `done` gets a BackupMade or
        a DataError."""

    def check_chain(self, chain: list[str]) -> None:
        """Raise ObjectMissing / ObjectCorrupt for the first link that cannot be restored."""

    def remove_object(self, backup_id: str) -> None: ...

    def server_info(self, instance_id: str) -> dict[str, Any] | None:
        """address, port, state ("starting", "running", "stopped", "error"), version."""

    # -- SQL that Trove's guest agent runs (at once; DataError when the server refuses) ----
    def list_databases(self, instance_id: str) -> list[str]: ...

    def create_databases(self, instance_id: str, names: list[str]) -> None: ...

    def drop_database(self, instance_id: str, name: str) -> None: ...

    def list_users(self, instance_id: str) -> list[tuple[str, str, tuple[str, ...]]]:
        """(name, host, databases it may use), system accounts left out."""

    def create_users(self, instance_id: str, users: list[UserSpec]) -> None: ...

    def drop_user(self, instance_id: str, name: str, host: str) -> None: ...

    def grant(self, instance_id: str, name: str, host: str, databases: list[str]) -> None: ...

    def revoke(self, instance_id: str, name: str, host: str, database: str) -> None: ...

    def set_password(self, instance_id: str, name: str, host: str, password: str) -> None: ...

    def rename_user(self, instance_id: str, name: str, host: str, new_name: str,
                    new_host: str) -> None: ...

    def apply_configuration(self, instance_id: str, values: dict[str, Any],
                            restart: list[str]) -> None: ...

    def remove_configuration(self, instance_id: str, names: list[str],
                             restart: list[str]) -> None: ...

    def promote(self, instance_id: str, old_primary: str | None,
                followers: list[str]) -> None:
        """The replica leads: it takes writes; the old primary (when it still runs) and
        the other replicas follow it."""

    def detach_replica(self, instance_id: str) -> None:
        """The replica stops following its primary and takes writes."""

    def enable_root(self, instance_id: str, password: str) -> None: ...

    def disable_root(self, instance_id: str) -> None: ...

    def reset(self) -> None:
        """Stop every server and drop every object (the cloud is emptied)."""

    def close(self) -> None:
        """reset(), then stop the worker: nothing the data plane started is left."""
