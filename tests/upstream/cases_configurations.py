"""Differential cases of configuration groups (imported by `cases`, whose helpers and CASES
list they use): create and its parameter checks, list, show, PUT, PATCH, delete, the
instances using a group, attach and detach through PUT /instances/{id}, a create that names
a group, and the datastore parameter lists.

Same world as `cases`: t1 = p1 member, t2 = p2 member, ta = p1 admin; I1 (p1), I2 (p2)."""

from __future__ import annotations

from typing import Any

from tests.upstream.cases import I3, UNKNOWN, case, get
from tests.upstream.sides import I1, I2, Request, Seed

GROUPS = "/configurations"
MYSQL_57 = "211bdeee-5cba-54e8-b4f8-a7a956c458fe"  # mysql 5.7's version id on both sides


def group(values: Any = None, alias: str | None = "C1", token: str = "t1",
          datastore: Any = ("mysql", "5.7"), project: str = "p1", **fields: Any) -> Request:
    body: dict[str, Any] = {"name": (alias or "x").lower(),
                            "values": {"max_connections": 555} if values is None else values}
    if datastore is not None:
        body["datastore"] = dict(zip(("type", "version"), datastore, strict=False))
    body.update(fields)
    return Request("POST", GROUPS, {"configuration": body}, alias=alias, token=token,
                   project=project)


def show(alias: str = "C1", **kw: Any) -> Request:
    return Request("GET", f"{GROUPS}/{{{alias}}}", **kw)


def users_of(alias: str = "C1", **kw: Any) -> Request:
    return Request("GET", f"{GROUPS}/{{{alias}}}/instances", **kw)


def attach(instance: str = I1, alias: str | None = "C1", **kw: Any) -> Request:
    value = f"{{{alias}}}" if alias else None
    return Request("PUT", f"/instances/{instance}", {"instance": {"configuration": value}}, **kw)


def instance(instance_id: str = I1) -> Request:
    return get(f"/instances/{instance_id}")


LIST = get(GROUPS)

case("configurations.empty", LIST, group="configurations")
case("configurations.create", group(), LIST, show(), users_of(), group="configurations")
case("configurations.create.description", group(description="for tests"), show(),
     group="configurations")
case("configurations.create.no_values", group({}), show(), group="configurations")
for label, values in (
    ("unknown_parameter", {"no_such_parameter": 1}),
    ("case_insensitive_name", {"MAX_CONNECTIONS": 200}),
    ("string_for_integer", {"max_connections": "555"}),
    ("boolean_for_integer", {"max_connections": True}),
    ("below_minimum", {"max_connections": 0}),
    ("above_maximum", {"max_connections": 100001}),
    ("float_parameter_integer", {"long_query_time": 2}),
    ("float_parameter", {"long_query_time": 2.5}),
    ("boolean_parameter", {"performance_schema": True}),
    ("string_parameter", {"character_set_server": "utf8mb4"}),
    ("several", {"max_connections": 300, "wait_timeout": 0}),
):
    case(f"configurations.create.values.{label}", group(values), LIST,
         group="configurations")
for label, datastore in (
    ("mariadb", ("mariadb", "10.4")),
    ("postgresql", ("postgresql", "12")),
    ("type_only", ("mysql",)),
    ("unknown_type", ("nosuchdb", "1")),
    ("unknown_version", ("mysql", "9.9")),
    ("version_id", ("mysql", MYSQL_57)),
):
    case(f"configurations.create.datastore.{label}", group({}, datastore=datastore), LIST,
         group="configurations")
case("configurations.create.postgresql_values",
     group({"max_connections": 101, "work_mem": "4MB"}, datastore=("postgresql", "12")),
     show(), group="configurations")
for label, body in (
    ("no_name", {"configuration": {"values": {}}}),
    ("no_values", {"configuration": {"name": "x"}}),
    ("values_not_object", {"configuration": {"name": "x", "values": [1]}}),
    ("empty_name", {"configuration": {"name": "", "values": {}}}),
    ("no_configuration", {"name": "x", "values": {}}),
):
    case(f"configurations.body.{label}", Request("POST", GROUPS, body), LIST,
         group="configurations")
case("configurations.show.unknown", get(f"{GROUPS}/{UNKNOWN}"), group="configurations")
case("configurations.show.other_project", group(token="t2", project="p2"), show(),
     show(token="ta"), group="configurations")
