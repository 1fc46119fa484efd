"""The data plane of real servers: one MariaDB or PostgreSQL server per instance on its own
loopback address, started from a cached template data directory; backups with the engine's
own tool into the local object store; restores that rebuild the whole chain.

Every slow step runs on the job worker (`jobs.Jobs`), never under the cloud's lock; SQL for
the databases, users and root APIs runs at once on a short admin connection.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from trovemock.dataplane import processes
from trovemock.dataplane.addresses import DEFAULT_NETWORK, AddressPool
from trovemock.dataplane.engines.base import Engine, Server, option_value
from trovemock.dataplane.jobs import Jobs
from trovemock.dataplane.objects import ObjectStore
from trovemock.dataplane.protocol import (
    BackupMade,
    DataError,
    Done,
    Endpoint,
    Provision,
    UserSpec,
)

# Which engine serves each Trove datastore type (Debian has no MySQL server: MariaDB
# serves mysql, as it does on hosts where "mysql" is MariaDB).
ENGINE_OF = {"mysql": "mariadb", "mariadb": "mariadb", "percona": "mariadb",
             "postgresql": "postgresql"}
ADMIN = "os_admin"  # Trove's own account name: the API's user lists leave it out
REPLICATOR = "os_replication"  # the account replicas connect to their primary with
READY_SECONDS = 120.0  # a server that does not answer by then is an ERROR
CACHE_ENV = "TROVEMOCK_CACHE_DIR"
TEMPLATE_FORMAT = "t2"  # bumped whenever an engine builds its template differently


@dataclass(frozen=True)
class Settings:
    """How the data plane runs: where its files live (a private temporary directory by
    default, removed on close), its loopback pool and port mode, extra directories to look
    for engine binaries in, and where built templates are cached."""

    directory: str | None = None
    network: str = DEFAULT_NETWORK
    port_mode: str = "standard"
    bin_dirs: tuple[str, ...] = ()
    template_cache: str | None = None
    max_servers: int = 16
    max_object_bytes: int = 2 * 1024**3


def default_cache() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trovemock" / "templates"


def make_engines(bin_dirs: tuple[str, ...]) -> dict[str, Engine]:
    from trovemock.dataplane.engines.mariadb import MariaDB
    from trovemock.dataplane.engines.postgres import Postgres

    return {"mariadb": MariaDB(bin_dirs), "postgresql": Postgres(bin_dirs)}


class ServersPlane:
    def __init__(self, settings: Settings | None = None,
                 engines: dict[str, Engine] | None = None) -> None:
        self.settings = settings or Settings()
        # what can refuse comes first, before any directory is made
        self.pool = AddressPool(self.settings.network, self.settings.port_mode)
        self.engines = engines if engines is not None else make_engines(self.settings.bin_dirs)
        self._own_dir = self.settings.directory is None
        self.root = Path(self.settings.directory or tempfile.mkdtemp(prefix="trovemock-data-"))
        self.root.mkdir(parents=True, exist_ok=True)
        # Sockets live under a short path of their own (a Unix socket's path is limited).
        self.sockets = Path(tempfile.mkdtemp(prefix="tm-", dir="/tmp"))
        # A server may run as another account (PostgreSQL as `postgres` when we are root):
        # it must be able to pass through our directories, though not list them.
        for directory in (self.root, self.sockets):
            directory.chmod(0o711)
        self.registry = processes.Registry(self.root / "servers.json")
        self.registry.reap()  # what a killed emulator using this directory left running
        self.objects = ObjectStore(self.root / "objects")
        self.cache = Path(self.settings.template_cache) if self.settings.template_cache \
            else default_cache()
        self.servers: dict[str, Server] = {}
        self.made: dict[str, BackupMade] = {}  # backup id -> its object
        self.failures: dict[str, str] = {}  # backup id -> why its job failed
        self.fail_next_backup: str | None = None  # a fault: the next backup job fails so
        self._server_ids = 0  # replication tells servers apart by their ids
        # engine name -> a copy of its template ready to become a data directory (touched
        # on the worker only; see _fresh_datadir)
        self._spares: dict[str, Path] = {}
        self._lock = threading.Lock()
        self._snapshots: list[threading.Event] = []
        self.jobs = Jobs()
        self.closed = False

    # -- what the model asks -----------------------------------------------------------------
    def deliver(self) -> None:
        self.jobs.deliver()

    def settle(self, timeout: float | None = None) -> None:
        if not self.jobs.settle(timeout):
            raise DataError("data plane jobs did not finish in time")

    def await_snapshots(self, timeout: float = 900.0) -> None:
        """Wait until every backup asked for so far has taken its snapshot: a backup holds
        the data of the moment it was created, whatever the caller writes next."""
        with self._lock:
            waiting, self._snapshots = self._snapshots, []
        for event in waiting:
            event.wait(timeout)

    def engine_for(self, datastore: str) -> Engine:
        name = ENGINE_OF.get(datastore)
        if name is None:
            raise DataError(f"the data plane has no engine for datastore {datastore!r} "
                            f"(it serves {', '.join(sorted(ENGINE_OF))})")
        engine = self.engines[name]
        reason = engine.missing()
        if reason is not None:
            raise DataError(reason)
        return engine

    def supports(self, datastore: str) -> str | None:
        try:
            self.engine_for(datastore)
        except DataError as error:
            return str(error)
        return None

    def missing(self) -> dict[str, str]:
        """Engine name -> what is missing, for the engines that cannot run here."""
        return {name: reason for name, engine in self.engines.items()
                if (reason := engine.missing()) is not None}

    def provision(self, spec: Provision, done: Done) -> None:
        engine = self.engine_for(spec.datastore)
        with self._lock:
            if spec.instance_id in self.servers:
                raise DataError(f"instance {spec.instance_id} already has a server")
            live = sum(1 for s in self.servers.values() if s.state != "stopped")
            if live >= self.settings.max_servers:
                raise DataError(f"the data plane runs {live} servers, its limit "
                                f"(max_servers); delete an instance first")
            address, port = self.pool.allocate(engine.port)
            server = Server(spec.instance_id, engine.name, self.root / "servers" /
                            spec.instance_id, address, port, version=engine.version())
            server.extra["datastore"] = spec.datastore
            server.run = self.sockets / spec.instance_id[:8]
            self._server_ids += 1
            server.extra["server_id"] = self._server_ids
            self.servers[spec.instance_id] = server
        chain = [(self._object_path(backup_id), self.made[backup_id].meta)
                 for backup_id in spec.chain] if spec.chain else []
        primary = self._server(spec.replica_of) if spec.replica_of else None
        self.jobs.submit(lambda: self._bring_up(engine, server, spec, chain, primary), done)

    def _object_path(self, backup_id: str) -> Path:
        made = self.made.get(backup_id)
        if made is None:
            raise DataError(f"backup {backup_id} holds no data (it was not made by the "
                            "data plane)")
        return self.objects.path_of(made.location)

    def _bring_up(self, engine: Engine, server: Server, spec: Provision,
                  chain: list[tuple[Path, dict[str, Any]]], primary: Server | None) -> None:
        try:
            shutil.rmtree(server.home, ignore_errors=True)
            server.home.mkdir(parents=True)
            server.extra["settings"] = {name: option_value(value)
                                        for name, value in spec.settings.items()}
            if primary is not None:
                self._seed_replica(engine, primary, server)
                server.state = "running"
                return None
            if chain:
                engine.restore(chain, server)
            else:
                self._fresh_datadir(engine, server)
            self._start(engine, server)
            self._prepare(engine, server, spec, restored=bool(chain))
            server.state = "running"
        except DataError as error:
            server.state, server.error = "error", str(error)
            self._stop(server)
            raise
        return None

    def _replication_password(self, engine: Engine, primary: Server) -> str:
        """The primary's replication account, made on first use (a replica seeded from the
        primary carries it along, so a promoted replica has it too)."""
        password = primary.extra.get("replication_password")
        if password is None:
            password = secrets.token_urlsafe(18)
            conn = engine.admin(primary)
            try:
                engine.ensure_replication_user(conn, REPLICATOR, password)
            finally:
                conn.close()
            primary.extra["replication_password"] = password
        return str(password)

    def _seed_replica(self, engine: Engine, primary: Server, replica: Server) -> None:
        """Seed the replica from a backup of the primary, start it and make it follow."""
        if primary.state != "running":
            raise DataError(f"the primary's server is {primary.state}")
        password = self._replication_password(engine, primary)
        position = engine.seed_replica(primary, replica)
        replica.extra["admin_password"] = primary.extra["admin_password"]  # carried along
        replica.extra["replication_password"] = password
        self._start(engine, replica)
        conn = engine.admin(replica)
        try:
            engine.follow(conn, replica, primary, REPLICATOR, password, position.get("gtid"))
        finally:
            conn.close()

    def promote(self, instance_id: str, old_primary: str | None,
                followers: list[str]) -> None:
        leader = self._server(instance_id)
        engine = self.engines[leader.engine]
        self._sql(instance_id, "lead", leader)
        password = str(leader.extra.get("replication_password") or
                       self._replication_password(engine, leader))
        leader.extra["replication_password"] = password
        for follower_id in [*([old_primary] if old_primary else []), *followers]:
            follower = self.servers.get(follower_id)
            if follower is None or follower.state != "running":
                continue  # an ejected primary that is gone stays gone
            self.jobs.call(partial(self._follow_anew, engine, follower, leader, password))

    def _follow_anew(self, engine: Engine, follower: Server, leader: Server,
                     password: str) -> None:
        """On the worker (it may start a server): the follower follows `leader`."""
        follower.extra["replication_password"] = password
        if not engine.copies_to_follow:
            engine.repoint(follower, leader, REPLICATOR, password)
            return
        self._stop(follower)
        shutil.rmtree(follower.datadir, ignore_errors=True)
        engine.seed_replica(leader, follower)
        self._start(engine, follower)

    def detach_replica(self, instance_id: str) -> None:
        self._sql(instance_id, "lead", self._server(instance_id))

    def _fresh_datadir(self, engine: Engine, server: Server) -> None:
        """An empty data directory for a new server: the spare copy of the template made
        while the worker was idle (a rename), else a copy now. Then the next spare is
        queued, so a later create skips the copy, the slowest step of a start."""
        spare = self._spares.pop(engine.name, None)
        if spare is not None and spare.is_dir():
            spare.rename(server.datadir)
        else:
            shutil.copytree(self._template(engine) / "data", server.datadir, symlinks=True)
        self.jobs.submit(partial(self._make_spare, engine), background=True)

    def _make_spare(self, engine: Engine) -> None:
        """On the worker, after the job that used the last one."""
        if engine.name in self._spares or self.closed:
            return
        spare = self.root / "spares" / f"{engine.name}-{secrets.token_hex(4)}"
        spare.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(self._template(engine) / "data", spare, symlinks=True)
        self._spares[engine.name] = spare

    def _run_as(self, engine: Engine) -> str | None:
        return "postgres" if engine.name == "postgresql" and os.geteuid() == 0 else None

    def _start(self, engine: Engine, server: Server) -> None:
        server.process = engine.start(server, self._run_as(engine))
        self.registry.add(server.instance_id, server.process.pid, server.datadir)
        engine.wait_ready(server, READY_SECONDS)

    def _prepare(self, engine: Engine, server: Server, spec: Provision, restored: bool) -> None:
        """The create body's databases and users, with Trove's SQL; after a restore every
        error is ignored, as Trove's guest does (the backup may hold them already)."""
        conn = engine.admin(server)
        try:
            server.extra["admin_password"] = secrets.token_urlsafe(18)
            engine.ensure_admin(conn, ADMIN, server.extra["admin_password"])
            for name in spec.databases:
                _tolerant(restored, engine.create_database, conn, name)
            for user in spec.users:
                _tolerant(restored, engine.create_user, conn, user)
        finally:
            conn.close()

    def _template(self, engine: Engine) -> Path:
        """The engine's empty data directory, built once per version and cached; built in a
        scratch directory and renamed into place, so concurrent emulators never see half."""
        target = self.cache / f"{engine.name}-{engine.version()}-{TEMPLATE_FORMAT}"
        if (target / "data").is_dir():
            return target
        self.cache.mkdir(parents=True, exist_ok=True)
        # Built under the plane's own directory, which a server's account (`postgres`, when
        # we are root) can enter, then copied into the cache beside its final name.
        build = Path(tempfile.mkdtemp(prefix=f"template-{engine.name}-", dir=self.root))
        scratch = Path(tempfile.mkdtemp(prefix=f".{engine.name}-", dir=self.cache))
        try:
            build.chmod(0o711)
            owner = self._run_as(engine)
            if owner is not None:
                shutil.chown(build, owner)
            engine.build_template(build)
            shutil.rmtree(scratch)
            shutil.copytree(build, scratch, symlinks=True)
            try:
                scratch.rename(target)
            except OSError:  # another emulator won the race: use its template
                if not (target / "data").is_dir():
                    raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
            shutil.rmtree(build, ignore_errors=True)
        return target

    def _stop(self, server: Server) -> None:
        if server.process is not None:
            engine = self.engines[server.engine]
            processes.stop(server.process, engine.stop_signal())
            server.process = None
        self.registry.remove(server.instance_id)

    def remove_server(self, instance_id: str) -> None:
        with self._lock:
            server = self.servers.pop(instance_id, None)
        if server is None:
            return

        def remove() -> None:
            self._stop(server)
            server.state = "stopped"
            shutil.rmtree(server.home, ignore_errors=True)
            shutil.rmtree(server.rundir, ignore_errors=True)
            self.pool.release((server.address, server.port))

        self.jobs.submit(remove)

    def restart(self, instance_id: str, done: Done) -> None:
        server = self._server(instance_id)
        engine = self.engines[server.engine]

        def restart() -> None:
            server.state = "starting"
            self._stop(server)
            self._start(engine, server)
            server.state = "running"

        self.jobs.submit(restart, done)

    def backup(self, backup_id: str, instance_id: str, parent_id: str | None,
               done: Done) -> None:
        server = self._server(instance_id)
        engine = self.engines[server.engine]
        parent_meta = None
        if parent_id is not None:
            parent = self.made.get(parent_id)
            if parent is None:
                raise DataError(f"the parent backup {parent_id} holds no data, so an "
                                "incremental backup cannot build on it")
            parent_meta = {**parent.meta, "location": parent.location,
                           "checksum": parent.checksum}
        location = self.objects.new_location(backup_id + engine.object_suffix())
        failure, self.fail_next_backup = self.fail_next_backup, None
        taken = threading.Event()
        with self._lock:
            self._snapshots.append(taken)

        def run() -> BackupMade:
            try:
                if failure is not None:
                    raise DataError(failure)
                if server.state != "running":
                    raise DataError(f"the instance's server is {server.state}")
                target = self.objects.path_of(location)
                meta = engine.backup(server, target, backup_id, parent_meta)
                meta = {"datastore": server.extra.get("datastore", server.engine),
                        "datastore_version": server.version, **meta}
                if parent_meta is not None:
                    meta["parent_location"] = parent_meta["location"]
                    meta["parent_checksum"] = parent_meta["checksum"]
                checksum, size = self.objects.seal(location, meta)
                if self.objects.total_bytes() > self.settings.max_object_bytes:
                    self.objects.remove(location)
                    raise DataError("the object store is over its limit "
                                    f"(max_object_bytes={self.settings.max_object_bytes})")
                made = BackupMade(location, checksum, size, meta)
                self.made[backup_id] = made
                return made
            except DataError as error:
                self.failures[backup_id] = str(error)
                raise
            finally:
                taken.set()

        self.jobs.submit(run, done)

    def check_chain(self, chain: list[str]) -> None:
        for backup_id in chain:
            made = self.made.get(backup_id)
            if made is None:
                raise DataError(f"backup {backup_id} holds no data (it was not made by "
                                "the data plane), so it cannot be restored with data")
            self.objects.verify(backup_id, made.location, made.checksum)

    def remove_object(self, backup_id: str) -> None:
        made = self.made.pop(backup_id, None)
        if made is not None and all(m.location != made.location for m in self.made.values()):
            self.objects.remove(made.location)

    def share_object(self, source_id: str, copy_id: str) -> None:
        made = self.made.get(source_id)
        if made is not None:
            self.made[copy_id] = made

    def corrupt(self, backup_id: str, how: str) -> None:
        made = self.made.get(backup_id)
        if made is None:
            raise DataError(f"backup {backup_id} holds no data object")
        self.objects.corrupt(made.location, how)

    def server_info(self, instance_id: str) -> dict[str, Any] | None:
        server = self.servers.get(instance_id)
        if server is None:
            return None
        return {"address": server.address, "port": server.port, "state": server.state,
                "engine": server.engine, "version": server.version, "error": server.error,
                "pid": server.process.pid if server.process is not None else None}

    def backup_info(self, backup_id: str) -> dict[str, Any] | None:
        made = self.made.get(backup_id)
        if made is None:
            failure = self.failures.get(backup_id)
            return {"error": failure} if failure else None
        return {"location": made.location, "checksum": made.checksum,
                "size_bytes": made.size_bytes, "meta": dict(made.meta),
                "path": str(self.objects.path_of(made.location))}

    def admin_endpoint(self, instance_id: str) -> Endpoint:
        server = self._server(instance_id)
        if server.state != "running":
            raise DataError(f"the instance's server is {server.state}"
                            + (f": {server.error}" if server.error else ""))
        return Endpoint(server.address, server.port, ADMIN, server.extra["admin_password"],
                        server.engine, server.version)

    # -- SQL ---------------------------------------------------------------------------------
    def _server(self, instance_id: str) -> Server:
        server = self.servers.get(instance_id)
        if server is None:
            raise DataError(f"instance {instance_id} has no server")
        return server

    def _sql(self, instance_id: str, action: str, *args: Any) -> Any:
        server = self._server(instance_id)
        if server.state != "running":
            raise DataError(f"the instance's server is {server.state}")
        engine = self.engines[server.engine]
        conn = engine.admin(server)
        try:
            return getattr(engine, action)(conn, *args)
        finally:
            conn.close()

    def list_databases(self, instance_id: str) -> list[str]:
        return self._sql(instance_id, "list_databases")

    def create_databases(self, instance_id: str, names: list[str]) -> None:
        for name in names:
            self._sql(instance_id, "create_database", name)

    def drop_database(self, instance_id: str, name: str) -> None:
        self._sql(instance_id, "drop_database", name)

    def list_users(self, instance_id: str) -> list[tuple[str, str, tuple[str, ...]]]:
        return self._sql(instance_id, "list_users")

    def create_users(self, instance_id: str, users: list[UserSpec]) -> None:
        for user in users:
            self._sql(instance_id, "create_user", user)

    def drop_user(self, instance_id: str, name: str, host: str) -> None:
        self._sql(instance_id, "drop_user", name, host)

    def grant(self, instance_id: str, name: str, host: str, databases: list[str]) -> None:
        self._sql(instance_id, "grant", name, host, databases)

    def revoke(self, instance_id: str, name: str, host: str, database: str) -> None:
        self._sql(instance_id, "revoke", name, host, database)

    def set_password(self, instance_id: str, name: str, host: str, password: str) -> None:
        self._sql(instance_id, "set_password", name, host, password)

    def rename_user(self, instance_id: str, name: str, host: str, new_name: str,
                    new_host: str) -> None:
        self._sql(instance_id, "rename_user", name, host, new_name, new_host)

    def apply_configuration(self, instance_id: str, values: dict[str, Any],
                            restart: list[str]) -> None:
        server = self._server(instance_id)
        self._sql(instance_id, "apply_settings", server, values, restart)

    def remove_configuration(self, instance_id: str, names: list[str],
                             restart: list[str]) -> None:
        server = self._server(instance_id)
        self._sql(instance_id, "reset_settings", server, names, restart)

    def enable_root(self, instance_id: str, password: str) -> None:
        self._sql(instance_id, "enable_root", password)

    def disable_root(self, instance_id: str) -> None:
        self._sql(instance_id, "disable_root")

    def connect(self, instance_id: str, user: str, password: str,
                database: str | None = None) -> Any:
        """A DB-API connection over TCP as `user`, as a client of the instance would get."""
        server = self._server(instance_id)
        if server.engine == "mariadb":
            import pymysql

            return pymysql.connect(host=server.address, port=server.port, user=user,
                                   password=password, database=database, ssl_disabled=True)
        import psycopg2

        return psycopg2.connect(host=server.address, port=server.port, user=user,
                                password=password, dbname=database or "postgres")

    # -- lifecycle ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Stop every server and drop every object; queued work finishes first."""
        self.jobs.settle()
        self.jobs.deliver_none()
        with self._lock:
            servers, self.servers = list(self.servers.values()), {}
            self._snapshots = []
        def stop_all() -> None:
            for server in servers:
                self._stop(server)

        self.jobs.call(stop_all)
        for server in servers:
            shutil.rmtree(server.home, ignore_errors=True)
            shutil.rmtree(server.rundir, ignore_errors=True)
            self.pool.release((server.address, server.port))
        shutil.rmtree(self.objects.root, ignore_errors=True)
        shutil.rmtree(self.root / "spares", ignore_errors=True)
        self._spares.clear()
        self.made.clear()
        self.failures.clear()
        self.fail_next_backup = None

    def close(self) -> None:
        if self.closed:
            return
        self.reset()
        self.jobs.close()
        self.closed = True
        shutil.rmtree(self.sockets, ignore_errors=True)
        if self._own_dir:
            shutil.rmtree(self.root, ignore_errors=True)


def _tolerant(restored: bool, action: Any, *args: Any) -> None:
    try:
        action(*args)
    except DataError:
        if not restored:
            raise
