"""The real OpenStack Trove 26.0.0 API server, in-process, as a WSGI app: the upstream side
of trovemock's differential suite (tests/upstream). Adapted from the team's recipe
(shared/upstream-trove/real_trove.py); this copy is the project's own harness.

What runs is Trove's own code: its paste pipeline (api-paste.ini shipped with the package:
cors, request_id, http_proxy_to_wsgi, faultwrapper, osprofiler, authtoken, authorization,
contextwrapper, ratelimit, extensions, troveapp), its routes, controllers, JSON schemas,
models, quota driver, policy (oslo.policy defaults) and its database layer (sqlite in WAL
mode, or MySQL/MariaDB with ORACLE_TROVE_DB_URL; schema built by Trove's own alembic
migrations, i.e. what `trove-manage db_sync` does). Backup state changes go through the real
conductor (`complete_backup`, `building_backup`, `fail_backup`) and deletes through the real
taskmanager code (`process_casts`).

What is replaced, because no cloud is here:
  * keystone: the `authtoken` filter is keystonemiddleware's real AuthProtocol with only
    `fetch_token` overridden to look the token up in TOKENS (a dict filled by
    `add_token`) instead of asking keystone. Header stripping, the 401 body and the
    X-Project-Id / X-Tenant-Id / X-Roles / X-Role headers are keystonemiddleware's own.
  * the message bus: oslo.messaging's in-memory `fake:/` transport. Casts to the
    taskmanager are recorded (CASTS) and nothing consumes them, so a new backup stays NEW
    and a deleted backup stays listed until `process_casts()` runs the *real* taskmanager
    code for the backup casts (BackupTasks.delete_backup) or a test edits the row.
  * nova / neutron / swift / cinder / glance / guest clients: the CONF options
    remote_*_client point to small fakes below (Trove's documented extension point). The
    fake guest agent answers root calls as the real one does (the root user it made).
  * on sqlite only, Backup.fail_for_instance (reset_status) writes through one session
    instead of two, which sqlite's WAL refuses and MySQL allows (same resulting rows).

Everything here is global (oslo.config CONF, the DB engine): one real Trove per process.
Call `make_app()` once; `reset()` empties every table but the datastore catalogue.
`python real_trove.py` is a smoke test; `python real_trove.py serve --port 8780` serves it
on 127.0.0.1 with a guest-agent simulator (backups complete after ~3 s).

Usage:
    import real_trove
    app = real_trove.make_app()
    real_trove.add_token("tok-p1", "p1", roles=["member"])
    inst = real_trove.add_instance("p1")
    from werkzeug.test import Client
    Client(app).get("/v1.0/p1/backups", headers={"X-Auth-Token": "tok-p1"})
"""

from __future__ import annotations

import datetime
import os
import tempfile
import uuid

WORKDIR = os.environ.get("ORACLE_TROVE_WORKDIR") or tempfile.mkdtemp(prefix="oracle-trove-")
DB_PATH = os.path.join(WORKDIR, "trove.sqlite")
LOG_PATH = os.path.join(WORKDIR, "trove-api.log")
# sqlite by default; ORACLE_TROVE_DB_URL=mysql+pymysql://... runs Trove on MySQL/MariaDB
# (what production Trove uses; the database must exist and be empty or Trove's own).
DB_URL = os.environ.get("ORACLE_TROVE_DB_URL") or f"sqlite:///{DB_PATH}"
IS_SQLITE = DB_URL.startswith("sqlite")

# token -> {"user_id", "project_id", "roles"}
TOKENS: dict[str, dict] = {}
# every cast/call made to the taskmanager or a guest: (topic/target, method, kwargs)
CASTS: list[tuple[str, str, dict]] = []
DONE_CASTS: list[tuple[str, str, dict]] = []  # casts process_casts() has handled
# nova servers known to the fake nova: server id -> status
SERVERS: dict[str, str] = {}

_STATE: dict = {"app": None, "datastores": {}}
# datastore version id -> its manager (what the fake guest agent runs)
_MANAGER_OF_VERSION: dict[str, str] = {}
# What keystonemiddleware names in WWW-Authenticate (werkzeug's test client talks to
# http://localhost; a served harness sets it to its own URL before make_app()).
IDENTITY_URI = os.environ.get("ORACLE_TROVE_IDENTITY_URI", "http://localhost/v3")

