"""Differential cases of the routes around backups (imported by `cases`, whose helpers and
CASES list they use): backup strategies and the backups that follow them, version
discovery, datastores, the root user, `reset_status`, and more instance routes.

Same world as `cases`: t1 = p1 member, t2 = p2 member, ta = p1 admin; I1 (p1), I2 (p2)."""

from __future__ import annotations

from typing import Any

from tests.upstream.cases import I3, LIST, UNKNOWN, case, completed, create, get, show
from tests.upstream.sides import I1, I2, Force, Request, Seed

STRATEGIES = "/backup_strategies"
MYSQL = "64c25cfa-6f35-5654-a72b-8d1b1a334fe9"  # the mysql type's id on both sides
MYSQL_57 = "211bdeee-5cba-54e8-b4f8-a7a956c458fe"  # mysql 5.7's version id
PASSWORD = "Chosen-Passw0rd"


def strategy(container: Any = "team", instance: str | None = None, **kw: Any) -> Request:
    body: dict[str, Any] = {"swift_container": container}
    if instance is not None:
        body["instance_id"] = instance
    return Request("POST", STRATEGIES, {"backup_strategy": body}, **kw)


def strategies(query: str = "", **kw: Any) -> Request:
    return Request("GET", STRATEGIES, query=query, **kw)


def drop_strategy(query: str = "", **kw: Any) -> Request:
    return Request("DELETE", STRATEGIES, query=query, **kw)


# -- backup strategies ----------------------------------------------------------------------
case("strategies.empty", strategies(), group="strategies")
case("strategies.create.project", strategy(), strategies(), group="strategies")
case("strategies.create.instance", strategy("mine", I1), strategies(),
     strategies(f"instance_id={I1}"), group="strategies")
case("strategies.create.unknown_instance", strategy("x", UNKNOWN), strategies(),
     group="strategies")
case("strategies.create.other_projects_instance", strategy("x", I2), strategies(),
     group="strategies")
case("strategies.create.again_overwrites", strategy("a"), strategy("b", I1), strategy("c"),
     strategies(), group="strategies")
case("strategies.create.shell_unsafe_container", strategy("a b;c"), strategies(),
     group="strategies")
case("strategies.create.admin", strategy("adm", token="ta"), strategies(),
     group="strategies")
case("strategies.list.filters", strategy("p"), strategy("i1", I1), strategy("i3", I3),
     strategies(f"instance_id={I3}"), strategies("instance_id="),
     strategies(f"instance_id={UNKNOWN}"), strategies("project_id=p1"), group="strategies")
case("strategies.list.other_project.member",
     strategy("theirs", token="t2", project="p2"), strategies("project_id=p2"),
     group="strategies")
case("strategies.list.other_project.admin",
     strategy("theirs", token="t2", project="p2"), strategies("project_id=p2", token="ta"),
     strategies(token="ta"), group="strategies")
case("strategies.list.unknown_query", strategy(), strategies("limit=1&marker=3"),
     group="strategies")
case("strategies.delete.project", strategy("p"), strategy("i", I1), drop_strategy(),
     strategies(), group="strategies")
case("strategies.delete.instance", strategy("p"), strategy("i", I1),
     drop_strategy(f"instance_id={I1}"), strategies(), group="strategies")
case("strategies.delete.missing", drop_strategy(f"instance_id={UNKNOWN}"), drop_strategy(),
     strategies(), group="strategies")
case("strategies.delete.other_project.member",
     strategy("theirs", token="t2", project="p2"), drop_strategy("project_id=p2"),
     Request("GET", STRATEGIES, token="t2", project="p2"), group="strategies")
case("strategies.delete.other_project.admin",
     strategy("theirs", token="t2", project="p2"), drop_strategy("project_id=p2", token="ta"),
     Request("GET", STRATEGIES, token="t2", project="p2"), group="strategies")
for label, kw in {"no_token": {"token": None}, "unknown_token": {"token": "made-up"},
                  "other_project": {"token": "t2"}}.items():
    case(f"strategies.auth.{label}", strategy("p"),
         Request("GET", STRATEGIES, **kw), Request("POST", STRATEGIES,
                                                   {"backup_strategy": {"swift_container": "x"}},
                                                   **kw),
         Request("DELETE", STRATEGIES, **kw), strategies(), group="strategies")

