"""The differential cases: the same requests to real Trove 26.0.0 and to trovemock.

Each case starts from the same world on both sides (tokens t1 = p1 member, t2 = p2 member,
ta = p1 admin; instances I1 in p1 and I2 in p2, both ACTIVE) and ends with follow-up reads,
so the state a request leaves behind is compared too."""

from __future__ import annotations

from typing import Any

from tests.upstream.differential import Case
from tests.upstream.sides import I1, I2, Force, Request, Seed, Settle

UNKNOWN = "99999999-9999-4999-8999-999999999999"
I3 = "33333333-3333-4333-8333-333333333333"
I4 = "44444444-4444-4444-8444-444444444444"
LIST = Request("GET", "/backups")


def get(path: str, **kw: Any) -> Request:
    return Request("GET", path, **kw)


def show(alias: str, **kw: Any) -> Request:
    return Request("GET", "/backups/{" + alias + "}", **kw)


def delete(alias: str, **kw: Any) -> Request:
    return Request("DELETE", "/backups/{" + alias + "}", **kw)


def post(body: Any, **kw: Any) -> Request:
    return Request("POST", "/backups", body, **kw)


def create(alias: str, instance: str | None = I1, **fields: Any) -> Request:
    token = fields.pop("_token", "t1")
    backup: dict[str, Any] = {"name": alias.lower()}
    if instance is not None:
        backup["instance"] = instance
    backup.update(fields)
    return Request("POST", "/backups", {"backup": backup}, alias=alias, token=token)


def completed(alias: str, instance: str = I1, **fields: Any) -> tuple:
    return (create(alias, instance, **fields), Force(alias, "COMPLETED"))


CASES: list[Case] = []


def _flat(steps: Any) -> list[Any]:
    if isinstance(steps, tuple | list):
        return [s for step in steps for s in _flat(step)]
    return [steps]


def case(name: str, *steps: Any, group: str) -> None:
    if any(c.name == name for c in CASES):  # pragma: no cover - a developer's slip
        raise ValueError(f"two cases named {name}")
    CASES.append(Case(name, tuple(_flat(steps)), group))


def one_create(name: str, backup: Any, group: str = "validation", **kw: Any) -> None:
    """A create with this body, then the list (nothing stored unless it succeeded)."""
    case(name, post({"backup": backup} if backup is not ... else {}, **kw), LIST, group=group)


# -- validation: name, description ----------------------------------------------------------
BAD_TEXT = {
    "empty": "", "space": " ", "symbols": "$#@&?", "underscores": "___", "cyrillic": "бэкап",
    "too_long": "a" * 256, "null": None, "number": 123, "list": ["a"], "object": {"a": 1},
}
for label, value in BAD_TEXT.items():
    one_create(f"create.name.{label}", {"name": value, "instance": I1})
    one_create(f"create.description.{label}", {"name": "n", "description": value,
                                                "instance": I1})
one_create("create.name.longest", {"name": "a" * 255, "instance": I1})
one_create("create.name.padded", {"name": "  a  ", "instance": I1})
one_create("create.name.missing", {"instance": I1})
one_create("create.description.longest", {"name": "n", "description": "d" * 255,
                                          "instance": I1})

# -- validation: ids, flags, containers -----------------------------------------------------
for label, value in {"not_uuid": "invalid-inst-id", "null": None, "number": 7,
                     "href": f"http://localhost/v1.0/p1/instances/{I1}",
                     "uppercase_unknown": UNKNOWN.upper(), "empty": ""}.items():
    one_create(f"create.instance.{label}", {"name": "n", "instance": value})
one_create("create.instance.missing", {"name": "n"})
one_create("create.instance.unknown", {"name": "n", "instance": UNKNOWN})
one_create("create.instance.other_project", {"name": "n", "instance": I2})
for label, value in {"not_uuid": "parent", "null": None, "number": 1,
                     "unknown": UNKNOWN}.items():
    one_create(f"create.parent_id.{label}", {"name": "n", "instance": I1, "parent_id": value})
