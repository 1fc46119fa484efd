"""backups of HA groups (Rackspace), through HTTP."""

from __future__ import annotations

import pytest
from helpers import fault_of
from werkzeug.test import Client

from trovemock import TroveMock

TOKEN = {"X-Auth-Token": "tok"}
P = "acct"
BASE = f"/v1.0/{P}"


@pytest.fixture
def mock() -> TroveMock:
    m = TroveMock("rackspace")
    m.config.backup_new_seconds = 1
    m.config.backup_building_seconds = 4
    return m


@pytest.fixture
def client(mock: TroveMock) -> Client:
    return Client(mock)


def ha_backup(client: Client, ha_id: str, name: str = "ha-backup1", **extra):
    body = {"backup": {"instance": None, "name": name, "source": {"type": "ha", "id": ha_id}}}
    body["backup"].update(extra)
    return client.post(f"{BASE}/backups", json=body, headers=TOKEN)




def test_add_ha_group_seeds_the_source_and_its_replicas(mock: TroveMock) -> None:
    group = mock.add_ha_group(P, replicas=3, region="IAD", datastore=("mysql", "5.6"))
    assert len(group.members) == 4 and group.region == "IAD"
    for member in group.members:
        assert mock.instance(member).ha_id == group.id
        assert mock.instance(member).region == "IAD"


def test_ha_backup_has_no_instance_and_echoes_the_source(mock: TroveMock, client: Client) -> None:
    group = mock.add_ha_group(P, databases=["shop"])
    resp = ha_backup(client, group.id, description="my_ha_backup1")
    assert resp.status_code == 202, resp.get_data(as_text=True)
    made = resp.json["backup"]
    assert made["instance_id"] is None
    assert made["source"] == {"type": "ha", "id": group.id}
    assert made["type"] == "InnoBackupEx" and made["status"] == "NEW"
    assert made["datastore"]["version"] == "5.6"
    # Taken from the replica: the restore brings back the group's databases.
    assert mock.backup(made["id"]).contents.databases == ("shop",)


def test_ha_group_shows_backup_while_running_and_refuses_a_second(
    mock: TroveMock, client: Client
) -> None:
    group = mock.add_ha_group(P)
    assert ha_backup(client, group.id).status_code == 202
    assert mock.ha_status(group.id) == "BACKUP"
    shown = client.get(f"{BASE}/ha/{group.id}", headers=TOKEN).json["ha_instance"]
    assert shown["state"] == "BACKUP"
    assert "BACKUP" in fault_of(ha_backup(client, group.id, "again"), 422, "unprocessableEntity")
    mock.clock.advance(5)
    assert mock.ha_status(group.id) == "ACTIVE"
    assert ha_backup(client, group.id, "again").status_code == 202


def test_incremental_ha_backup_with_parent_id(mock: TroveMock, client: Client) -> None:
    group = mock.add_ha_group(P)
    first = ha_backup(client, group.id).json["backup"]
    mock.clock.advance(5)
    resp = ha_backup(client, group.id, "ha-backup2", parent_id=first["id"])
    assert resp.status_code == 202
    second = resp.json["backup"]
    assert second["parent_id"] == first["id"]
    assert second["type"] == "InnoBackupExIncremental"
    assert second["source"] == {"type": "ha", "id": group.id}


def test_ha_backups_are_listed_under_ha_and_backups_but_no_instance(
    mock: TroveMock, client: Client
) -> None:
    group = mock.add_ha_group(P)
    made = ha_backup(client, group.id).json["backup"]
    plain = mock.add_instance(P)
    other = client.post(
        f"{BASE}/backups", json={"backup": {"name": "plain", "instance": plain.id}}, headers=TOKEN
    ).json["backup"]
    assert other["source"] == {"type": "instance", "id": plain.id}

    listed = client.get(f"{BASE}/ha/{group.id}/backups", headers=TOKEN)
    assert listed.status_code == 200
    assert [b["id"] for b in listed.json["backups"]] == [made["id"]]
    everything = [b["id"] for b in client.get(f"{BASE}/backups", headers=TOKEN).json["backups"]]
    assert set(everything) == {made["id"], other["id"]}
    for member in [*group.members, plain.id]:
        under = client.get(f"{BASE}/instances/{member}/backups", headers=TOKEN).json["backups"]
        assert made["id"] not in [b["id"] for b in under]