STRATEGY_BODIES: dict[str, Any] = {
    "no_key": {"swift_container": "x"},
    "empty_object": {},
    "null": None,
    "array": [],
    "strategy_null": {"backup_strategy": None},
    "strategy_empty": {"backup_strategy": {}},
    "container_empty": {"backup_strategy": {"swift_container": ""}},
    "container_null": {"backup_strategy": {"swift_container": None}},
    "container_number": {"backup_strategy": {"swift_container": 5}},
    "container_spaces": {"backup_strategy": {"swift_container": "   "}},
    "container_too_long": {"backup_strategy": {"swift_container": "c" * 256}},
    "container_longest": {"backup_strategy": {"swift_container": "c" * 255}},
    "instance_not_uuid": {"backup_strategy": {"swift_container": "x", "instance_id": "junk"}},
    "instance_null": {"backup_strategy": {"swift_container": "x", "instance_id": None}},
    "instance_empty": {"backup_strategy": {"swift_container": "x", "instance_id": ""}},
    "unknown_key": {"backup_strategy": {"swift_container": "x", "backend": "ceph"}},
    "unknown_top_level_key": {"backup_strategy": {"swift_container": "x"}, "extra": 1},
}
for label, body in STRATEGY_BODIES.items():
    raw = b"null" if body is None else None
    case(f"strategies.body.{label}", Request("POST", STRATEGIES, body, raw=raw), strategies(),
         group="strategies")
case("strategies.body.invalid_json", Request("POST", STRATEGIES, raw=b'{"backup_strategy": '),
     strategies(), group="strategies")
case("strategies.body.without_content_type",
     Request("POST", STRATEGIES, {"backup_strategy": {"swift_container": "x"}},
             content_type=None), strategies(), group="strategies")
case("strategies.body.text_plain",
     Request("POST", STRATEGIES, {"backup_strategy": {"swift_container": "x"}},
             content_type="text/plain"), strategies(), group="strategies")
for method, path in (("PUT", STRATEGIES), ("PATCH", STRATEGIES), ("GET", STRATEGIES + "/"),
                     ("POST", STRATEGIES + "/"), ("GET", f"{STRATEGIES}/{I1}"),
                     ("DELETE", f"{STRATEGIES}/{I1}"), ("HEAD", STRATEGIES)):
    case(f"strategies.route.{method}.{path.strip('/').replace('/', '.')}", strategy("p"),
         Request(method, path, {"backup_strategy": {"swift_container": "y"}}
                 if method in ("PUT", "PATCH", "POST") else None), strategies(),
         group="strategies")

# -- backups that follow a strategy (locationRef names the container) -----------------------
case("strategies.backup.project", strategy("team"), completed("B1"), show("B1"),
     group="strategies")
case("strategies.backup.instance_before_project", strategy("team"), strategy("mine", I1),
     completed("B1"), show("B1"), Seed(I3), completed("B2", I3), show("B2"),
     group="strategies")
case("strategies.backup.body_wins", strategy("team"), strategy("mine", I1),
     completed("B1", swift_container="own"), show("B1"), group="strategies")
case("strategies.backup.after_delete", strategy("team"), drop_strategy(), completed("B1"),
     show("B1"), group="strategies")
case("strategies.backup.other_projects_strategy",
     strategy("theirs", token="t2", project="p2"), completed("B1"), show("B1"),
     group="strategies")
case("strategies.backup.admin_uses_its_own_project",
     strategy("admins"), strategy("owners", token="t2", project="p2"),
     completed("B1", I2, _token="ta"), show("B1", token="ta"), group="strategies")
case("strategies.backup.instance_as_href", strategy("mine", I1),
     Request("POST", "/backups", {"backup": {
         "name": "h", "instance": f"http://localhost/v1.0/p1/instances/{I1}"}}, alias="B1"),
     Force("B1", "COMPLETED"), show("B1"), group="strategies")
case("strategies.backup.restore_from_ignores_it", strategy("team"),
     Request("POST", "/backups", {"backup": {"name": "r", "restore_from": {
         "remote_location": "http://swift/c/o.xbstream.gz",
         "local_datastore_version_id": MYSQL_57, "size": 0.5}}}, alias="R1"),
     show("R1"), group="strategies")

# -- version discovery ----------------------------------------------------------------------
for label, kw in {"": {}, ".no_token": {"token": None}, ".unknown_token": {"token": "made-up"},
                  ".admin": {"token": "ta"}, ".no_accept": {"token": None, "accept": None}
                  }.items():
    case(f"discovery.root{label}", Request("GET", "//", **kw), group="discovery")
    case(f"discovery.v1{label}", Request("GET", "//v1.0", **kw), group="discovery")