case("configurations.list.other_project", group(token="t2", project="p2"), LIST,
     get(GROUPS, token="t2", project="p2"), group="configurations")
case("configurations.put.replace", group({"max_connections": 555, "wait_timeout": 60}),
     Request("PUT", f"{GROUPS}/{{C1}}", {"configuration": {"values": {"max_connections": 666},
                                                            "name": "renamed"}}),
     show(), group="configurations")
case("configurations.put.without_values",
     Request("PUT", f"{GROUPS}/{{C1}}", {"configuration": {"description": "d"}}), show(),
     group="configurations")
case("configurations.put.invalid_value", group(),
     Request("PUT", f"{GROUPS}/{{C1}}", {"configuration": {"values": {"max_connections": -1}}}),
     show(), group="configurations")
case("configurations.patch.merge", group({"max_connections": 555, "wait_timeout": 60}),
     Request("PATCH", f"{GROUPS}/{{C1}}", {"configuration": {"values": {"max_connections": 7}}}),
     show(), group="configurations")
case("configurations.patch.unknown", Request("PATCH", f"{GROUPS}/{UNKNOWN}",
                                             {"configuration": {"values": {}}}),
     group="configurations")
case("configurations.delete", group(), Request("DELETE", f"{GROUPS}/{{C1}}"), show(), LIST,
     group="configurations")
case("configurations.delete.unknown", Request("DELETE", f"{GROUPS}/{UNKNOWN}"),
     group="configurations")
case("configurations.delete.attached", group(), attach(),
     Request("DELETE", f"{GROUPS}/{{C1}}"), show(), group="configurations")
case("configurations.attach", group(), attach(), instance(), users_of(), show(),
     group="configurations")
case("configurations.attach.restart_required", group({"innodb_buffer_pool_size": 16777216}),
     attach(), instance(), group="configurations")
case("configurations.attach.unknown_group",
     Request("PUT", f"/instances/{I1}", {"instance": {"configuration": UNKNOWN}}), instance(),
     group="configurations")
case("configurations.attach.other_projects_instance", group(), attach(I2), users_of(),
     group="configurations")
case("configurations.detach", group(), attach(), attach(alias=None), instance(), users_of(),
     group="configurations")
case("configurations.detach.empty_body", group(), attach(),
     Request("PUT", f"/instances/{I1}", {"instance": {}}), instance(),
     group="configurations")
case("configurations.detach.none_attached", attach(alias=None), instance(),
     group="configurations")
case("configurations.create_instance_with_group", group(),
     Request("POST", "/instances", {"instance": {
         "name": "with-group", "flavorRef": "1", "volume": {"size": 1},
         "datastore": {"type": "mysql", "version": "5.7"}, "configuration": "{C1}"}}),
     users_of(), group="configurations")
case("configurations.create_instance_with_unknown_group",
     Request("POST", "/instances", {"instance": {
         "name": "with-group", "flavorRef": "1", "volume": {"size": 1},
         "datastore": {"type": "mysql", "version": "5.7"}, "configuration": UNKNOWN}}),
     group="configurations")
# Trove 26.0.0 answers these refusals with a 500 (deviation configuration_errors)
case("configurations.attach.twice", group(), group({"wait_timeout": 60}, alias="C2"),
     attach(), attach(alias="C2"), instance(), group="configurations")
case("configurations.attach.other_datastore", Seed(I3, datastore=("postgresql", "12")),
     group(), attach(I3), instance(I3), group="configurations")
case("configurations.attach.instance_building", Seed(I3, status="BUILD"), group(),
     attach(I3), users_of(), group="configurations")
PARAMETERS = "/datastores/mysql/versions/5.7/parameters"
case("parameters.list", get(PARAMETERS), group="configurations")
case("parameters.show", get(f"{PARAMETERS}/max_connections"), group="configurations")
case("parameters.show.unknown", get(f"{PARAMETERS}/nothing"), group="configurations")
case("parameters.by_version", get(f"/datastores/versions/{MYSQL_57}/parameters"),
     get(f"/datastores/versions/{MYSQL_57}/parameters/wait_timeout"),
     group="configurations")
case("parameters.postgresql", get("/datastores/postgresql/versions/12/parameters"),
     group="configurations")
case("parameters.unknown_version", get("/datastores/mysql/versions/9.9/parameters"),
     group="configurations")
case("parameters.percona", get("/datastores/percona/versions/5.7/parameters"),
     group="configurations")
