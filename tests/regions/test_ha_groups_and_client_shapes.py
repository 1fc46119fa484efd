"""HA instance list and show (rackspace), and the requests real clients send that used to be
refused: pyrax's empty lists on create, cdb-cli's `"name": null` copy, and a restore that
names databases and users the backup already holds (what Trove and tempest send)."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from trovemock import TroveMock

TOKEN = {"X-Auth-Token": "tok"}
BASE = "/v1.0/p1"


# -- HA list and show ------------------------------------------------------------------------
def test_ha_list_shows_what_cdb_cli_prints() -> None:
    mock = TroveMock("rackspace")
    first = mock.add_ha_group("p1", name="ha-1").id
    second = mock.add_ha_group("p1", name="ha-2", datastore=("percona", "5.7")).id
    mock.add_ha_group("p2", name="not-mine")
    r = Client(mock).get(f"{BASE}/ha", headers=TOKEN)
    assert r.status_code == 200
    assert r.json == {"ha_instances": [
        {"id": first, "name": "ha-1", "state": "ACTIVE",
         "datastore": {"type": "mysql", "version": "5.6"}},
        {"id": second, "name": "ha-2", "state": "ACTIVE",
         "datastore": {"type": "percona", "version": "5.7"}},
    ]}


def test_ha_list_pages_with_limit_and_marker() -> None:
    mock = TroveMock("rackspace")
    ids = [mock.add_ha_group("p1", name=f"ha-{n}").id for n in range(3)]
    api = Client(mock)
    page = api.get(f"{BASE}/ha?limit=2", headers=TOKEN).json
    assert [g["id"] for g in page["ha_instances"]] == ids[:2]
    assert page["links"][0]["rel"] == "next" and "marker=2" in page["links"][0]["href"]
    rest = api.get(f"{BASE}/ha?limit=2&marker=2", headers=TOKEN).json
    assert [g["id"] for g in rest["ha_instances"]] == ids[2:] and "links" not in rest


def test_ha_list_shows_backup_state_while_a_group_backup_runs() -> None:
    mock = TroveMock("rackspace")
    ha = mock.add_ha_group("p1").id
    api = Client(mock)
    api.post(f"{BASE}/backups", headers=TOKEN, json={"backup": {
        "name": "hb", "instance": None, "source": {"type": "ha", "id": ha}}})
    assert api.get(f"{BASE}/ha", headers=TOKEN).json["ha_instances"][0]["state"] == "BACKUP"


def test_ha_show_has_flavor_name_networks_and_nodes() -> None:
    mock = TroveMock("rackspace")
    group = mock.add_ha_group("p1", name="ha-1", replicas=2, flavor_id="2", volume_size=3)
    shown = Client(mock).get(f"{BASE}/ha/{group.id}", headers=TOKEN).json["ha_instance"]
    assert shown["flavor"]["id"] == "2" and shown["flavor"]["name"] == "1GB Instance"
    assert shown["volume"] == {"size": 3} and shown["tenant_id"] == "p1"
    assert shown["configuration"] is None and shown["acls"] == []
    assert {(n["access"], n["port"]) for n in shown["networks"]} == {("read", 3307),
                                                                     ("write", 3306)}
    source, replicas = group.members[0], group.members[1:]
    (source_node,) = shown["replica_source"]
    assert source_node["id"] == source and source_node["status"] == "ACTIVE"
    assert [r["id"] for r in source_node["replicas"]] == replicas
    assert [r["id"] for r in shown["replicas"]] == replicas
    assert all(r["replica_of"]["id"] == source and r["ha_id"] == group.id
               for r in shown["replicas"])


def test_ha_routes_are_rackspace_only() -> None:
    r = Client(TroveMock()).get(f"{BASE}/ha", headers=TOKEN)
    assert r.status_code == 501 and "notImplemented" in r.json


# -- requests real clients send ----------------------------------------------------------------
@pytest.mark.parametrize("dialect", ["openstack", "rackspace"])
def test_pyrax_plain_create_with_empty_lists_is_accepted(dialect: str) -> None:
    body = {"name": "db", "flavorRef": "http://h/v1.0/p1/flavors/1", "volume": {"size": 1},
            "databases": [], "users": []}  # what pyrax sends
    if dialect == "openstack":  # Trove has no default datastore unless one is configured
        body["datastore"] = {"type": "mysql", "version": "5.7"}
    r = Client(TroveMock(dialect)).post(f"{BASE}/instances", headers=TOKEN,
                                        json={"instance": body})
    assert r.status_code == 200 and r.json["instance"]["status"] == "BUILD"


def test_cdb_cli_copy_without_a_name_keeps_the_source_name() -> None:
    mock = TroveMock("rackspace")
    inst = mock.add_instance("p1").id
    api = Client(mock)
    backup = api.post(f"{BASE}/backups", headers=TOKEN,
                      json={"backup": {"name": "nightly", "instance": inst}}).json["backup"]
    mock.clock.advance(10)
    r = api.post(f"{BASE}/backups/{backup['id']}/action", headers=TOKEN, json={"copy-backup": {
        "target_backup_region": "ORD", "name": None, "description": None}})
    assert r.status_code == 202
    mock.clock.advance(10)
    copies = api.get("/regions/ORD/v1.0/p1/backups", headers=TOKEN).json["backups"]
    assert [c["name"] for c in copies] == ["nightly"]


def test_restore_naming_what_the_backup_holds_merges_them() -> None:
    mock = TroveMock()
    inst = mock.add_instance("p1", databases=["db1"], users={"user1": ["db1"]}).id
    api = Client(mock)
    backup = api.post(f"{BASE}/backups", headers=TOKEN,
                      json={"backup": {"name": "b", "instance": inst}}).json["backup"]["id"]
    mock.clock.advance(10)
    r = api.post(f"{BASE}/instances", headers=TOKEN, json={"instance": {
        "name": "restored", "flavorRef": "1", "volume": {"size": 1},
        "datastore": {"type": "mysql", "version": "5.7"},
        "restorePoint": {"backupRef": backup},
        "databases": [{"name": "db1"}, {"name": "extra"}],
        "users": [{"name": "user1", "password": "pw", "databases": [{"name": "db1"}]},
                  {"name": "user2", "password": "pw", "databases": [{"name": "extra"}]}],
        "nics": [{"net-id": "6b8e5a8c-3f0e-4c8e-9d7a-1b2c3d4e5f60"}],
        "access": {"is_public": True}}})
    assert r.status_code == 200, r.json
    new = r.json["instance"]["id"]
    mock.clock.advance(60)
    databases = api.get(f"{BASE}/instances/{new}/databases", headers=TOKEN).json["databases"]
    assert [d["name"] for d in databases] == ["db1", "extra"]
    users = api.get(f"{BASE}/instances/{new}/users", headers=TOKEN).json["users"]
    assert {u["name"]: [d["name"] for d in u["databases"]] for u in users} == {
        "user1": ["db1"], "user2": ["extra"]}