case("discovery.v1_slash", Request("GET", "//v1.0/"), group="discovery")
case("discovery.v1_slash.no_token", Request("GET", "//v1.0/", token=None), group="discovery")
case("discovery.root.head", Request("HEAD", "//", token=None), group="discovery")
case("discovery.root.delete", Request("DELETE", "//", token=None), group="discovery")
case("discovery.root.post_body", Request("POST", "//", {"versions": 1}, token=None),
     group="discovery")
case("discovery.v1.post.no_token", Request("POST", "//v1.0", {"a": 1}, token=None),
     group="discovery")
case("discovery.v1.delete", Request("DELETE", "//v1.0"), group="discovery")

# -- datastores -----------------------------------------------------------------------------
for label, path in {
    "list": "/datastores",
    "show.name": "/datastores/mysql",
    "show.id": f"/datastores/{MYSQL}",
    "show.other_type": "/datastores/postgresql",
    "show.unknown_name": "/datastores/nosql",
    "show.unknown_id": f"/datastores/{UNKNOWN}",
    "versions.name": "/datastores/mysql/versions",
    "versions.id": f"/datastores/{MYSQL}/versions",
    "versions.unknown_type": "/datastores/nosql/versions",
    "version.name": "/datastores/mysql/versions/5.7",
    "version.id": f"/datastores/mysql/versions/{MYSQL_57}",
    "version.of_type_id": f"/datastores/{MYSQL}/versions/5.7",
    "version.unknown_name": "/datastores/mysql/versions/9.9",
    "version.unknown_id": f"/datastores/mysql/versions/{UNKNOWN}",
    "version.of_other_type": "/datastores/postgresql/versions/5.7",
    "version.unknown_type": "/datastores/nosql/versions/5.7",
    "version_by_id": f"/datastores/versions/{MYSQL_57}",
    "version_by_id.unknown": f"/datastores/versions/{UNKNOWN}",
    "version_by_id.name": "/datastores/versions/5.7",
}.items():
    case(f"datastores.{label}", get(path), group="datastores")
case("datastores.list.admin", get("/datastores", token="ta"), group="datastores")
case("datastores.version.admin", get("/datastores/mysql/versions/5.7", token="ta"),
     group="datastores")
for label, kw in {"no_token": {"token": None}, "unknown_token": {"token": "made-up"},
                  "other_project": {"token": "t2"}}.items():
    case(f"datastores.auth.{label}", get("/datastores", **kw),
         get("/datastores/mysql/versions/5.7", **kw), group="datastores")
# (DELETE /datastores/{id} is Trove's admin API to remove a datastore: not emulated.)
for method, path in (("POST", "/datastores"), ("PUT", "/datastores/mysql"),
                     ("POST", "/datastores/mysql/versions"),
                     ("DELETE", f"/datastores/versions/{MYSQL_57}"),
                     ("GET", "/datastores/"), ("GET", "/datastores/mysql/"),
                     ("GET", "/datastores/mysql/versions/")):
    case(f"datastores.route.{method}.{path.strip('/').replace('/', '.')}",
         Request(method, path, {"datastore": {"name": "x"}} if method in ("PUT", "POST")
                 else None), group="datastores")


# -- the root user --------------------------------------------------------------------------
def root(method: str = "GET", instance: str = I1, body: Any = None, **kw: Any) -> Request:
    return Request(method, f"/instances/{instance}/root", body, **kw)


case("root.show.never_enabled", root(), group="root")
case("root.enable", root("POST"), root(), group="root")
case("root.enable.password", root("POST", body={"password": PASSWORD}), root(), group="root")
case("root.enable.empty_body", root("POST", body={}), root(), group="root")
case("root.enable.twice", root("POST"), root("POST", body={"password": PASSWORD}), root(),
     group="root")
case("root.disable", root("POST"), root("DELETE"), root(), root("DELETE"), root("POST"),
     root(), group="root")
case("root.disable.never_enabled", root("DELETE"), root(), group="root")
case("root.postgresql", Seed(I3, datastore=("postgresql", "12")), root("POST", I3),
     root("GET", I3), root("DELETE", I3), group="root")
case("root.mariadb", Seed(I3, datastore=("mariadb", "10.4")), root("POST", I3),
     group="root")