for label, value in {"true": True, "string": "1", "float": 1.0, "null": None, "two": 2,
                     "minus_one": -1, "zero": 0, "one": 1}.items():
    one_create(f"create.incremental.{label}", {"name": "n", "instance": I1,
                                               "incremental": value})
for label, value in {"space": "a b", "dollar": "$x", "semicolon": "c;rm", "ok": "my_cont.1",
                     "empty": "", "null": None, "number": 5}.items():
    one_create(f"create.swift_container.{label}", {"name": "n", "instance": I1,
                                                   "swift_container": value})
one_create("create.unknown_keys", {"name": "n", "instance": I1, "colour": "blue",
                                   "storage_driver": "swift"})
case("create.unknown_top_level_key", post({"backup": {"name": "n", "instance": I1},
                                          "extra": 1}), LIST, group="validation")
one_create("create.swift_container_checked_before_instance",
           {"name": "n", "swift_container": "a b"})
one_create("create.schema_before_instance_check", {"name": "", "instance": UNKNOWN})

# -- body shapes and media types ------------------------------------------------------------
for label, body in {"empty_object": {}, "foo": {"foo": 1}, "array": [], "string": "x",
                    "number": 1, "null": None, "backup_null": {"backup": None},
                    "backup_array": {"backup": []}, "backup_string": {"backup": "x"},
                    "backup_empty": {"backup": {}}}.items():
    raw = b"null" if body is None else None
    case(f"body.{label}", Request("POST", "/backups", body, raw=raw), LIST, group="body")
case("body.none", Request("POST", "/backups", raw=b""), LIST, group="body")
case("body.invalid_json", Request("POST", "/backups", raw=b'{"backup": '), LIST, group="body")
case("body.invalid_json.no_accept",
     Request("POST", "/backups", raw=b'{"backup": ', accept=None), LIST, group="body")
GOOD = {"backup": {"name": "n", "instance": I1}}
case("body.json_as_text_plain", Request("POST", "/backups", GOOD, content_type="text/plain"),
     LIST, group="body")
case("body.json_without_content_type", Request("POST", "/backups", GOOD, content_type=None),
     LIST, group="body")
case("body.xml_content_type", Request("POST", "/backups", raw=b"<backup/>",
                                       content_type="application/xml"), LIST, group="body")
case("body.form_content_type", Request("POST", "/backups", raw=b"a=b",
                                        content_type="application/x-www-form-urlencoded"),
     LIST, group="body")
case("body.json_charset", Request("POST", "/backups", GOOD,
                                   content_type="application/json; charset=utf-8"),
     LIST, group="body")
case("body.text_plain.no_accept", Request("POST", "/backups", GOOD, content_type="text/plain",
                                          accept=None), LIST, group="body")

# -- auth -----------------------------------------------------------------------------------
ROUTES_TO_PROBE = {
    "backups.list": ("GET", "/backups", None),
    "backups.create": ("POST", "/backups", {"backup": {"name": "n", "instance": I1}}),
    "backups.show": ("GET", "/backups/{B1}", None),
    "backups.delete": ("DELETE", "/backups/{B1}", None),
    "instances.list": ("GET", "/instances", None),
    "instances.show": ("GET", f"/instances/{I1}", None),
    "instances.backups": ("GET", f"/instances/{I1}/backups", None),
}
for route, (method, path, body) in ROUTES_TO_PROBE.items():
    setup = completed("B1")
    for label, kw in {"no_token": {"token": None}, "unknown_token": {"token": "made-up"},
                      "other_project": {"token": "t2"}}.items():
        case(f"auth.{label}.{route}", setup, Request(method, path, body, **kw), LIST,
             show("B1"), group="auth")
case("auth.empty_token", Request("GET", "/backups", headers={"X-Auth-Token": ""}, token=None),
     group="auth")
case("auth.no_token.no_accept", Request("GET", "/backups", token=None, accept=None),
     group="auth")