# Datastore ids: by default the same deterministic ids trovemock uses, so that the
# `datastore.version_id` of a backup compares equal on both sides.
_TROVEMOCK_NS = uuid.UUID("5d0c6a0e-7c2b-4f43-9a53-2a3c1d1e0b5f")


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(_TROVEMOCK_NS, ":".join(parts)))


def _trovemock_catalogue() -> tuple[tuple[str, str], ...]:
    """trovemock's datastore catalogue (each type's first version is its default), so that
    both sides of the differential suite list the same datastores."""
    from trovemock.model.catalog import Datastores

    known = Datastores()
    return tuple((d.type, d.version) for kind in known.types() for d in known.versions_of(kind))


DEFAULT_DATASTORES = _trovemock_catalogue()


# --------------------------------------------------------------------------- fakes


class _Obj:
    def __init__(self, **kw):
        self.__dict__.update(kw)

    def to_dict(self):
        return dict(self.__dict__)


class FakeFlavor(_Obj):
    pass


_FLAVORS = {
    str(i): FakeFlavor(id=str(i), name=f"flavor-{i}", ram=ram, vcpus=1, disk=20, ephemeral=0,
                       links=[])
    for i, ram in ((1, 512), (2, 1024), (3, 2048), (4, 4096))
}


class _FakeServers:
    def get(self, server_id):
        from novaclient import exceptions as nova_exceptions

        status = SERVERS.get(server_id)
        if status is None:
            raise nova_exceptions.NotFound(404)
        return _Obj(id=server_id, status=status, name=f"server-{server_id}",
                    flavor={"id": "1"}, addresses={}, networks={}, host="fake-host",
                    tenant_id=None, metadata={}, created="2014-02-13T21:47:16Z")

    def list(self, *a, **kw):
        return [self.get(s) for s in SERVERS]


class _FakeFlavors:
    def get(self, flavor_id):
        from novaclient import exceptions as nova_exceptions

        f = _FLAVORS.get(str(flavor_id))
        if f is None:
            raise nova_exceptions.NotFound(404)
        return f

    def list(self, *a, **kw):
        return list(_FLAVORS.values())


class FakeNovaClient:
    def __init__(self):
        from novaclient import api_versions

        self.api_version = api_versions.APIVersion("2.1")
        self.servers = _FakeServers()
        self.flavors = _FakeFlavors()
        self.server_groups = _Obj(get=lambda *a, **k: None, list=lambda *a, **k: [])


def fake_nova_client(context=None, region_name=None, password=None, *a, **kw):
    return FakeNovaClient()


# nova server id -> Trove instance id (the fake neutron finds an instance's ports by server)
SERVER_INSTANCE: dict[str, str] = {}


class FakeNeutronClient:
    """One user port per server, on the project's private network, with the address
    trovemock gives the same instance (so both sides render the same `addresses`)."""

    def list_ports(self, device_id=None, **kw):
        instance_id = SERVER_INSTANCE.get(device_id or "")
        if instance_id is None:
            return {"ports": []}
        from trovemock.model.instances import addresses

        found = addresses(instance_id)
        return {"ports": [{
            "id": str(uuid.uuid5(uuid.UUID(instance_id), "port")),
            "network_id": found[0]["network"],
            "fixed_ips": [{"ip_address": a["address"]} for a in found],
        }]}

    def list_floatingips(self, **kw):
        return {"floatingips": []}

    def list_networks(self, **kw):
        return {"networks": []}

    def show_network(self, net_id, **kw):
        return {"network": {"id": net_id, "subnets": []}}

    def list_security_groups(self, **kw):
        return {"security_groups": []}


def fake_neutron_client(context=None, region_name=None, *a, **kw):
    return FakeNeutronClient()


class FakeSwiftClient:
    url = "http://127.0.0.1:8080/v1/AUTH_fake"

    def get_account(self, *a, **kw):
        return ({}, [])

    def head_object(self, container, obj, *a, **kw):
        return {"etag": "0" * 32}

    def delete_object(self, *a, **kw):
        return None

    def get_container(self, *a, **kw):
        return ({}, [])

    def put_container(self, *a, **kw):
        return None


def fake_swift_client(context=None, region_name=None, *a, **kw):
    return FakeSwiftClient()


class FakeCinderClient:
    def __init__(self):
        self.volumes = _Obj(get=lambda vid: _Obj(id=vid, size=2, volume_type=None,
                                                 status="in-use"))
        self.volume_snapshots = _Obj(get=lambda sid: _Obj(id=sid), delete=lambda sid: None)
        self.volume_types = _Obj(list=lambda *a, **k: [], get=lambda *a, **k: None)


