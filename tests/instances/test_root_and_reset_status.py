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
    # Trove words the database's status as its guest agent reports it
    for status, reported in (("BUILD", "building"), ("SHUTDOWN", "shutdown"),
                             ("ERROR", "new")):
        inst = mock.add_instance("p1", status=status).id
        message = fault(api.get(f"{BASE}/instances/{inst}/root", headers=MEMBER), 422)
        assert message == f"Instance {inst} is not ready, status: {reported}."


def test_root_finds_instances_in_the_urls_project_only_even_for_an_admin(
    mock: TroveMock,
) -> None:
    """Trove looks the instance up by the URL's project, admin or not."""
    theirs = mock.add_instance("p2").id
    api = Client(mock)
    r = api.post(f"{BASE}/instances/{theirs}/root", headers=ADMIN)
    assert fault(r, 404) == f"Resource {theirs} cannot be found."
    assert api.get(f"{BASE}/instances/{theirs}", headers=ADMIN).status_code == 200


@pytest.mark.parametrize("body", [{"password": ""}, {"password": None}, {}, None],
                         ids=["empty", "null", "no-password", "no-body"])
def test_an_empty_or_missing_password_is_generated(mock: TroveMock, body) -> None:
    inst = mock.add_instance("p1").id
    kwargs = {"json": body} if body is not None else {}
    r = Client(mock).post(f"{BASE}/instances/{inst}/root", headers=MEMBER, **kwargs)
    assert r.status_code == 200 and len(r.json["user"]["password"]) >= 16


@pytest.mark.parametrize("body", [{"password": 5}, [], "root"], ids=["number", "array", "string"])
def test_a_body_trove_cannot_read_is_400_and_enables_nothing(mock: TroveMock, body) -> None:
    inst = mock.add_instance("p1").id
    api = Client(mock)
    r = api.post(f"{BASE}/instances/{inst}/root", headers=MEMBER, json=body)
    assert fault(r, 400).startswith("Validation error: ")
    assert api.get(f"{BASE}/instances/{inst}/root", headers=MEMBER).json == {"rootEnabled": False}


@pytest.mark.allow_schema_violations
def test_upstream_fidelity_reads_the_root_body_as_trove_does() -> None:
    mock = TroveMock(fidelity="upstream")
    mock.add_token("tok-member", "p1")
    inst = mock.add_instance("p1").id
    api = Client(mock)
    assert api.post(f"{BASE}/instances/{inst}/root", headers=MEMBER,
                    json=[]).status_code == 200  # not an object: no password
    crash = api.post(f"{BASE}/instances/{inst}/root", headers=MEMBER, json={"password": 5})
    assert crash.status_code == 500 and "instanceFault" in crash.json
    missing = "00000000-0000-0000-0000-000000000000"
    r = api.get(f"{BASE}/instances/{missing}/root", headers=MEMBER)
    assert fault(r, 404) == "DBCluster Not Found"


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


def test_after_a_reset_actions_wait_for_the_guest_agents_next_heartbeat(
    mock: TroveMock,
) -> None:
    """As in Trove: the datastore status reset_status left (UNKNOWN) refuses actions until
    the guest agent next reports, within a minute."""
    inst = mock.add_instance("p1").id
    api = Client(mock)
    reset(api, inst, ADMIN)
    refused = f"Instance {inst} is not currently available for an action to be performed " \
              "(instance status was ACTIVE)."
    r = api.post(f"{BASE}/instances/{inst}/action", json={"restart": {}}, headers=MEMBER)
    assert fault(r, 422) == refused
    r = api.post(f"{BASE}/backups", json={"backup": {"name": "b", "instance": inst}},
                 headers=MEMBER)
    assert fault(r, 422) == refused
    r = api.post(f"{BASE}/instances/{inst}/root", headers=MEMBER)
    assert fault(r, 422) == f"Instance {inst} is not ready, status: unknown."
    shown = api.get(f"{BASE}/instances/{inst}", headers=MEMBER).json["instance"]
    assert shown["fault"]["message"].startswith(f"Instance {inst} is not currently available")
    mock.clock.advance(59)
    assert api.get(f"{BASE}/instances/{inst}", headers=MEMBER).json["instance"][
        "operating_status"] == "ERROR"
    mock.clock.advance(1)
    shown = api.get(f"{BASE}/instances/{inst}", headers=MEMBER).json["instance"]
    assert (shown["status"], shown["operating_status"]) == ("ACTIVE", "HEALTHY")
    assert api.post(f"{BASE}/instances/{inst}/action", json={"restart": {}},
                    headers=MEMBER).status_code == 202


def test_a_reset_survives_export_and_import_and_still_heals(mock: TroveMock) -> None:
    inst = mock.add_instance("p1").id
    reset(Client(mock), inst, ADMIN)
    copy = TroveMock()
    copy.add_token("tok-member", "p1")
    copy.import_state(mock.export_state())
    api = Client(copy)
    assert api.get(f"{BASE}/instances/{inst}", headers=MEMBER).json["instance"][
        "operating_status"] == "ERROR"
    copy.clock.advance(60)
    assert api.get(f"{BASE}/instances/{inst}", headers=MEMBER).json["instance"][
        "operating_status"] == "HEALTHY"


def test_reset_status_is_not_a_rackspace_action() -> None:
    mock = TroveMock("rackspace")
    inst = mock.add_instance("p1").id
    assert fault(reset(Client(mock), inst, ADMIN), 501)
