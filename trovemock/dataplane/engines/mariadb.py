"""MariaDB, for the mysql and mariadb datastores (Debian has no MySQL server): a small
per-instance server, Trove's guest SQL, and `mariadb-backup` xbstream backups whose
incrementals start at the parent's LSN, restored by `mbstream -x` and `--prepare` per link,
as Trove's backup runner does."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from trovemock.dataplane import processes
from trovemock.dataplane.engines.base import (
    Server,
    find_binary,
    last_words,
    option_value,
    run_tool,
)
from trovemock.dataplane.protocol import DataError, UserSpec

BINARIES = ("mariadbd", "mariadb-install-db", "mariadb-backup", "mbstream")
# Trove's ignore lists (cfg.py: ignore_dbs, ignore_users)
IGNORED_DATABASES = ("mysql", "information_schema", "performance_schema", "sys",
                     "lost+found", "#mysql50#lost+found")
IGNORED_USERS = ("os_admin", "root", "mariadb.sys")
LSN = re.compile(r"The latest check point \(for incremental\): '(\d+)'")

# Small enough that a dozen servers fit anywhere (about 35 MB each), as measured.
SETTINGS = """\
[mysqld]
skip-name-resolve
innodb_buffer_pool_size = 8M
innodb_log_file_size = 8M
innodb_log_buffer_size = 1M
key_buffer_size = 1M
aria_pagecache_buffer_size = 1M
performance_schema = OFF
max_connections = 100
character-set-server = utf8mb3
collation-server = utf8mb3_general_ci
log-bin = mysql-bin
log-slave-updates
binlog-format = ROW
"""


# The base options' values, by variable name (what a reset parameter returns to).
BASE_SETTINGS = {
    key.strip().replace("-", "_"): value.strip()
    for key, _, value in (line.partition("=") for line in SETTINGS.splitlines()[1:])
    if value.strip().isdigit()
}


def _variable(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise DataError(f"not a server variable name: {name!r}")
    return name


def _literal(conn: Any, value: Any) -> str:
    if isinstance(value, bool):
        return "ON" if value else "OFF"
    if isinstance(value, int | float):
        return repr(value)
    return str(conn.escape(str(value)))


def quote_name(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


class MariaDB:
    name = "mariadb"
    port = 3306
    admin_user = "root"  # root@localhost, reachable through the socket only

    def __init__(self, bin_dirs: tuple[str, ...] = ()) -> None:
        self.bin_dirs = bin_dirs
        self._paths = {name: find_binary(name, bin_dirs) for name in BINARIES}
        self._version: str | None = None

    def tool(self, name: str) -> str:
        path = self._paths.get(name)
        if path is None:
            raise DataError(self.missing() or f"{name} is missing")
        return path

    def missing(self) -> str | None:
        absent = [name for name, path in self._paths.items() if path is None]
        if not absent:
            return None
        return (f"MariaDB (which serves the mysql and mariadb datastores) is not installed: "
                f"{', '.join(absent)} not found. On Debian or Ubuntu: apt-get install "
                "mariadb-server-core mariadb-backup mariadb-client-core")

    def version(self) -> str:
        if self._version is None:
            out = subprocess.run([self.tool("mariadbd"), "--version"], capture_output=True,
                                 text=True, check=False).stdout
            found = re.search(r"Ver (\d+\.\d+\.\d+)", out)
            self._version = found.group(1) if found else out.strip()
        return self._version

    # -- files and processes ---------------------------------------------------------------
    def _config(self, server: Server) -> Path:
        config = server.home / "my.cnf"
        config.write_text(
            SETTINGS
            + f"datadir = {server.datadir}\n"
            + f"socket = {server.rundir / 'mysqld.sock'}\n"
            + f"pid-file = {server.rundir / 'mysqld.pid'}\n"
            + f"bind-address = {server.address}\n"
            + f"port = {server.port}\n"
            + f"server-id = {server.extra.get('server_id', 1)}\n"
            + "".join(f"{key} = {value}\n"
                      for key, value in server.extra.get("settings", {}).items())
        )
        return config

    def _user_flag(self) -> list[str]:
        return ["--user=root"] if os.geteuid() == 0 else []

    def build_template(self, target: Path) -> None:
        """`mariadb-install-db`, then Trove's `secure_root`: only root@localhost stays, and
        it is reachable through the socket alone (the socket's directory is private)."""
        server = Server("template", self.name, target, "127.0.0.1", 0)
        server.rundir.mkdir(parents=True, exist_ok=True)
        config = self._config(server)
        run_tool([self.tool("mariadb-install-db"), f"--defaults-file={config}",
                  "--auth-root-authentication-method=normal", "--skip-test-db",
                  *self._user_flag()], what="mariadb-install-db")
        argv = [self.tool("mariadbd"), f"--defaults-file={config}", "--skip-networking",
                *self._user_flag()]
        process = processes.start(argv, log=server.log)
        try:
            self.wait_ready(server, 60, process)
            conn = self.admin(server)
            try:
                with conn.cursor() as cursor:
                    cursor.execute("DELETE FROM mysql.global_priv WHERE User = 'root' AND "
                                   "Host != 'localhost'")
                    cursor.execute("DELETE FROM mysql.global_priv WHERE User = ''")
                    cursor.execute("FLUSH PRIVILEGES")
            finally:
                conn.close()
        finally:
            processes.stop(process, signal.SIGTERM)
        (target / "my.cnf").unlink()
        shutil.rmtree(server.rundir, ignore_errors=True)
        server.log.unlink(missing_ok=True)

    def start(self, server: Server, run_as: str | None) -> subprocess.Popen:
        server.rundir.mkdir(mode=0o700, parents=True, exist_ok=True)
        config = self._config(server)
        argv = [self.tool("mariadbd"), f"--defaults-file={config}", *self._user_flag()]
        return processes.start(argv, log=server.log)

    def wait_ready(self, server: Server, timeout: float,
                   process: subprocess.Popen | None = None) -> None:
        process = process or server.process
        deadline = time.monotonic() + timeout
        while True:
            if process is not None and process.poll() is not None:
                raise DataError(f"mariadbd exited (code {process.returncode}): "
                                f"{_log_tail(server.log)}")
            try:
                conn = self.admin(server, timeout=2)
            except DataError:
                if time.monotonic() > deadline:
                    raise DataError(f"mariadbd did not answer within {timeout:.0f} s: "
                                    f"{_log_tail(server.log)}") from None
                time.sleep(0.02)
                continue
            conn.close()
            return

    def stop_signal(self) -> int:
        return signal.SIGTERM

    def admin(self, server: Server, database: str | None = None, timeout: float = 10) -> Any:
        import pymysql

        try:
            return pymysql.connect(unix_socket=str(server.rundir / "mysqld.sock"),
                                   user="root", database=database, autocommit=True,
                                   connect_timeout=timeout, read_timeout=60)
        except pymysql.MySQLError as error:
            raise DataError(f"MariaDB refused: {error}") from None

    # -- Trove's guest SQL -------------------------------------------------------------------
    def _run(self, conn: Any, *statements: str, args: tuple = ()) -> list[tuple]:
        import pymysql

        rows: list[tuple] = []
        try:
            with conn.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement, args or None)
                    rows.extend(cursor.fetchall())
        except pymysql.MySQLError as error:
            raise DataError(f"MariaDB refused: {error.args[-1]}") from None
        return rows

    def _account(self, conn: Any, name: str, host: str) -> str:
        return f"{conn.escape(name)}@{conn.escape(host)}"

    def list_databases(self, conn: Any) -> list[str]:
        rows = self._run(conn, "SELECT schema_name FROM information_schema.schemata "
                               "ORDER BY schema_name")
        return [r[0] for r in rows if r[0] not in IGNORED_DATABASES]

    def create_database(self, conn: Any, name: str) -> None:
        self._run(conn, f"CREATE DATABASE IF NOT EXISTS {quote_name(name)} CHARACTER SET "
                        "= 'utf8mb3' COLLATE = 'utf8mb3_general_ci'")

    def drop_database(self, conn: Any, name: str) -> None:
        self._run(conn, f"DROP DATABASE {quote_name(name)}")

    def list_users(self, conn: Any) -> list[tuple[str, str, tuple[str, ...]]]:
        users = self._run(conn, "SELECT User, Host FROM mysql.user WHERE Host != 'localhost' "
                                "ORDER BY User, Host")
        grants = self._run(conn, "SELECT User, Host, Db FROM mysql.db ORDER BY Db")
        found = []
        for name, host in users:
            if name in IGNORED_USERS or not name:
                continue
            databases = tuple(db.replace("\\_", "_") for user, h, db in grants
                              if user == name and h == host)
            found.append((name, host, databases))
        return found

    def create_user(self, conn: Any, user: UserSpec) -> None:
        account = self._account(conn, user.name, user.host)
        self._run(conn, f"CREATE USER {account} IDENTIFIED BY {conn.escape(user.password)}")
        self.grant(conn, user.name, user.host, list(user.databases))

    def drop_user(self, conn: Any, name: str, host: str) -> None:
        self._run(conn, f"DROP USER {self._account(conn, name, host)}")

    def grant(self, conn: Any, name: str, host: str, databases: list[str]) -> None:
        account = self._account(conn, name, host)
        self._run(conn, *(f"GRANT ALL PRIVILEGES ON {quote_name(db)}.* TO {account}"
                          for db in databases))

    def revoke(self, conn: Any, name: str, host: str, database: str) -> None:
        self._run(conn, f"REVOKE ALL ON {quote_name(database)}.* FROM "
                        f"{self._account(conn, name, host)}")

    def set_password(self, conn: Any, name: str, host: str, password: str) -> None:
        self._run(conn, f"ALTER USER {self._account(conn, name, host)} IDENTIFIED BY "
                        f"{conn.escape(password)}")

    def rename_user(self, conn: Any, name: str, host: str, new_name: str,
                    new_host: str) -> None:
        self._run(conn, f"RENAME USER {self._account(conn, name, host)} TO "
                        f"{self._account(conn, new_name, new_host)}")

    def enable_root(self, conn: Any, password: str) -> None:
        secret = conn.escape(password)
        self._run(conn, f"CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY {secret}",
                  f"ALTER USER 'root'@'%' IDENTIFIED BY {secret}",
                  "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION")

    def ensure_admin(self, conn: Any, name: str, password: str) -> None:
        """An account with every privilege, reachable over TCP with this password."""
        secret = conn.escape(password)
        account = self._account(conn, name, "%")
        self._run(conn, f"CREATE USER IF NOT EXISTS {account} IDENTIFIED BY {secret}",
                  f"ALTER USER {account} IDENTIFIED BY {secret}",
                  f"GRANT ALL PRIVILEGES ON *.* TO {account} WITH GRANT OPTION")

    def apply_settings(self, conn: Any, server: Server, values: dict[str, Any],
                       restart: list[str]) -> None:
        """A configuration group's values: each kept in the server's option file (it
        holds across restarts), the dynamic ones also set at once with SET GLOBAL."""
        kept = server.extra.setdefault("settings", {})
        for name, value in values.items():
            kept[name] = option_value(value)
            if name not in restart:
                self._run(conn, f"SET GLOBAL {_variable(name)} = {_literal(conn, value)}")

    def reset_settings(self, conn: Any, server: Server, names: list[str],
                       restart: list[str]) -> None:
        """Back to the server's own settings: dropped from the option file; a dynamic one
        set back now (to the option file's base value, else the server's default)."""
        kept = server.extra.setdefault("settings", {})
        for name in names:
            kept.pop(name, None)
            if name not in restart:
                base = BASE_SETTINGS.get(name.replace("-", "_"))
                value = base if base is not None else "DEFAULT"
                self._run(conn, f"SET GLOBAL {_variable(name)} = {value}")

    # -- replication (Trove's MariaDB GTID strategy) ---------------------------------------
    def ensure_replication_user(self, conn: Any, name: str, password: str) -> None:
        account = self._account(conn, name, "%")
        secret = conn.escape(password)
        self._run(conn, f"CREATE USER IF NOT EXISTS {account} IDENTIFIED BY {secret}",
                  f"ALTER USER {account} IDENTIFIED BY {secret}",
                  f"GRANT REPLICATION SLAVE ON *.* TO {account}")

    def seed_replica(self, primary: Server, replica: Server) -> dict[str, Any]:
        """A full backup of the primary restored into the replica's data directory; the
        primary's GTID position at the backup, where the replica starts following."""
        stream = replica.home / "seed.xbstream.gz"
        meta = self.backup(primary, stream, f"seed-{replica.instance_id}", None)
        self.restore([(stream, meta)], replica)
        stream.unlink(missing_ok=True)
        fields: list[str] = []
        for name in ("mariadb_backup_binlog_info", "xtrabackup_binlog_info"):
            info = replica.datadir / name
            if info.exists():
                fields = info.read_text().split()
                break
        if len(fields) < 3:
            raise DataError("mariadb-backup recorded no GTID position for the replica")
        return {"gtid": fields[2]}

    def follow(self, conn: Any, replica: Server, primary: Server, user: str, password: str,
               gtid: str | None) -> None:
        """Replicate from `primary`: from `gtid` (a freshly seeded replica), else from
        where this server's own history ends (an old primary following its successor).
        Read-only, now and after a restart."""
        replica.extra.setdefault("settings", {})["read_only"] = "ON"
        statements = ["STOP SLAVE", "SET GLOBAL read_only = ON"]
        if gtid is not None:
            statements.append(f"SET GLOBAL gtid_slave_pos = {conn.escape(gtid)}")
        mode = "slave_pos" if gtid is not None else "current_pos"
        statements += [
            f"CHANGE MASTER TO MASTER_HOST = {conn.escape(primary.address)}, "
            f"MASTER_PORT = {primary.port}, MASTER_USER = {conn.escape(user)}, "
            f"MASTER_PASSWORD = {conn.escape(password)}, MASTER_USE_GTID = {mode}",
            "START SLAVE",
        ]
        self._run(conn, *statements)

    copies_to_follow = False  # GTID replication re-points a running server

    def repoint(self, follower: Server, leader: Server, user: str, password: str) -> None:
        """An old primary or a sibling replica follows the new primary from where its own
        history ends (GTID current_pos)."""
        conn = self.admin(follower)
        try:
            self.follow(conn, follower, leader, user, password, None)
        finally:
            conn.close()

    def lead(self, conn: Any, server: Server) -> None:
        """Stop following and take writes."""
        server.extra.setdefault("settings", {}).pop("read_only", None)
        self._run(conn, "STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL read_only = OFF")

    def disable_root(self, conn: Any) -> None:
        self._run(conn, "DROP USER IF EXISTS 'root'@'%'")

    # -- backups -----------------------------------------------------------------------------
    def object_suffix(self) -> str:
        return ".xbstream.gz"

    def backup(self, server: Server, target: Path, label: str,
               parent: dict[str, Any] | None) -> dict[str, Any]:
        """`mariadb-backup --backup --stream=xbstream | gzip`, plus `--incremental-lsn` of
        the parent; the LSN for the next link is read from the tool's log, as Trove does."""
        scratch = server.home / "backup-tmp"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir()
        argv = [self.tool("mariadb-backup"), f"--defaults-file={server.home / 'my.cnf'}",
                "--backup", "--stream=xbstream", f"--target-dir={scratch}", "--user=root",
                f"--socket={server.rundir / 'mysqld.sock'}"]
        if parent is not None:
            argv.append(f"--incremental-lsn={parent['lsn']}")
        log_path = server.home / "backup.log"
        try:
            with log_path.open("wb") as log, subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
            ) as tool, gzip.open(target, "wb", compresslevel=1) as out:
                assert tool.stdout is not None
                shutil.copyfileobj(tool.stdout, out, 1 << 20)
                code = tool.wait()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        text = log_path.read_text("utf-8", "replace")
        if code != 0 or "completed OK!" not in text:
            target.unlink(missing_ok=True)
            raise DataError(f"mariadb-backup failed (exit {code}): {last_words(text)}")
        found = LSN.findall(text)
        if not found:
            raise DataError("mariadb-backup did not report a checkpoint LSN")
        meta: dict[str, Any] = {"lsn": found[-1]}
        return meta

    def restore(self, chain: list[tuple[Path, dict[str, Any]]], server: Server) -> None:
        """The full into the data directory, `--prepare`; then each incremental into a
        scratch directory and `--prepare --incremental-dir` onto the data directory."""
        backup_tool = self.tool("mariadb-backup")
        server.datadir.mkdir(parents=True, exist_ok=True)
        for index, (path, _meta) in enumerate(chain):
            into = server.datadir if index == 0 else server.home / f"incremental-{index}"
            into.mkdir(parents=True, exist_ok=True)
            self._unpack(path, into)
            argv = [backup_tool, "--prepare", f"--target-dir={server.datadir}"]
            if index:
                argv.append(f"--incremental-dir={into}")
            run_tool(argv, what="mariadb-backup --prepare")
            if index:
                shutil.rmtree(into, ignore_errors=True)

    def _unpack(self, path: Path, into: Path) -> None:
        with gzip.open(path, "rb") as stream, subprocess.Popen(
            [self.tool("mbstream"), "-x", "-C", str(into)], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        ) as tool:
            assert tool.stdin is not None and tool.stderr is not None
            try:
                shutil.copyfileobj(stream, tool.stdin, 1 << 20)
                tool.stdin.close()
            except (OSError, EOFError) as error:
                tool.kill()
                raise DataError(f"the backup object cannot be read: {error}") from None
            err = tool.stderr.read().decode("utf-8", "replace")
            if tool.wait() != 0:
                raise DataError(f"mbstream -x failed: {last_words(err)}")


def _log_tail(log: Path) -> str:
    try:
        return last_words(log.read_text("utf-8", "replace"))
    except OSError:
        return "no log"
