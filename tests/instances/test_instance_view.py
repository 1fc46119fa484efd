"""The instance view of the openstack dialect as Trove 26.0.0 renders it
(trove/instance/views.py): what tempest and troveclient read (`operating_status`, the
addresses, `access`), the detail-only and admin-only keys, and the rackspace shape kept."""

from __future__ import annotations

from helpers import TIMESTAMP, backup_body, make, ok, seed_instance

SIMPLE_KEYS = {"id", "name", "status", "operating_status", "links", "flavor", "datastore",
               "region", "access", "volume", "ip", "addresses"}
DETAIL_KEYS = SIMPLE_KEYS | {"created", "updated", "service_status_updated"}
ADMIN_DETAIL_KEYS = DETAIL_KEYS | {"tenant_id", "server_id", "volume_id",
                                   "encrypted_rpc_messaging"}


def test_show_has_the_detail_keys_and_an_address() -> None:
    mock, api, _ = make("openstack")
    instance = seed_instance(mock, volume_size=3, used_gb=0.5)
    shown = ok(api.get(f"/instances/{instance}"))["instance"]
    assert set(shown) == DETAIL_KEYS
    assert shown["operating_status"] == "HEALTHY"
    assert shown["datastore"] == {"type": "mysql", "version": "5.7", "version_number": "5.7"}
    assert shown["volume"] == {"size": 3, "used": 0.5}
    ((address,),) = [shown["addresses"]]
    assert address["type"] == "private" and shown["ip"] == [address["address"]]
    assert shown["access"] == {"is_public": False}
    assert TIMESTAMP.match(shown["service_status_updated"])
    # the same instance always has the same address (a client may connect to it)
    assert ok(api.get(f"/instances/{instance}"))["instance"]["addresses"] == [address]


def test_list_items_are_the_simple_view_newest_first() -> None:
    mock, api, _ = make("openstack")
    older = seed_instance(mock, name="older")
    mock.clock.advance(1)
    newer = seed_instance(mock, name="newer")
    listed = ok(api.get("/instances"))["instances"]
    assert [i["id"] for i in listed] == [newer, older]
    assert all(set(item) == SIMPLE_KEYS for item in listed)
    assert all("version_number" not in item["datastore"] for item in listed)


def test_operating_status_follows_tasks_and_backups() -> None:
    mock, api, _ = make("openstack")
    instance = seed_instance(mock)
    ok(api.post("/backups", backup_body(instance)), 202)
    shown = ok(api.get(f"/instances/{instance}"))["instance"]
    # a running backup shows in `status` only: the database itself stays healthy
    assert (shown["status"], shown["operating_status"]) == ("BACKUP", "HEALTHY")
    building = seed_instance(mock, status="BUILD")
    shown = ok(api.get(f"/instances/{building}"))["instance"]
    assert (shown["status"], shown["operating_status"]) == ("BUILD", "")
    assert "used" not in shown["volume"]  # the guest agent is not asked while building
    mock.clock.advance(mock.config.instance_build_seconds)
    assert ok(api.get(f"/instances/{building}"))["instance"]["operating_status"] == "HEALTHY"
    assert api.post(f"/instances/{building}/action", {"restart": {}}).status_code == 202
    assert ok(api.get(f"/instances/{building}"))["instance"]["operating_status"] == ""


def test_admin_sees_the_admin_keys() -> None:
    mock, api, project = make("openstack")
    mock.add_token("admin-token", project, roles=["admin"])
    instance = seed_instance(mock)
    shown = ok(api.get(f"/instances/{instance}", token="admin-token"))["instance"]
    assert set(shown) == ADMIN_DETAIL_KEYS
    assert shown["tenant_id"] == project and shown["encrypted_rpc_messaging"] is True
    assert shown["server_id"] != shown["volume_id"]
    listed = ok(api.get("/instances", token="admin-token"))["instances"]
    assert set(listed[0]) == SIMPLE_KEYS | {"tenant_id"}


def test_restore_answers_the_detail_view_while_building() -> None:
    mock, api, _ = make("openstack")
    created = ok(api.post("/instances", {"instance": {
        "name": "fresh", "flavorRef": "1", "volume": {"size": 1},
        "datastore": {"type": "mysql"}}}))["instance"]
    # nova has no server yet when Trove answers: no ports, so no addresses, `access` empty
    assert set(created) == DETAIL_KEYS - {"ip", "addresses"}
    assert (created["status"], created["operating_status"], created["access"]) == (
        "BUILD", "", {})
    shown = ok(api.get(f"/instances/{created['id']}"))["instance"]
    assert set(shown) == DETAIL_KEYS and shown["access"] == {"is_public": False}


def test_rackspace_keeps_its_documented_shape() -> None:
    mock, api, _ = make("rackspace")
    instance = seed_instance(mock)
    shown = ok(api.get(f"/instances/{instance}"))["instance"]
    assert shown["hostname"].endswith(".rackspaceclouddb.com")
    assert not {"operating_status", "addresses", "ip", "region"} & set(shown)