def fake_cinder_client(context=None, region_name=None, *a, **kw):
    return FakeCinderClient()


class FakeGlanceClient:
    def __init__(self):
        self.images = _Obj(get=lambda image_id: {"id": image_id, "status": "active"},
                           list=lambda *a, **k: iter([{"id": "fake-image"}]))


def fake_glance_client(context=None, region_name=None, *a, **kw):
    return FakeGlanceClient()


# What each instance's database holds, as the MySQL guest agent would find it on its server
# (instance id -> {"dbs": {name: (charset, collation)}, "users": {(name, host): {...}}}).
GUEST_DATA: dict[str, dict] = {}


def _page(names, limit, marker, include_marker):
    """The guest agent's paging: names after the marker (from it, with include_marker),
    `limit` of them, and the last one shown as the next marker when more follow."""
    if marker:
        names = [n for n in names if (n >= marker if include_marker else n > marker)]
    if limit and len(names) > limit:
        return names[:limit], names[limit - 1]
    return names, None


class FakeGuest:
    """A guest agent API whose calls are recorded and answered with nothing, but for the
    databases and users, which it keeps as the MySQL guest agent finds them on its server
    (Trove's own MySQL models serialise them; MySQL grants a database that does not exist)."""

    def __init__(self, context, instance_id, *a, **kw):
        self.id = instance_id

    def _data(self) -> dict:
        return GUEST_DATA.setdefault(self.id, {"dbs": {}, "users": {}})

    def _user(self, key):
        from trove.common.db.mysql import models as mysql_models

        found = self._data()["users"][key]
        user = mysql_models.MySQLUser(name=key[0], host=key[1])
        for name in sorted(found["dbs"]):
            user.databases = name
        return user.serialize()

    def create_database(self, databases):
        for db in databases:
            self._data()["dbs"][db["_name"]] = (db.get("_character_set") or "utf8mb3",
                                                db.get("_collate") or "utf8mb3_general_ci")

    def list_databases(self, limit=None, marker=None, include_marker=False):
        from trove.common.db.mysql import models as mysql_models

        dbs = self._data()["dbs"]
        names, next_marker = _page(sorted(dbs), limit, marker, include_marker)
        return [mysql_models.MySQLSchema(name=n, character_set=dbs[n][0], collate=dbs[n][1])
                .serialize() for n in names], next_marker

    def delete_database(self, database):
        self._data()["dbs"].pop(database["_name"], None)

    def create_user(self, users):
        for user in users:
            key = (user["_name"], user.get("_host") or "%")
            self._data()["users"][key] = {"password": user.get("_password"),
                                          "dbs": {d["_name"] for d in user["_databases"]}}

    def list_users(self, limit=None, marker=None, include_marker=False):
        keys = {f"{n}@{h}": (n, h) for (n, h) in self._data()["users"]}
        names, next_marker = _page(sorted(keys), limit, marker, include_marker)
        return [self._user(keys[n]) for n in names], next_marker

    def get_user(self, username, hostname):
        key = (username, hostname)
        return self._user(key) if key in self._data()["users"] else None

    def delete_user(self, user):
        self._data()["users"].pop((user["_name"], user.get("_host") or "%"), None)

    def _existing(self, username, hostname):
        found = self._data()["users"].get((username, hostname))
        if found is None:  # the agent's `_get_user` found none: `user.name` fails
            raise AttributeError("'NoneType' object has no attribute 'name'")
        return found

    def grant_access(self, username, hostname, databases):
        self._existing(username, hostname)["dbs"].update(databases)

    def revoke_access(self, username, hostname, database):
        self._existing(username, hostname)["dbs"].discard(database)

    def list_access(self, username, hostname):
        return self._user((username, hostname))["_databases"]

    def change_passwords(self, users):
        for user in users:
            self._existing(user["name"], user["host"])["password"] = user["password"]

    def update_attributes(self, username, hostname, user_attrs):
        found = self._existing(username, hostname)
        if user_attrs.get("password") is not None:
            found["password"] = user_attrs["password"]
        if user_attrs.get("name") or user_attrs.get("host"):
            users = self._data()["users"]
            del users[(username, hostname)]
            users[(user_attrs.get("name") or username, user_attrs.get("host") or hostname)] = found

    def get_volume_info(self):
        return {"used": 0.18, "total": 2.0}

    def enable_root(self):
        return self.enable_root_with_password(None)

    def enable_root_with_password(self, root_password=None):
        """What the guest agent answers: the root user it made (the given password, or
        one it generated), serialised by Trove's own datastore user models."""
        CASTS.append(("guest." + self.id, "enable_root", {"root_password": root_password}))
        from trove.common.db.mysql import models as mysql_models
        from trove.common.db.postgresql import models as pg_models
        from trove.instance.models import DBInstance

        instance = DBInstance.find_by(id=self.id)
        manager = _MANAGER_OF_VERSION.get(instance.datastore_version_id, "mysql")
        if manager == "postgresql":
            user = pg_models.PostgreSQLUser.root(name="root", password=root_password)
        else:
            user = mysql_models.MySQLUser.root(password=root_password)
        return user.serialize()

    def __getattr__(self, name):
        def _call(*a, **kw):
            CASTS.append(("guest." + self.id, name, kw))
            return None

        return _call