case("auth.other_project.no_accept", Request("GET", "/backups", token="t2", accept=None),
     group="auth")
case("auth.project_of_other_token_in_url", Request("GET", "/backups", token="t1",
                                                    project="p2"), group="auth")

# -- admin ----------------------------------------------------------------------------------
case("admin.backs_up_other_projects_instance", create("B1", I2, _token="ta"),
     Request("GET", "/backups", token="ta", query="all_projects=1"), show("B1", token="ta"),
     Request("GET", f"/instances/{I2}", token="t2", project="p2"), group="admin")
case("admin.shows_other_projects_backup",
     create("B2", I2) if False else Request("POST", "/backups",
                                            {"backup": {"name": "theirs", "instance": I2}},
                                            token="t2", project="p2", alias="B2"),
     Request("GET", "/backups/{B2}", token="ta"), Request("GET", "/backups/{B2}", token="t1"),
     group="admin")
case("admin.deletes_other_projects_backup",
     Request("POST", "/backups", {"backup": {"name": "theirs", "instance": I2}}, token="t2",
             project="p2", alias="B2"), Force("B2", "COMPLETED"),
     Request("DELETE", "/backups/{B2}", token="ta"),
     Request("GET", "/backups/{B2}", token="t2", project="p2"),
     Request("GET", "/backups", token="t2", project="p2"), group="admin")
case("admin.delete_other_projects_backup.non_admin",
     Request("POST", "/backups", {"backup": {"name": "theirs", "instance": I2}}, token="t2",
             project="p2", alias="B2"), Force("B2", "COMPLETED"),
     Request("DELETE", "/backups/{B2}", token="t1"),
     Request("GET", "/backups/{B2}", token="t2", project="p2"), group="admin")
case("admin.parent_from_other_project", completed("B1"),
     Request("POST", "/backups", {"backup": {"name": "x", "instance": I2,
                                             "parent_id": "{B1}"}}, token="t2", project="p2"),
     Request("POST", "/backups", {"backup": {"name": "y", "instance": I1,
                                             "parent_id": "{B1}"}}, token="ta", alias="B3"),
     LIST, group="admin")
case("admin.instance_backups_of_other_project",
     Request("POST", "/backups", {"backup": {"name": "theirs", "instance": I2}}, token="t2",
             project="p2", alias="B2"),
     Request("GET", f"/instances/{I2}/backups", token="ta"),
     Request("GET", f"/instances/{I2}/backups", token="t1"), group="admin")
case("admin.shows_other_projects_instance", Request("GET", f"/instances/{I2}", token="ta"),
     Request("GET", "/instances", token="ta"), group="admin")

# -- list filters and paging ----------------------------------------------------------------
FIVE = (completed("B1"), completed("B2"), completed("B3", I2, _token="ta"), completed("B4"),
        create("B5"))
for query in ("", "limit=1", "limit=2", "limit=4", "limit=5", "limit=6", "limit=2&marker=2",
              "marker=1", "marker=4", "marker=5", "marker=100", "limit=0", "limit=-1",
              "limit=abc", "marker=abc", "limit=1.5", "limit=", "marker=-1",
              "datastore=mysql", "datastore=postgresql", "datastore=nosql",
              f"datastore={'211bdeee-5cba-54e8-b4f8-a7a956c458fe'}",
              f"instance_id={I1}", f"instance_id={UNKNOWN}", "instance_id=junk",
              "all_projects=true", "all_projects=false", "all_projects=0", "project_id=p1",
              "project_id=p2", "limit=2&datastore=mysql", f"limit=1&instance_id={I1}"):
    case(f"list.member.{query or 'all'}", FIVE, Request("GET", "/backups", query=query),
         group="list")
for query in ("all_projects=true", "all_projects=1", "all_projects=yes", "all_projects=no",
              "project_id=p2", "project_id=p1", "project_id=p3", "all_projects=1&limit=2",
              "project_id=p2&all_projects=1", ""):
    case(f"list.admin.{query or 'all'}", FIVE,
         Request("GET", "/backups", query=query, token="ta"), group="list")