case("root.unsupported_datastore", Seed(I3, datastore=("percona", "5.7")), root("GET", I3),
     root("POST", I3), root("DELETE", I3), group="root")
for status in ("BUILD", "ERROR", "SHUTDOWN"):
    case(f"root.instance_{status.lower()}", Seed(I3, status=status), root("GET", I3),
         root("POST", I3), group="root")
case("root.while_backup", create("B1"), root("POST"), root(), group="root")
case("root.unknown_instance", root("GET", UNKNOWN), root("POST", UNKNOWN),
     root("DELETE", UNKNOWN), group="root")
case("root.not_uuid", root("GET", "junk"), group="root")
case("root.other_projects_instance", root("GET", I2), root("POST", I2), group="root")
case("root.admin_on_other_projects_instance", root("POST", I2, token="ta"),
     root("GET", I2, token="t2", project="p2"), group="root")
for label, kw in {"no_token": {"token": None}, "unknown_token": {"token": "made-up"},
                  "other_project": {"token": "t2"}}.items():
    case(f"root.auth.{label}", root("GET", **kw), root("POST", **kw), root("DELETE", **kw),
         root(), group="root")
case("root.body.password_empty", root("POST", body={"password": ""}), root(), group="root")
case("root.body.password_number", root("POST", body={"password": 5}), root(), group="root")
case("root.body.array", root("POST", body=[]), root(), group="root")
case("root.body.invalid_json", Request("POST", f"/instances/{I1}/root", raw=b"{"), root(),
     group="root")
for method, path in (("PUT", f"/instances/{I1}/root"), ("GET", f"/instances/{I1}/root/")):
    case(f"root.route.{method}.{path.strip('/').replace('/', '.')}",
         Request(method, path, {"password": "x"} if method == "PUT" else None), root(),
         group="root")


# -- reset_status ---------------------------------------------------------------------------
def reset(body: Any = None, instance: str = I1, **kw: Any) -> Request:
    return Request("POST", f"/instances/{instance}/action",
                   {"reset_status": {}} if body is None else body, **kw)


case("reset_status.admin", create("B1"), Force("B1", "BUILDING"), reset(token="ta"),
     show("B1"), get(f"/instances/{I1}"), LIST, group="reset_status")
case("reset_status.keeps_completed_backups", completed("B1"), reset(token="ta"), show("B1"),
     group="reset_status")
case("reset_status.owner_without_force_delete", create("B1"), reset(), show("B1"),
     get(f"/instances/{I1}"), group="reset_status")
case("reset_status.owner_with_force_delete", create("B1"),
     reset({"reset_status": {"force_delete": True}}), show("B1"), get(f"/instances/{I1}"),
     group="reset_status")
case("reset_status.force_delete_false", reset({"reset_status": {"force_delete": False}}),
     get(f"/instances/{I1}"), group="reset_status")
case("reset_status.then_backup", reset(token="ta"), create("B1"), LIST, group="reset_status")
case("reset_status.then_root", reset(token="ta"), root(), root("POST"), group="reset_status")
case("reset_status.then_delete_instance", create("B1"), reset(token="ta"),
     Request("DELETE", f"/instances/{I1}"), get(f"/instances/{I1}"), group="reset_status")
case("reset_status.then_restart", reset(token="ta"),
     Request("POST", f"/instances/{I1}/action", {"restart": {}}), get(f"/instances/{I1}"),
     group="reset_status")
case("reset_status.admin_on_other_projects_instance",
     Request("POST", "/backups", {"backup": {"name": "t", "instance": I2}}, token="t2",
             project="p2", alias="B2"),
     reset(instance=I2, token="ta"), Request("GET", "/backups/{B2}", token="t2", project="p2"),
     group="reset_status")
case("reset_status.other_projects_instance",
     reset({"reset_status": {"force_delete": True}}, instance=I2), group="reset_status")
case("reset_status.other_project_token", reset({"reset_status": {"force_delete": True}},
                                              token="t2"), group="reset_status")
case("reset_status.unknown_instance", reset(instance=UNKNOWN, token="ta"),
     group="reset_status")
case("reset_status.not_uuid", reset(instance="junk", token="ta"), group="reset_status")
case("reset_status.no_token", reset(token=None), get(f"/instances/{I1}"), group="reset_status")
case("reset_status.instance_building", Seed(I3, status="BUILD"), reset(instance=I3, token="ta"),
     get(f"/instances/{I3}"), group="reset_status")