def fake_guest_client(context, instance_id, manager=None, *a, **kw):
    return FakeGuest(context, instance_id)


# ---------------------------------------------------------------- keystone stand-in


def add_token(token: str, project_id: str, roles=("member",), user_id: str | None = None):
    """Register a token as keystone would have issued it."""
    TOKENS[token] = {"project_id": project_id, "roles": list(roles),
                     "user_id": user_id or f"user-{project_id}"}


def _v3_token_body(info: dict) -> dict:
    now = datetime.datetime.now(datetime.UTC)
    fmt = "%Y-%m-%dT%H:%M:%S.000000Z"
    domain = {"id": "default", "name": "Default"}
    return {"token": {
        "methods": ["password"],
        "issued_at": now.strftime(fmt),
        "expires_at": (now + datetime.timedelta(days=1)).strftime(fmt),
        "user": {"id": info["user_id"], "name": info["user_id"], "domain": domain},
        "project": {"id": info["project_id"], "name": info["project_id"], "domain": domain},
        "roles": [{"id": f"role-{r}", "name": r} for r in info["roles"]],
        "catalog": [],
    }}


def fake_authtoken_factory(global_conf, **local_conf):
    """keystonemiddleware.auth_token, but tokens come from TOKENS instead of keystone."""
    from keystonemiddleware import auth_token
    from keystonemiddleware.auth_token import _exceptions as ksm_exceptions

    class LocalAuthProtocol(auth_token.AuthProtocol):
        def fetch_token(self, token, allow_expired=False):
            info = TOKENS.get(token)
            if info is None:
                raise ksm_exceptions.InvalidToken("unknown token")
            return _v3_token_body(info)

    conf = dict(global_conf)
    conf.update(local_conf)
    # the identity service of the host the client addressed, as trovemock serves it
    conf.setdefault("www_authenticate_uri", IDENTITY_URI)
    conf.setdefault("delay_auth_decision", "false")

    def _factory(app):
        return LocalAuthProtocol(app, conf)

    return _factory


# ------------------------------------------------------------- message bus stand-in


def _record_casts():
    """Keep the real oslo.messaging client (fake:/ transport) but note what is sent."""
    import oslo_messaging

    original_cast = oslo_messaging.rpc.client._BaseCallContext.cast

    def cast(self, ctxt, method, **kwargs):
        CASTS.append((self.target.topic or "", method, kwargs))
        return original_cast(self, ctxt, method, **kwargs)

    def call(self, ctxt, method, **kwargs):
        CASTS.append((self.target.topic or "", "call:" + method, kwargs))
        return None  # nothing would answer: pretend the call returned nothing

    oslo_messaging.rpc.client._BaseCallContext.cast = cast
    oslo_messaging.rpc.client._BaseCallContext.call = call


def _sqlite_safe_fail_for_instance():
    """Backup.fail_for_instance (reset_status) reads the running backups in one session,
    saves each through another, then commits the first: fine on MySQL/InnoDB, but on sqlite
    in WAL mode the first session's read snapshot is stale by then and its commit fails
    ("database is locked" -> 500). Same effect, one writer: each running backup of the
    instance is saved FAILED (with its `updated` time) through Trove's own save()."""
    from trove.backup.models import Backup, DBBackup
    from trove.backup.state import BackupState

    def fail_for_instance(cls, instance_id):
        for backup in DBBackup.find_all(instance_id=instance_id, deleted=False).all():
            if backup.state in BackupState.RUNNING_STATES:
                backup.state = BackupState.FAILED
                backup.save()

    Backup.fail_for_instance = classmethod(fail_for_instance)