for query in ("", "limit=1", "limit=2", "limit=3", "marker=2", "limit=0", "marker=x"):
    case(f"list.instance.{query or 'all'}", FIVE,
         Request("GET", f"/instances/{I1}/backups", query=query), group="list")
case("list.instance.unknown", Request("GET", f"/instances/{UNKNOWN}/backups"), group="list")
case("list.instance.other_project", Request("GET", f"/instances/{I2}/backups"), group="list")
case("list.instance.not_uuid", Request("GET", "/instances/junk/backups"), group="list")
case("list.empty", LIST, group="list")
case("list.order_follows_updates", completed("B1"), completed("B2"), create("B3"),
     Force("B3", "FAILED"), LIST, group="list")
case("list.order_after_building", create("B1"), Force("B1", "FAILED"), create("B2"),
     Force("B2", "BUILDING"), LIST, group="list")

# -- show -----------------------------------------------------------------------------------
case("show.new", create("B1"), show("B1"), group="show")
case("show.building", create("B1"), Force("B1", "BUILDING", 0.5), show("B1"), group="show")
case("show.completed", completed("B1"), show("B1"), group="show")
case("show.failed", create("B1"), Force("B1", "FAILED"), show("B1"), group="show")
case("show.unknown", get(f"/backups/{UNKNOWN}"), group="show")
case("show.not_uuid", get("/backups/junk"), group="show")
case("show.long_id", get("/backups/" + "x" * 300), group="show")
case("show.other_project",
     Request("POST", "/backups", {"backup": {"name": "theirs", "instance": I2}}, token="t2",
             project="p2", alias="B2"), get("/backups/{B2}"), group="show")

# -- create: checks and their order ---------------------------------------------------------
case("create.success", create("B1"), show("B1"), LIST, get(f"/instances/{I1}"),
     group="create")
case("create.while_running", create("B1"), create("B2"), LIST, group="create")
case("create.while_building", create("B1"), Force("B1", "BUILDING"), create("B2"),
     group="create")
case("create.after_failed", create("B1"), Force("B1", "FAILED"), create("B2"), LIST,
     group="create")
case("create.after_completed", completed("B1"), create("B2"), get(f"/instances/{I1}"),
     group="create")
case("create.parent", completed("B1"), create("B2", parent_id="{B1}"), show("B2"),
     group="create")
case("create.parent_running", create("B1"), Seed(I3), create("B2", I3, parent_id="{B1}"),
     group="create")
case("create.parent_of_other_instance", completed("B1"), Seed(I3),
     create("B2", I3, parent_id="{B1}"), group="create")
case("create.parent_other_project",
     Request("POST", "/backups", {"backup": {"name": "t", "instance": I2}}, token="t2",
             project="p2", alias="B2"), create("B1", parent_id="{B2}"), group="create")
case("create.incremental_picks_parent", completed("B1"), completed("B2"),
     create("B3", incremental=1), show("B3"), group="create")
case("create.incremental_without_completed", create("B1"), Force("B1", "FAILED"),
     create("B2", incremental=1), group="create")
case("create.incremental_zero_with_parent", completed("B1"),
     create("B2", incremental=0, parent_id="{B1}"), group="create")
case("create.incremental_chain", completed("B1"), completed("B2", incremental=1),
     create("B3", incremental=1), LIST, group="create")
for status in ("BUILD", "ERROR", "SHUTDOWN"):
    case(f"create.instance_{status.lower()}", Seed(I3, status=status), create("B1", I3),
         get(f"/instances/{I3}"), group="create")
case("create.swift_before_missing_instance", post({"backup": {"name": "n",
                                                              "swift_container": "a b"}}),
     group="create")
case("create.description_and_container", create("B1", description="nightly",
                                                swift_container="mine"),
     Force("B1", "COMPLETED"), show("B1"), group="create")
