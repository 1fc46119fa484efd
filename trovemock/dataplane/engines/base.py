"""What every engine provides, and what they share: the server record, tool runs whose
failure carries the tool's own reason, and the lookup of binaries."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from trovemock.dataplane.protocol import DataError, UserSpec

# Where Debian and the PATH keep server binaries, searched after a configured directory.
SYSTEM_DIRS = ("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")


@dataclass
class Server:
    """One instance's server: its home (data, socket, logs, config) and where it listens."""

    instance_id: str
    engine: str
    home: Path
    address: str
    port: int
    version: str = ""
    process: subprocess.Popen | None = None
    state: str = "starting"  # starting, running, stopped, error
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # an engine's own bookkeeping
    # the socket's directory: short, since a Unix socket's path holds at most 107 bytes
    run: Path | None = None

    @property
    def datadir(self) -> Path:
        return self.home / "data"

    @property
    def rundir(self) -> Path:
        return self.run if self.run is not None else self.home / "run"

    @property
    def log(self) -> Path:
        return self.home / "server.log"


class Engine(Protocol):
    name: str  # "mariadb" or "postgresql"
    port: int  # the standard port: 3306, 5432
    admin_user: str  # the account the data plane itself uses, over the socket only

    def missing(self) -> str | None:
        """None when every binary is there, else what is missing and how to install it."""

    def version(self) -> str: ...

    def build_template(self, target: Path) -> None:
        """A fresh, empty data directory in `target` (built once per engine and cached)."""

    def start(self, server: Server, run_as: str | None) -> subprocess.Popen:
        """Start the server on its data directory, listening on (address, port) only."""

    def wait_ready(self, server: Server, timeout: float) -> None:
        """Return once the server answers queries and accepts writes; DataError if not."""

    def stop_signal(self) -> int: ...

    def admin(self, server: Server, database: str | None = None) -> Any:
        """A DB-API connection as the admin, through the server's socket; autocommit."""

    # -- Trove's guest agent's SQL -------------------------------------------------------
    def list_databases(self, conn: Any) -> list[str]: ...
    def create_database(self, conn: Any, name: str) -> None: ...
    def drop_database(self, conn: Any, name: str) -> None: ...
    def list_users(self, conn: Any) -> list[tuple[str, str, tuple[str, ...]]]: ...
    def create_user(self, conn: Any, user: UserSpec) -> None: ...
    def drop_user(self, conn: Any, name: str, host: str) -> None: ...
    def grant(self, conn: Any, name: str, host: str, databases: list[str]) -> None: ...
    def revoke(self, conn: Any, name: str, host: str, database: str) -> None: ...
    def set_password(self, conn: Any, name: str, host: str, password: str) -> None: ...
    def rename_user(self, conn: Any, name: str, host: str, new_name: str,
                    new_host: str) -> None: ...
    def enable_root(self, conn: Any, password: str) -> None: ...
    def apply_settings(self, conn: Any, server: Server, values: dict[str, Any],
                       restart: list[str]) -> None:
        """Configuration values: kept across restarts; those not in `restart` at once."""
    def reset_settings(self, conn: Any, server: Server, names: list[str],
                       restart: list[str]) -> None:
        """Back to the server's own values; those not in `restart` at once."""
    def disable_root(self, conn: Any) -> None: ...
    def ensure_admin(self, conn: Any, name: str, password: str) -> None:
        """An account (os_admin) with every privilege, reachable over TCP with `password`:
        what `mock.endpoint()` hands to tests."""

    # -- replication -----------------------------------------------------------------------
    def ensure_replication_user(self, conn: Any, name: str, password: str) -> None:
        """The account replicas connect to this primary with."""

    def seed_replica(self, primary: Server, replica: Server) -> dict[str, Any]:
        """Fill the replica's data directory from the running primary; returns what
        `follow` needs (MariaDB: the GTID position)."""

    def follow(self, conn: Any, replica: Server, primary: Server, user: str, password: str,
               gtid: str | None) -> None:
        """A freshly seeded, started replica starts following `primary`."""

    # True: a server follows a new primary as a fresh copy of it (seed_replica again);
    # False: `repoint` re-points it as it runs.
    copies_to_follow: bool

    def repoint(self, follower: Server, leader: Server, user: str, password: str) -> None:
        """A running server follows a new primary."""

    def lead(self, conn: Any, server: Server) -> None:
        """Stop following; take writes."""

    # -- backups -------------------------------------------------------------------------
    def object_suffix(self) -> str:
        """".xbstream.gz" or ".tar.gz", as Trove names its objects."""

    def backup(self, server: Server, target: Path, label: str,
               parent: dict[str, Any] | None) -> dict[str, Any]:
        """Write a backup of the running server to `target` (full, or incremental on top of
        `parent`'s metadata) and return Trove's metadata for it (lsn, WAL positions)."""

    def restore(self, chain: list[tuple[Path, dict[str, Any]]], server: Server) -> None:
        """Rebuild `server.datadir` from objects, full first; the server is started
        afterwards by the caller (then `wait_ready`)."""


def option_value(value: Any) -> str:
    """A setting's value as a server's option file or command line takes it."""
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def find_binary(name: str, extra_dirs: tuple[str, ...] = ()) -> str | None:
    for directory in extra_dirs:
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    for directory in SYSTEM_DIRS:
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def run_tool(argv: list[str], *, what: str, user: str | None = None,
             stdout: Any = subprocess.PIPE, cwd: Path | None = None,
             env: dict[str, str] | None = None, timeout: float = 600.0) -> str:
    """Run a tool to completion; its stderr is returned (backup tools log there). A failure
    is a DataError with the tool's last words."""
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=stdout,
                              stderr=subprocess.PIPE, user=user, cwd=cwd, env=env,
                              timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DataError(f"{what} failed: {error}") from None
    log = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        raise DataError(f"{what} failed (exit {done.returncode}): {last_words(log)}")
    return log


def last_words(log: str, lines: int = 3) -> str:
    kept = [line.strip() for line in log.strip().splitlines() if line.strip()]
    return " | ".join(kept[-lines:]) or "no output"