def process_casts():
    """Run the real taskmanager code for the backup casts still pending: delete_backup
    (marks the backup deleted, through trove.taskmanager.models.BackupTasks). A
    create_backup cast is only dropped: its work is the guest agent's, which is not here;
    move a backup along with `set_backup`."""
    from trove.common import context as trove_context
    from trove.taskmanager import models as tm_models

    done = []
    pending = [c for c in CASTS if c[1] in ("delete_backup", "create_backup")]
    for c in pending:
        CASTS.remove(c)
        DONE_CASTS.append(c)
        if c[1] == "delete_backup":
            ctx = trove_context.TroveContext(is_admin=True)
            tm_models.BackupTasks.delete_backup(ctx, c[2]["backup_id"])
            done.append(("delete_backup", c[2]["backup_id"]))
    return done


# ------------------------------------------------------------------------- set-up


def _write_files():
    import sys

    # the wheel installs Trove's etc/ files as data files under the environment's prefix
    shipped = os.path.join(sys.prefix, "etc", "trove", "api-paste.ini")
    if not os.path.exists(shipped):
        raise RuntimeError(f"api-paste.ini of the trove package not found at {shipped}")
    with open(shipped) as f:
        paste = f.read()
    # The one change to Trove's pipeline: our authtoken instead of keystone's network one.
    paste = paste.replace(
        "paste.filter_factory = keystonemiddleware.auth_token:filter_factory",
        f"paste.filter_factory = {__name__}:fake_authtoken_factory")
    assert f"{__name__}:fake_authtoken_factory" in paste
    paste_path = os.path.join(WORKDIR, "api-paste.ini")
    with open(paste_path, "w") as f:
        f.write(paste)

    me = __name__
    conf = f"""[DEFAULT]
transport_url = fake:/
api_paste_config = {paste_path}
bind_host = 127.0.0.1
log_file = {LOG_PATH}
debug = false
remote_nova_client = {me}.fake_nova_client
remote_neutron_client = {me}.fake_neutron_client
remote_swift_client = {me}.fake_swift_client
remote_cinder_client = {me}.fake_cinder_client
remote_glance_client = {me}.fake_glance_client
remote_guest_client = {me}.fake_guest_client
# Trove's in-memory rate limiter (ratelimit filter) stays in the pipeline, but a battery
# sends more than the default 200 requests/minute per verb and project.
http_get_rate = 100000
http_post_rate = 100000
http_delete_rate = 100000
http_put_rate = 100000
http_mgmt_post_rate = 100000
# seeded guests never send heartbeats: keep them "up to date" for a day
agent_heartbeat_expiry = 86400

[database]
connection = {DB_URL}
sqlite_synchronous = false

[oslo_messaging_notifications]
driver = noop

[oslo_policy]
policy_file = {os.path.join(WORKDIR, 'policy.yaml')}
"""
    conf_path = os.path.join(WORKDIR, "trove.conf")
    with open(conf_path, "w") as f:
        f.write(conf)
    return conf_path, paste_path, shipped


def make_app():
    """Initialise Trove (config, logging, RPC, DB schema) once and return its WSGI app."""
    if _STATE["app"] is not None:
        return _STATE["app"]
    conf_path, paste_path, shipped = _write_files()

    from oslo_log import log as logging
    from trove.common import cfg

    cfg.parse_args(["trove-api", "--config-file", conf_path])
    logging.setup(cfg.CONF, None)
    _record_casts()
    if IS_SQLITE:
        _sqlite_safe_fail_for_instance()
    from trove import rpc

    rpc.init(cfg.CONF)

    # trove-manage db_sync: Trove's alembic migrations, then the API's configure_db.
    from trove.db import get_db_api

    db_api = get_db_api()
    db_api.db_sync(cfg.CONF)
    # WAL: a reader's open transaction must not block a writer. Trove's cascade delete
    # writes (recursive Backup.delete) while the session of its child query is still
    # open, which MySQL/InnoDB allows and sqlite's default rollback journal does not
    # ("database is locked" -> 500). WAL gives the InnoDB-like behaviour.
    if IS_SQLITE:
        import sqlite3

        with sqlite3.connect(DB_PATH) as con:
            assert con.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    db_api.configure_db()

    # What trove/cmd/api.py does before serving.
    from trove.common import notification
    from trove.instance import models as inst_models

    notification.DBaaSAPINotification.register_notify_callback(
        inst_models.persist_instance_fault)
    cfg.set_api_config_defaults()

    from trove.common import pastedeploy

    app = pastedeploy.paste_deploy_app(paste_path, "trove", {})
    _STATE["app"] = app
    _STATE["paste"] = shipped
    from trove.common import limits

    assert limits.DEFAULT_LIMITS[0].value == cfg.CONF.http_post_rate, "rate limits not applied"
    seed_datastores()
    reset()  # a reused MySQL database may hold rows of an earlier run
    return app