case("create.restore_from", post({"backup": {"name": "r", "restore_from": {
    "remote_location": "http://swift/c/o.xbstream.gz",
    "local_datastore_version_id": "211bdeee-5cba-54e8-b4f8-a7a956c458fe", "size": 0.5}}},
    alias="R1"), show("R1"), LIST, group="create")
case("create.restore_from.unknown_version", post({"backup": {"name": "r", "restore_from": {
    "remote_location": "http://swift/c/o", "local_datastore_version_id": UNKNOWN,
    "size": 0.5}}}), LIST, group="create")
case("create.restore_from.missing_size", post({"backup": {"name": "r", "restore_from": {
    "remote_location": "http://swift/c/o",
    "local_datastore_version_id": "211bdeee-5cba-54e8-b4f8-a7a956c458fe"}}}), group="create")
case("create.restore_from.string_size", post({"backup": {"name": "r", "restore_from": {
    "remote_location": "http://swift/c/o",
    "local_datastore_version_id": "211bdeee-5cba-54e8-b4f8-a7a956c458fe", "size": "1"}}}),
     group="create")
case("create.quota", *[completed(f"B{n}") for n in range(1, 4)], Request(
    "POST", "/backups", {"backup": {"name": "n", "instance": I1}}), group="create")

# -- delete ---------------------------------------------------------------------------------
for status in ("COMPLETED", "FAILED"):
    case(f"delete.{status.lower()}", create("B1"), Force("B1", status), delete("B1"),
         show("B1"), LIST, Settle(), show("B1"), LIST, create("B2"), group="delete")
case("delete.new", create("B1"), delete("B1"), show("B1"), LIST, group="delete")
case("delete.building", create("B1"), Force("B1", "BUILDING"), delete("B1"), show("B1"),
     group="delete")
case("delete.restored", post({"backup": {"name": "r", "restore_from": {
    "remote_location": "http://swift/c/o.xbstream.gz",
    "local_datastore_version_id": "211bdeee-5cba-54e8-b4f8-a7a956c458fe", "size": 0.5}}},
    alias="R1"), delete("R1"), Settle(), show("R1"), group="delete")
case("delete.unknown", Request("DELETE", f"/backups/{UNKNOWN}"), group="delete")
case("delete.not_uuid", Request("DELETE", "/backups/junk"), group="delete")
case("delete.other_project",
     Request("POST", "/backups", {"backup": {"name": "t", "instance": I2}}, token="t2",
             project="p2", alias="B2"), Force("B2", "COMPLETED"), delete("B2"),
     Request("GET", "/backups/{B2}", token="t2", project="p2"), group="delete")
case("delete.twice", completed("B1"), delete("B1"), Settle(), delete("B1"), group="delete")
case("delete.cascade", completed("B1"), completed("B2", parent_id="{B1}"),
     completed("B3", parent_id="{B2}"), delete("B1"), Settle(), show("B1"), show("B2"),
     show("B3"), LIST, group="delete")
case("delete.cascade_two_children", completed("B1"), completed("B2", parent_id="{B1}"),
     completed("B3", parent_id="{B1}"), delete("B1"), Settle(), LIST, group="delete")
case("delete.cascade_running_child", completed("B1"), completed("B2", parent_id="{B1}"),
     create("B3", parent_id="{B1}"), delete("B1"), Settle(), show("B1"), show("B2"),
     show("B3"), LIST, group="delete")
case("delete.child_only", completed("B1"), completed("B2", parent_id="{B1}"), delete("B2"),
     Settle(), show("B1"), show("B2"), group="delete")
case("delete.frees_quota", *[completed(f"B{n}") for n in range(1, 4)], delete("B1"),
     Settle(), create("B4"), group="delete")

# -- instances ------------------------------------------------------------------------------
case("instances.list", get("/instances"), group="instances")
case("instances.list.admin", get("/instances", token="ta"), group="instances")
case("instances.show", get(f"/instances/{I1}"), group="instances")
case("instances.show.admin", get(f"/instances/{I1}", token="ta"), group="instances")
case("instances.show.unknown", get(f"/instances/{UNKNOWN}"), group="instances")
case("instances.show.other_project", get(f"/instances/{I2}"), group="instances")
case("instances.show.while_backup", create("B1"), get(f"/instances/{I1}"), get("/instances"),
     group="instances")