def test_unknown_ha_group_is_404(mock: TroveMock, client: Client) -> None:
    missing = "130922a2-b9ab-4e95-86be-9c5d79171b5e"
    fault_of(client.get(f"{BASE}/ha/{missing}/backups", headers=TOKEN), 404, "itemNotFound")
    fault_of(ha_backup(client, missing), 404, "itemNotFound")


def test_another_projects_ha_group_is_404(mock: TroveMock, client: Client) -> None:
    group = mock.add_ha_group("someone-else")
    fault_of(client.get(f"{BASE}/ha/{group.id}/backups", headers=TOKEN), 404, "itemNotFound")
    fault_of(ha_backup(client, group.id), 404, "itemNotFound")


def test_ha_backup_with_an_instance_too_is_400(mock: TroveMock, client: Client) -> None:
    group = mock.add_ha_group(P)
    fault_of(ha_backup(client, group.id, instance=group.members[0]), 400, "badRequest")


def test_openstack_answers_ha_routes_and_fields_with_501() -> None:
    mock = TroveMock("openstack")
    client = Client(mock)
    ha_id = "130922a2-b9ab-4e95-86be-9c5d79171b5e"
    fault_of(client.get(f"{BASE}/ha/{ha_id}/backups", headers=TOKEN), 501, "notImplemented")
    inst = mock.add_instance(P)
    body = {"backup": {"name": "n", "instance": inst.id, "source": {"type": "ha", "id": ha_id}}}
    fault_of(client.post(f"{BASE}/backups", json=body, headers=TOKEN), 501, "notImplemented")
    with pytest.raises(ValueError, match="rackspace"):
        mock.add_ha_group(P)


def test_a_member_of_an_ha_group_cannot_be_deleted_on_its_own(
    mock: TroveMock, client: Client
) -> None:
    group = mock.add_ha_group(P, replicas=1)
    mock.add_schedule(P, ha_id=group.id, day_of_week=0, hour=1, minute=0)
    for member in group.members:
        answer = client.delete(f"{BASE}/instances/{member}", headers=TOKEN)
        message = fault_of(answer, 422, "unprocessableEntity")
        assert group.id in message
    assert [m.id for m in mock.instances(P)] == group.members  # nothing was deleted
    assert ha_backup(client, group.id).status_code == 202
    mock.complete(mock.backups(P)[0].id)
    mock.clock.advance(8 * 86400)  # the schedule's runs happen, for the group as it is
    assert client.get("/v1.0/someone-else/flavors", headers=TOKEN).status_code == 200
    runs = mock.schedule_runs()
    assert runs and all(run.outcome == "created" for run in runs)


def test_a_scheduled_run_that_fails_unexpectedly_is_recorded_not_raised(
    mock: TroveMock, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trovemock.model import schedules

    instance = mock.add_instance(P)
    schedule = mock.add_schedule(P, instance_id=instance.id, day_of_week=0, hour=1, minute=0)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the emulator")

    monkeypatch.setattr(schedules, "create_backup", broken)
    mock.clock.advance(8 * 86400)
    assert client.get("/v1.0/someone-else/flavors", headers=TOKEN).status_code == 200
    (run,) = [r for r in mock.schedule_runs(schedule.id)]
    assert (run.outcome, run.error) == ("skipped", "RuntimeError")
    assert "a bug in the emulator" in run.reason
    assert mock.schedule(schedule.id).next_run > mock.clock.now()  # it goes on running