_KEEP_TABLES = {"alembic_version", "datastores", "datastore_versions",
                "datastore_version_metadata", "capabilities", "capability_overrides",
                "datastore_configuration_parameters"}


def reset():
    """Empty every table but the datastore catalogue (what Trove's own clean_db does,
    minus the datastores, which stay seeded). Tokens are kept."""
    from sqlalchemy import inspect, text
    from trove.db.sqlalchemy import session

    eng = session.get_engine()
    tables = _STATE.get("tables")
    if tables is None:
        tables = [t for t in inspect(eng).get_table_names() if t not in _KEEP_TABLES]
        _STATE["tables"] = tables
    q = '"' if IS_SQLITE else "`"
    with eng.begin() as c:
        if not IS_SQLITE:
            c.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        for t in tables:
            c.execute(text(f"DELETE FROM {q}{t}{q}"))
        if not IS_SQLITE:
            c.execute(text("SET FOREIGN_KEY_CHECKS=1"))
    CASTS.clear()
    DONE_CASTS.clear()
    GUEST_DATA.clear()
    SERVERS.clear()
    SERVER_INSTANCE.clear()


# ------------------------------------------------------------------------- seeding


_GUEST_MANAGERS = {"mysql": "trove.guestagent.datastore.mysql.manager.Manager",
                   "mariadb": "trove.guestagent.datastore.mariadb.manager.Manager",
                   "postgresql": "trove.guestagent.datastore.postgres.manager.PostgresManager"}


def _image(kind: str, version: str) -> str:
    """The Glance image the operator registered (trovemock's made-up id for the pair)."""
    from trovemock.model.catalog import Datastores, image_id

    return image_id(Datastores().register(kind, version))


def seed_datastores(pairs=DEFAULT_DATASTORES):
    """trove-manage datastore_update / datastore_version_update for each pair."""
    from trove.datastore import models as ds

    for kind, version in pairs:
        if (kind, version) in _STATE["datastores"]:
            continue
        ds.update_datastore(kind, None)
        # Trove 26 knows no guest for percona: an operator names one (MySQL's)
        registry_ext = None if kind in _GUEST_MANAGERS else _GUEST_MANAGERS["mysql"]
        ds.update_datastore_version(kind, version, kind, _image(kind, version), "", "", 1,
                                    registry_ext=registry_ext)
        # give them trovemock's deterministic ids (rows are fresh: no backup refers yet)
        db = ds.DBDatastore.find_by(name=kind)
        want_ds = stable_id(kind)
        ver = ds.DBDatastoreVersion.find_by(datastore_id=db.id, name=version)
        want_ver = stable_id("version", kind, version)
        _rekey(db.id, want_ds, ver.id, want_ver)
        _STATE["datastores"][(kind, version)] = want_ver
        _MANAGER_OF_VERSION[want_ver] = kind
    for kind in {k for k, _ in pairs}:
        latest = [v for (k, v) in pairs if k == kind][0]
        ds.update_datastore(kind, latest)
    _load_parameters(pairs)


def _load_parameters(pairs) -> None:
    """`trove-manage db_load_datastore_config_parameters` with the rules Trove ships for
    each datastore it has a guest for (what a deployment loads for configuration groups)."""
    import json

    import trove
    from trove.configuration import models as configuration

    templates = os.path.join(os.path.dirname(trove.__file__), "templates")
    for kind, version in pairs:
        rules = os.path.join(templates, kind, "validation-rules.json")
        if kind not in _GUEST_MANAGERS or not os.path.exists(rules):
            continue
        with open(rules) as handle:
            parameters = json.load(handle)["configuration-parameters"]
        version_id = _STATE["datastores"][(kind, version)]
        for rule in parameters:
            # bounds as text: SQLite's integers stop at 2**63 - 1, a MySQL bound does not
            # (Trove reads them back with int() either way)
            bound = {k: (str(rule[k]) if rule.get(k, 0) > 2**63 - 1 else rule.get(k))
                     for k in ("max", "min")}
            configuration.create_or_update_datastore_configuration_parameter(
                rule["name"], version_id, rule["restart_required"], rule["type"],
                bound["max"], bound["min"])