case("instances.show.bigger_volume", Seed(I3, volume_size=5), get(f"/instances/{I3}"),
     group="instances")
case("instances.delete.while_backup", create("B1"), Request("DELETE", f"/instances/{I1}"),
     get(f"/instances/{I1}"), group="instances")
case("instances.restart.while_backup", create("B1"),
     Request("POST", f"/instances/{I1}/action", {"restart": {}}), group="instances")
case("instances.resize_volume.while_backup", create("B1"),
     Request("POST", f"/instances/{I1}/action", {"resize": {"volume": {"size": 4}}}),
     group="instances")
case("instances.resize_flavor.while_backup", create("B1"),
     Request("POST", f"/instances/{I1}/action", {"resize": {"flavorRef": "2"}}),
     group="instances")
case("instances.backups.after_delete", completed("B1"), delete("B1"), Settle(),
     get(f"/instances/{I1}/backups"), group="instances")

# -- restore (POST /instances with restorePoint) --------------------------------------------
def restore(alias: str, size: int = 2, datastore: bool = True, **kw: Any) -> Request:
    instance: dict[str, Any] = {"name": "restored", "flavorRef": "1", "volume": {"size": size},
                                "restorePoint": {"backupRef": "{" + alias + "}"}}
    if datastore:
        instance["datastore"] = {"type": "mysql", "version": "5.7"}
    return Request("POST", "/instances", {"instance": instance}, **kw)


case("restore.not_completed", create("B1"), restore("B1"), group="restore")
case("restore.failed", create("B1"), Force("B1", "FAILED"), restore("B1"), group="restore")
case("restore.too_large", create("B1"), Force("B1", "COMPLETED", 3.5), restore("B1", size=2),
     group="restore")
case("restore.unknown", Request("POST", "/instances", {"instance": {
    "name": "r", "flavorRef": "1", "volume": {"size": 2},
    "datastore": {"type": "mysql", "version": "5.7"},
    "restorePoint": {"backupRef": UNKNOWN}}}), group="restore")
case("restore.other_project",
     Request("POST", "/backups", {"backup": {"name": "t", "instance": I2}}, token="t2",
             project="p2", alias="B2"), Force("B2", "COMPLETED"), restore("B2"),
     group="restore")
case("restore.without_datastore", completed("B1"), restore("B1", datastore=False),
     group="restore")
case("restore.not_uuid", Request("POST", "/instances", {"instance": {
    "name": "r", "flavorRef": "1", "volume": {"size": 2},
    "restorePoint": {"backupRef": "junk"}}}), group="restore")

# -- methods, paths, media types ------------------------------------------------------------
for method, path in (("PUT", "/backups/{B1}"), ("PATCH", "/backups/{B1}"),
                     ("DELETE", "/backups"), ("POST", "/backups/{B1}"), ("PUT", "/backups"),
                     ("HEAD", "/backups"), ("HEAD", "/backups/{B1}"), ("GET", "/backups/"),
                     ("POST", "/backups/"), ("GET", "/backups/{B1}/"),
                     ("GET", "/instances/"), ("GET", "/nothing"),
                     ("GET", "/backups/{B1}/nothing"), ("PUT", f"/instances/{I1}/backups"),
                     ("DELETE", f"/instances/{I1}/backups")):
    case(f"route.{method}.{path.strip('/').replace('/', '.') or 'root'}", completed("B1"),
         Request(method, path, {"backup": {"name": "x"}} if method in ("PUT", "PATCH", "POST")
                 else None), show("B1"), group="route")

# The routes around backups (strategies, discovery, datastores, root, reset_status): their
# cases use the helpers above and add to CASES.
from tests.upstream import (  # noqa: E402, F401, I001
    cases_configurations, cases_neighbours, cases_replicas, cases_users)
