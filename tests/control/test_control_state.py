"""GET/PUT /_trovemock/state: an export imported into a fresh cloud gives the same answers."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from trovemock import ManualClock, TroveMock

PROJECT = "p1"
START = "2030-01-01T00:00:00"
SOURCE = "11111111-2222-3333-4444-555555555555"
SECOND = "11111111-2222-3333-4444-666666666666"
TOKEN = {"X-Auth-Token": "tok"}


def new_cloud(dialect):
    mock = TroveMock(dialect=dialect, clock=ManualClock(START))
    return mock, Client(mock)


def backup(client, name, instance, **extra):
    answer = client.post(
        f"/v1.0/{PROJECT}/backups",
        headers=TOKEN,
        json={"backup": {"name": name, "instance": instance, **extra}},
    )
    assert answer.status_code == 202, answer.get_json()
    return answer.get_json()["backup"]["id"]


def answers(client, ids):
    """What a client sees: the list and every backup, plus the instances."""
    seen = {"list": client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN).get_json()}
    for backup_id in ids:
        seen[backup_id] = client.get(f"/v1.0/{PROJECT}/backups/{backup_id}", headers=TOKEN)
        seen[backup_id] = (seen[backup_id].status_code, seen[backup_id].get_json())
    for instance_id in (SOURCE, SECOND):
        shown = client.get(f"/v1.0/{PROJECT}/instances/{instance_id}", headers=TOKEN)
        seen[instance_id] = shown.get_json()
    return seen


@pytest.mark.parametrize("dialect", ["openstack", "rackspace"])
def test_state_round_trip_gives_the_same_answers_now_and_later(dialect):
    mock, client = new_cloud(dialect)
    for instance_id in (SOURCE, SECOND):
        client.post("/_trovemock/instances", json={"project_id": PROJECT, "id": instance_id})
    done = backup(client, "full", SOURCE)
    client.post("/_trovemock/clock", json={"advance": 3600})
    child = backup(client, "inc", SOURCE, parent_id=done) if dialect == "openstack" else None
    client.post("/_trovemock/clock", json={"advance": 2})  # child is BUILDING now
    running = backup(client, "running", SECOND)  # NEW, with its instance in BACKUP
    client.post("/_trovemock/tokens", json={"token": "bound", "project_id": PROJECT})
    ids = [i for i in (done, child, running) if i]

    state = client.get("/_trovemock/state")
    assert state.status_code == 200
    twin, twin_client = new_cloud(dialect)
    twin.clock.set(mock.clock.now())
    assert twin_client.put("/_trovemock/state", json=state.get_json()).status_code == 204

    before = answers(twin_client, ids)
    assert before == answers(client, ids)
    expected = {"COMPLETED", "BUILDING", "NEW"} if child else {"COMPLETED", "NEW"}
    assert {b["status"] for b in before["list"]["backups"]} == expected
    assert before[SECOND]["instance"]["status"] == "BACKUP"
    other = twin_client.get("/v1.0/p2/backups", headers={"X-Auth-Token": "bound"})
    assert other.status_code == 403  # the token came along, still bound to its project
    for moving in (client, twin_client):
        moving.post("/_trovemock/clock", json={"advance": 3600})
    after = answers(twin_client, ids)
    assert after == answers(client, ids)
    assert {b["status"] for b in after["list"]["backups"]} == {"COMPLETED"}


def test_bad_state_is_400_naming_the_place_and_keeps_the_cloud():
    mock, client = new_cloud("openstack")
    client.post("/_trovemock/instances", json={"project_id": PROJECT, "id": SOURCE})
    kept = backup(client, "kept", SOURCE)
    broken = client.get("/_trovemock/state").get_json()
    broken["backups"].append({"id": 42})
    answer = client.put("/_trovemock/state", json=broken)
    assert answer.status_code == 400
    assert "backups[1]" in answer.get_json()["badRequest"]["message"]
    assert [b.id for b in mock.backups()] == [kept]


def test_state_of_another_dialect_is_refused():
    _, openstack = new_cloud("openstack")
    _, rackspace = new_cloud("rackspace")
    answer = rackspace.put("/_trovemock/state", json=openstack.get("/_trovemock/state").get_json())
    assert answer.status_code == 400
    assert "dialect" in answer.get_json()["badRequest"]["message"]