def _rekey(old_ds, new_ds, old_ver, new_ver):
    from sqlalchemy import text
    from trove.db.sqlalchemy import session

    eng = session.get_engine()
    with eng.begin() as c:
        if not IS_SQLITE:
            c.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        if old_ds != new_ds:
            c.execute(text("UPDATE datastores SET id=:n WHERE id=:o"), {"n": new_ds, "o": old_ds})
            c.execute(text("UPDATE datastore_versions SET datastore_id=:n WHERE datastore_id=:o"),
                      {"n": new_ds, "o": old_ds})
        if old_ver != new_ver:
            c.execute(text("UPDATE datastore_versions SET id=:n WHERE id=:o"),
                      {"n": new_ver, "o": old_ver})
            c.execute(text("UPDATE datastores SET default_version_id=:n "
                           "WHERE default_version_id=:o"), {"n": new_ver, "o": old_ver})
        if not IS_SQLITE:
            c.execute(text("SET FOREIGN_KEY_CHECKS=1"))


def add_instance(project_id: str, id: str | None = None, name: str | None = None,
                 datastore=("mysql", "5.7"), volume_size: int = 2, flavor_id: str = "1",
                 server_status: str = "ACTIVE", service_status: str = "HEALTHY"):
    """An instance row as the taskmanager leaves it once built: task NONE, a nova server
    (in the fake nova) with `server_status`, and a guest heartbeat `service_status`."""
    from trove.instance import models as im
    from trove.instance import service_status as srvstatus
    from trove.instance.tasks import InstanceTasks

    ver_id = _STATE["datastores"].get(tuple(datastore))
    if ver_id is None:
        seed_datastores((tuple(datastore),))
        ver_id = _STATE["datastores"][tuple(datastore)]
    iid = id or str(uuid.uuid4())
    server_id = str(uuid.uuid5(uuid.UUID(iid), "nova-server"))  # columns are 36 chars wide
    im.DBInstance.create(
        id=iid, name=name or f"inst-{iid[:8]}", compute_instance_id=server_id,
        task_status=InstanceTasks.NONE, flavor_id=flavor_id, volume_size=volume_size,
        tenant_id=project_id, datastore_version_id=ver_id, server_status=server_status,
        region_id="RegionOne", volume_id=str(uuid.uuid5(uuid.UUID(iid), "cinder-volume")))
    im.InstanceServiceStatus.create(
        instance_id=iid, status=getattr(srvstatus.ServiceStatuses, service_status))
    SERVERS[server_id] = server_status
    SERVER_INSTANCE[server_id] = iid
    return iid


def set_backup(backup_id: str, state: str | None = None, size: float | None = None,
               location: str | None = None, **fields):
    """What the guest agent / conductor would write: state, size, location, ..."""
    from trove.backup.models import DBBackup

    b = DBBackup.find_by(id=backup_id)
    if state is not None:
        b.state = state
    if size is not None:
        b.size = size
    if location is not None:
        b.location = location
    for k, v in fields.items():
        setattr(b, k, v)
    b.save()
    return b


def guest_update_backup(backup_id: str, **fields):
    """What the guest agent sends the conductor while it backs up (trove/guestagent/
    datastore/service.py): state BUILDING with `size` (the volume's used GB) first, then
    COMPLETED (+ checksum, location, success) or FAILED. Runs the real conductor's
    Manager.update_backup, stale-message check included."""
    import time as _time

    from trove.backup.models import DBBackup
    from trove.common import context as trove_context
    from trove.conductor import manager as conductor_manager

    b = DBBackup.find_by(id=backup_id)
    ctx = trove_context.TroveContext(is_admin=True)
    conductor_manager.Manager().update_backup(
        ctx, b.instance_id, backup_id, sent=_time.time(), **fields)
    return DBBackup.find_by(id=backup_id)


def building_backup(backup_id: str, size: float = 0.18):
    return guest_update_backup(backup_id, state="BUILDING", size=size)


def complete_backup(backup_id: str, size: float = 0.18):
    """NEW/BUILDING -> COMPLETED as the guest agent reports it."""
    building_backup(backup_id, size=size)
    return guest_update_backup(
        backup_id, state="COMPLETED", size=size, checksum="0" * 32, success=True,
        location=swift_location(b_project(backup_id), backup_id, _container(backup_id)))


def b_project(backup_id: str) -> str:
    from trove.backup.models import DBBackup

    return DBBackup.find_by(id=backup_id).tenant_id


