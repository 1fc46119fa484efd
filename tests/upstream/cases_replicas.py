"""Differential cases of replicas (imported by `cases`, whose helpers and CASES list they
use): a create with `replica_of` and what it may not name, the views that show `replicas`
and `replica_of`, promote, eject, detach (PUT /instances/{id} with `replica_of`), and what a
primary with replicas may not do.

Same world as `cases`: t1 = p1 member, t2 = p2 member, ta = p1 admin; I1 (p1), I2 (p2)."""

from __future__ import annotations

from typing import Any

from tests.upstream.cases import I3, UNKNOWN, case, get
from tests.upstream.sides import I1, I2, Request, Seed, Settle


def replica(source: str = I1, alias: str = "R1", token: str = "t1", **fields: Any) -> Request:
    body: dict[str, Any] = {"name": alias.lower(), "replica_of": source}
    body.update(fields)
    return Request("POST", "/instances", {"instance": body}, alias=alias, token=token)


def show(instance: str) -> Request:
    return get(f"/instances/{instance}")


def action(instance: str, name: str) -> Request:
    return Request("POST", f"/instances/{instance}/action", {name: {}})


LIST = get("/instances")

case("replicas.create", replica(), show(I1), group="replicas")
case("replicas.create.count", replica(replica_count=2), group="replicas")
case("replicas.create.count_without_source",
     Request("POST", "/instances", {"instance": {"name": "x", "flavorRef": "1",
                                                 "volume": {"size": 1}, "replica_count": 2,
                                                 "datastore": {"type": "mysql"}}}),
     LIST, group="replicas")
for label, fields in (
    ("flavor", {"flavorRef": "2"}),
    ("datastore", {"datastore": {"type": "mysql"}}),
    ("volume", {"volume": {"size": 5}}),
    ("databases", {"databases": [{"name": "db"}]}),
    ("users", {"users": [{"name": "u", "password": "p"}]}),
):
    case(f"replicas.create.with_{label}", replica(**fields), LIST, group="replicas")
case("replicas.create.unknown_source", replica(UNKNOWN), LIST, group="replicas")
case("replicas.create.other_projects_source", replica(I2), LIST, group="replicas")
case("replicas.create.of_a_replica", replica(), Settle(), replica("{R1}", alias="R2"),
     show(I1), group="replicas")
case("replicas.create.source_building", Seed(I3, status="BUILD"), replica(I3), LIST,
     group="replicas")
case("replicas.create.postgresql", Seed(I3, datastore=("postgresql", "12")), replica(I3),
     show(I3), group="replicas")
case("replicas.create.percona", Seed(I3, datastore=("percona", "5.7")), replica(I3),
     show(I3), group="replicas")
case("replicas.delete_primary", replica(), Request("DELETE", f"/instances/{I1}"), show(I1),
     group="replicas")
case("replicas.detach.building", replica(), Settle(),
     Request("PUT", "/instances/{R1}", {"instance": {"replica_of": ""}}), show(I1),
     group="replicas")
case("replicas.detach.not_a_replica",
     Request("PUT", f"/instances/{I1}", {"instance": {"replica_of": ""}}), show(I1),
     group="replicas")
case("replicas.promote.not_a_replica", action(I1, "promote_to_replica_source"), show(I1),
     group="replicas")
case("replicas.eject.not_a_source", action(I1, "eject_replica_source"), group="replicas")
case("replicas.eject.current_heartbeat", replica(), action(I1, "eject_replica_source"),
     show(I1), group="replicas")