case("reset_status.two_backups_one_running", completed("B1"), create("B2"),
     reset(token="ta"), show("B1"), show("B2"), create("B3"), group="reset_status")

# -- more instance routes -------------------------------------------------------------------
case("instances.delete.idle", Request("DELETE", f"/instances/{I1}"), get(f"/instances/{I1}"),
     get("/instances"), group="instances")
case("instances.delete.unknown", Request("DELETE", f"/instances/{UNKNOWN}"),
     group="instances")
case("instances.delete.other_project", Request("DELETE", f"/instances/{I2}"),
     Request("GET", f"/instances/{I2}", token="t2", project="p2"), group="instances")
case("instances.restart.idle", Request("POST", f"/instances/{I1}/action", {"restart": {}}),
     get(f"/instances/{I1}"), group="instances")
case("instances.resize_volume.not_larger",
     Request("POST", f"/instances/{I1}/action", {"resize": {"volume": {"size": 2}}}),
     get(f"/instances/{I1}"), group="instances")
case("instances.resize_flavor.unknown",
     Request("POST", f"/instances/{I1}/action", {"resize": {"flavorRef": "99"}}),
     get(f"/instances/{I1}"), group="instances")
case("instances.resize_flavor.same",
     Request("POST", f"/instances/{I1}/action", {"resize": {"flavorRef": "1"}}),
     get(f"/instances/{I1}"), group="instances")
case("instances.resize_flavor.href",
     Request("POST", f"/instances/{I1}/action",
             {"resize": {"flavorRef": "http://localhost/v1.0/p1/flavors/2"}}),
     get(f"/instances/{I1}"), group="instances")
case("instances.resize_flavor.while_backup.unknown", create("B1"),
     Request("POST", f"/instances/{I1}/action", {"resize": {"flavorRef": "99"}}),
     group="instances")
case("instances.create.unknown_flavor", Request("POST", "/instances", {"instance": {
    "name": "n", "flavorRef": "99", "volume": {"size": 2},
    "datastore": {"type": "mysql", "version": "5.7"}}}), get("/instances"), group="instances")
case("instances.create.plain", Request("POST", "/instances", {"instance": {
    "name": "n", "flavorRef": "2", "volume": {"size": 2},
    "datastore": {"type": "mysql", "version": "5.7"}}}), group="instances")
case("instances.action.unknown_instance",
     Request("POST", f"/instances/{UNKNOWN}/action", {"restart": {}}), group="instances")
case("instances.action.empty_object", Request("POST", f"/instances/{I1}/action", {}),
     group="instances")
case("instances.list.other_project_token", get("/instances", token="t2"), group="instances")
case("instances.show.not_uuid", get("/instances/junk"), group="instances")


# -- databases and users: member routes without a guest agent ------------------------------
# Trove routes `GET .../databases/{name}` to a show that checks the instance, then answers 501.
for label, path in {"known": f"/instances/{I1}/databases/db1",
                    "unknown_instance": f"/instances/{UNKNOWN}/databases/db1",
                    "other_project": f"/instances/{I2}/databases/db1"}.items():
    case(f"databases.show.{label}", get(path), get(path, headers={"Accept": "application/json"}),
         group="databases")
for method, path in (("PUT", f"/instances/{I1}/databases/db1"),
                     ("POST", f"/instances/{I1}/databases/db1"),
                     ("PUT", f"/instances/{I1}/databases")):
    case(f"databases.route.{method}.{path.strip('/').replace('/', '.')}",
         Request(method, path, {"databases": [{"name": "x"}]}), group="databases")


# -- instance update --------------------------------------------------------------------------
def update(body: Any, method: str = "PUT", instance: str = I1, **kw: Any) -> Request:
    return Request(method, f"/instances/{instance}", body, **kw)


case("instances.update.name", update({"instance": {"name": "renamed"}}), get(f"/instances/{I1}"),
     group="instances")
case("instances.update.name.patch", update({"instance": {"name": "patched"}}, "PATCH"),
     get(f"/instances/{I1}"), group="instances")
case("instances.update.two_attributes",
     update({"instance": {"access": {"is_public": True}, "replica_of": ""}}),
     get(f"/instances/{I1}"), group="instances")
case("instances.update.unknown_instance", update({"instance": {"name": "x"}}, instance=UNKNOWN),
     group="instances")
case("instances.update.other_project", update({"instance": {"name": "x"}}, instance=I2),
     get(f"/instances/{I2}", token="t2", project="p2"), group="instances")