def _container(backup_id: str) -> str:
    """The container the create cast named (the request's swift_container), or Trove's
    default, where the guest agent puts the backup."""
    for _topic, method, kwargs in CASTS + DONE_CASTS:
        info = kwargs.get("backup_info") or {}
        if method == "create_backup" and info.get("id") == backup_id:
            return info.get("swift_container") or "database_backups"
    return "database_backups"


def swift_location(project_id: str, backup_id: str, container: str = "database_backups") -> str:
    """Where the guest agent stores a backup: the project's Swift account (the URL
    trovemock shows)."""
    return f"http://127.0.0.1:8080/v1/AUTH_{project_id}/{container}/{backup_id}.xbstream.gz"


def fail_backup(backup_id: str, size: float = 0.18):
    """BUILDING -> FAILED as the guest agent reports a failed backup (size stays)."""
    building_backup(backup_id, size=size)
    return guest_update_backup(backup_id, state="FAILED", size=size, success=False)


def set_quota(project_id: str, resource: str, hard_limit: int):
    from trove.quota.models import Quota

    found = Quota.find_all(tenant_id=project_id, resource=resource).all()
    if found:
        q = found[0]
        q.hard_limit = hard_limit
        q.save()
    else:
        Quota.create(tenant_id=project_id, resource=resource, hard_limit=hard_limit,
                     id=str(uuid.uuid4()))


# ------------------------------------------------------------- a live fake deployment


def start_guest_simulator(new_seconds: float = 1.0, building_seconds: float = 2.0,
                          size: float = 0.18, interval: float = 0.2):
    """A thread that plays the guest agent and the taskmanager for a served oracle: a NEW
    backup reports BUILDING after `new_seconds`, COMPLETED `building_seconds` later (both
    through the real conductor), and pending delete casts run the real taskmanager code."""
    import threading
    import time as _time

    from trove.backup.models import DBBackup

    stop = threading.Event()

    def loop():
        while not stop.is_set():
            try:
                process_casts()
                now = datetime.datetime.utcnow()
                for b in DBBackup.find_all(deleted=False).all():
                    age = (now - b.created).total_seconds()
                    if b.state == "NEW" and age >= new_seconds:
                        building_backup(b.id, size=size)
                    elif b.state == "BUILDING" and age >= new_seconds + building_seconds:
                        complete_backup(b.id, size=size)
            except Exception:  # keep simulating; the API log has the details
                import logging

                logging.getLogger(__name__).exception("guest simulator")
            _time.sleep(interval)

    t = threading.Thread(target=loop, name="oracle-guest", daemon=True)
    t.start()
    return stop


def serve(host: str = "127.0.0.1", port: int = 8780, project: str = "p1",
          token: str = "tok-p1", admin_token: str | None = "tok-admin"):
    """Real Trove on http://host:port/v1.0/<project>, one ACTIVE instance, a guest
    simulator. For clients and contract suites that need a socket."""
    from werkzeug.serving import make_server

    app = make_app()
    add_token(token, project, roles=["member"])
    if admin_token:
        add_token(admin_token, project, roles=["admin"])
    iid = add_instance(project)
    stop = start_guest_simulator()
    server = make_server(host, port, app, threaded=False)
    print(f"real Trove 26.0.0 on http://{host}:{server.port}/v1.0/{project} "
          f"token={token} instance={iid} (log: {LOG_PATH})", flush=True)
    try:
        server.serve_forever()
    finally:
        stop.set()


if __name__ == "__main__" and len(__import__("sys").argv) > 1 and \
        __import__("sys").argv[1] == "serve":
    import argparse

    ap = argparse.ArgumentParser(prog="real_trove.py serve")
    ap.add_argument("cmd")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8780)
    ap.add_argument("--project", default="p1")
    ap.add_argument("--token", default="tok-p1")
    a = ap.parse_args()
    serve(a.host, a.port, a.project, a.token)
elif __name__ == "__main__":  # smoke test
    from werkzeug.test import Client

    app = make_app()
    add_token("t1", "p1")
    iid = add_instance("p1")
    c = Client(app)
    r = c.post("/v1.0/p1/backups", json={"backup": {"name": "b1", "instance": iid}},
               headers={"X-Auth-Token": "t1"})
    print(r.status_code, r.headers.get("Content-Type"), r.get_data(as_text=True))
    r = c.get("/v1.0/p1/backups", headers={"X-Auth-Token": "t1"})
    print(r.status_code, r.get_data(as_text=True))
    print("casts:", CASTS)
