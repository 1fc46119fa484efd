"""The root user API and the `reset_status` action, through HTTP (neighbour-apis.md §5, §7;
codes and messages checked against real Trove 26.0.0)."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from trovemock import TroveMock

MEMBER = {"X-Auth-Token": "tok-member"}
ADMIN = {"X-Auth-Token": "tok-admin"}
BASE = "/v1.0/p1"


@pytest.fixture
def mock() -> TroveMock:
    m = TroveMock()
    m.add_token("tok-member", "p1", roles=["member"])
    m.add_token("tok-admin", "p1", roles=["admin"])
    return m


def fault(r, status: int) -> str:
    assert r.status_code == status, r.get_data(as_text=True)
    ((_, body),) = r.json.items()
    assert body["code"] == status
    return body["message"]


# -- root ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dialect", ["openstack", "rackspace"])
def test_enable_generates_a_password_and_status_follows(dialect: str) -> None:
    mock = TroveMock(dialect)
    inst = mock.add_instance("p1").id
    api = Client(mock)
    assert api.get(f"{BASE}/instances/{inst}/root", headers=MEMBER).json == {"rootEnabled": False}
    r = api.post(f"{BASE}/instances/{inst}/root", headers=MEMBER)  # cdb-cli sends no body
    assert r.status_code == 200
    assert r.json["user"]["name"] == "root" and len(r.json["user"]["password"]) >= 16
    again = api.post(f"{BASE}/instances/{inst}/root", headers=MEMBER).json["user"]["password"]
    assert again != r.json["user"]["password"]  # enabling again resets the password
    assert api.get(f"{BASE}/instances/{inst}/root", headers=MEMBER).json == {"rootEnabled": True}


def test_enable_with_a_password_uses_it(mock: TroveMock) -> None:
    inst = mock.add_instance("p1").id
    r = Client(mock).post(f"{BASE}/instances/{inst}/root", json={"password": "s3cret"},
                          headers=MEMBER)
    assert r.json == {"user": {"name": "root", "password": "s3cret"}}


def test_disable_is_204_then_404_as_never_enabled(mock: TroveMock) -> None:
    inst = mock.add_instance("p1").id
    api = Client(mock)
    never = api.delete(f"{BASE}/instances/{inst}/root", headers=MEMBER)
    assert fault(never, 404) == "Root user has never been enabled on the instance."
    api.post(f"{BASE}/instances/{inst}/root", json={}, headers=MEMBER)
    r = api.delete(f"{BASE}/instances/{inst}/root", headers=MEMBER)
    assert r.status_code == 204 and r.get_data() == b""
    assert api.get(f"{BASE}/instances/{inst}/root", headers=MEMBER).json == {"rootEnabled": False}
    assert api.delete(f"{BASE}/instances/{inst}/root", headers=MEMBER).status_code == 404


def test_disable_is_not_a_rackspace_operation() -> None:
    mock = TroveMock("rackspace")
    inst = mock.add_instance("p1").id
    r = Client(mock).delete(f"{BASE}/instances/{inst}/root", headers=MEMBER)
    assert fault(r, 501).startswith("DELETE /instances/{instanceId}/root is not implemented")


def test_root_checks_the_instance_its_datastore_and_its_state(mock: TroveMock) -> None:
    api = Client(mock)
    missing = "00000000-0000-0000-0000-000000000000"
    assert fault(api.get(f"{BASE}/instances/{missing}/root", headers=MEMBER), 404)
    other = mock.add_instance("p2").id
    assert fault(api.post(f"{BASE}/instances/{other}/root", headers=MEMBER), 404)
    redis = mock.add_instance("p1", datastore=("redis", "6")).id
    message = fault(api.post(f"{BASE}/instances/{redis}/root", headers=MEMBER), 422)
    assert message == "Operation not supported for datastore redis."
    building = mock.add_instance("p1", status="BUILD").id
    message = fault(api.get(f"{BASE}/instances/{building}/root", headers=MEMBER), 422)
    assert message == f"Instance {building} is not ready, status: BUILD."


def test_root_works_while_a_backup_runs(mock: TroveMock) -> None:
    inst = mock.add_instance("p1").id
    api = Client(mock)
    api.post(f"{BASE}/backups", json={"backup": {"name": "b", "instance": inst}}, headers=MEMBER)
    assert api.get(f"{BASE}/instances/{inst}", headers=MEMBER).json["instance"]["status"] == \
        "BACKUP"
    assert api.post(f"{BASE}/instances/{inst}/root", headers=MEMBER).status_code == 200


def test_postgresql_root_for_the_tempest_classes(mock: TroveMock) -> None:
    inst = mock.add_instance("p1", datastore=("postgresql", "12")).id
    r = Client(mock).post(f"{BASE}/instances/{inst}/root", json={}, headers=MEMBER)
    assert r.status_code == 200


def test_root_state_survives_export_and_import(mock: TroveMock) -> None:
    inst = mock.add_instance("p1").id
    Client(mock).post(f"{BASE}/instances/{inst}/root", headers=MEMBER)
    copy = TroveMock()
    copy.import_state(mock.export_state())
    assert Client(copy).get(f"{BASE}/instances/{inst}/root", headers=MEMBER).json == \
        {"rootEnabled": True}


# -- reset_status --------------------------------------------------------------------------
def reset(api: Client, inst: str, headers: dict, body: dict | None = None):
    return api.post(f"{BASE}/instances/{inst}/action",
                    json={"reset_status": body if body is not None else {}}, headers=headers)


def test_reset_status_is_admin_only(mock: TroveMock) -> None:
    inst = mock.add_instance("p1").id
    r = reset(Client(mock), inst, MEMBER)
    assert fault(r, 403) == "Policy doesn't allow instance:reset_status to be performed."


def test_reset_status_fails_running_backups_and_the_datastore_reads_error(
    mock: TroveMock,
) -> None:
    inst = mock.add_instance("p1").id
    api = Client(mock)
    done = api.post(f"{BASE}/backups", json={"backup": {"name": "a", "instance": inst}},
                    headers=MEMBER).json["backup"]["id"]
    mock.clock.advance(10)
    running = api.post(f"{BASE}/backups", json={"backup": {"name": "b", "instance": inst}},
                       headers=MEMBER).json["backup"]["id"]
    r = reset(api, inst, ADMIN)
    assert r.status_code == 202 and r.get_data() == b""
    assert api.get(f"{BASE}/backups/{running}", headers=MEMBER).json["backup"]["status"] == \
        "FAILED"
    assert api.get(f"{BASE}/backups/{done}", headers=MEMBER).json["backup"]["status"] == \
        "COMPLETED"
    shown = api.get(f"{BASE}/instances/{inst}", headers=MEMBER).json["instance"]
    assert (shown["status"], shown["operating_status"]) == ("ACTIVE", "ERROR")
    mock.clock.advance(60)  # the failed backup never comes back to life
    assert api.get(f"{BASE}/backups/{running}", headers=MEMBER).json["backup"]["status"] == \
        "FAILED"
    # the instance can now be deleted: what tempest's cleanup does next
    assert api.delete(f"{BASE}/instances/{inst}", headers=ADMIN).status_code == 202


def test_the_owner_may_reset_with_force_delete(mock: TroveMock) -> None:
    inst = mock.add_instance("p1").id
    assert reset(Client(mock), inst, MEMBER, {"force_delete": True}).status_code == 202


def test_an_admin_resets_another_projects_instance_from_its_own_project() -> None:
    """tempest's cleanup: the admin client's endpoint is the admin project's."""
    mock = TroveMock()
    mock.add_token("tok-admin", "admin-project", roles=["admin"])
    inst = mock.add_instance("p1").id
    api = Client(mock)
    r = api.post(f"/v1.0/admin-project/instances/{inst}/action",
                 json={"reset_status": {}}, headers=ADMIN)
    assert r.status_code == 202
    assert api.delete(f"/v1.0/admin-project/instances/{inst}", headers=ADMIN).status_code == 202
    assert mock.instances("p1") == []


def test_reset_status_of_an_unknown_instance_is_404(mock: TroveMock) -> None:
    r = reset(Client(mock), "00000000-0000-0000-0000-000000000000", ADMIN)
    assert fault(r, 404) == "Resource 00000000-0000-0000-0000-000000000000 cannot be found."


def test_a_restart_brings_the_datastore_back_to_healthy(mock: TroveMock) -> None:
    inst = mock.add_instance("p1").id
    api = Client(mock)
    reset(api, inst, ADMIN)
    assert api.post(f"{BASE}/instances/{inst}/action", json={"restart": {}},
                    headers=MEMBER).status_code == 202
    mock.clock.advance(60)
    shown = api.get(f"{BASE}/instances/{inst}", headers=MEMBER).json["instance"]
    assert (shown["status"], shown["operating_status"]) == ("ACTIVE", "HEALTHY")


def test_reset_status_is_not_a_rackspace_action() -> None:
    mock = TroveMock("rackspace")
    inst = mock.add_instance("p1").id
    assert fault(reset(Client(mock), inst, ADMIN), 501)
