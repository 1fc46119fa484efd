"""Fault rules and the request journal through the control API."""

from __future__ import annotations

import pytest
import requests
from werkzeug.test import Client

from trovemock import ManualClock, TroveMock
from trovemock.server import BackgroundServer

PROJECT = "p1"
INSTANCE = "11111111-2222-3333-4444-555555555555"
TOKEN = {"X-Auth-Token": "tok"}
CREATE = {"backup": {"name": "b1", "instance": INSTANCE}}


@pytest.fixture
def mock():
    mock = TroveMock(dialect="openstack", clock=ManualClock())
    mock.add_instance(PROJECT, id=INSTANCE)
    return mock


@pytest.fixture
def client(mock):
    return Client(mock)


def create(client):
    return client.post(f"/v1.0/{PROJECT}/backups", headers=TOKEN, json=CREATE)


# --- faults -----------------------------------------------------------------------------------


def test_fault_rule_answers_with_its_status_the_given_number_of_times(client):
    added = client.post(
        "/_trovemock/faults", json={"route": "backups.create", "status": 503, "times": 1}
    )
    assert added.status_code == 201
    rule = added.get_json()["fault"]
    assert rule["route"] == "backups.create" and rule["id"]
    first = create(client)
    assert first.status_code == 503
    assert first.get_json()["serviceUnavailable"]["code"] == 503
    assert create(client).status_code == 202
    [listed] = client.get("/_trovemock/faults").get_json()["faults"]
    assert listed["id"] == rule["id"] and listed["fired"] == 1


def test_fault_rule_can_be_removed_by_id(client):
    rule = client.post("/_trovemock/faults", json={"route": "backups.create", "status": 500})
    rule_id = rule.get_json()["fault"]["id"]
    assert client.delete(f"/_trovemock/faults/{rule_id}").status_code == 204
    assert client.get("/_trovemock/faults").get_json() == {"faults": []}
    assert create(client).status_code == 202
    again = client.delete(f"/_trovemock/faults/{rule_id}")
    assert again.status_code == 404


def test_delete_faults_clears_every_rule(client):
    for status in (500, 503):
        client.post("/_trovemock/faults", json={"route": "backups.list", "status": status})
    assert client.delete("/_trovemock/faults").status_code == 204
    assert client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [({"status": "broken"}, "status"), ({"colour": "red"}, "colour"), ({"times": -2}, "times")],
)
def test_bad_fault_rule_is_400_naming_the_field_and_adds_nothing(client, body, field):
    answer = client.post("/_trovemock/faults", json=body)
    assert answer.status_code == 400
    assert field in answer.get_json()["badRequest"]["message"]
    assert client.get("/_trovemock/faults").get_json() == {"faults": []}


def test_outcome_rule_makes_the_next_backup_fail(client):
    client.post(
        "/_trovemock/faults",
        json={"route": "backups.create", "outcome": "backup_failed", "times": 1},
    )
    backup = create(client).get_json()["backup"]
    client.post("/_trovemock/clock", json={"advance": 3600})
    shown = client.get(f"/v1.0/{PROJECT}/backups/{backup['id']}", headers=TOKEN)
    assert shown.get_json()["backup"]["status"] == "FAILED"


def test_drop_rule_closes_the_connection_on_a_real_server(mock):
    with BackgroundServer(mock) as server:
        added = requests.post(
            server.url + "/_trovemock/faults",
            json={"route": "backups.list", "drop": True, "times": 1},
            timeout=5,
        )
        assert added.status_code == 201
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(server.url + f"/v1.0/{PROJECT}/backups", headers=TOKEN, timeout=5)
        again = requests.get(server.url + f"/v1.0/{PROJECT}/backups", headers=TOKEN, timeout=5)
        assert again.status_code == 200


# --- journal ----------------------------------------------------------------------------------


def test_journal_lists_trove_requests_in_order_without_control_calls(client):
    create(client)
    client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    entries = client.get("/_trovemock/journal").get_json()["journal"]
    assert [(e["method"], e["route"], e["status"]) for e in entries] == [
        ("POST", "backups.create", 202),
        ("GET", "backups.list", 200),
    ]
    assert entries[0]["request_json"] == CREATE
    assert entries[0]["headers"]["X-Auth-Token"] == "***"


def test_journal_filters(client):
    create(client)
    client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    client.get(f"/v1.0/{PROJECT}/backups/missing", headers=TOKEN)
    by_route = client.get("/_trovemock/journal?route=backups.show").get_json()["journal"]
    assert [e["status"] for e in by_route] == [404]
    by_method = client.get("/_trovemock/journal?method=post").get_json()["journal"]
    assert [e["route"] for e in by_method] == ["backups.create"]
    by_status = client.get("/_trovemock/journal?status=200").get_json()["journal"]
    assert [e["route"] for e in by_status] == ["backups.list"]


def test_journal_bad_filter_is_400(client):
    answer = client.get("/_trovemock/journal?colour=red")
    assert answer.status_code == 400
    assert "colour" in answer.get_json()["badRequest"]["message"]


def test_delete_journal_clears_it(client):
    create(client)
    assert client.delete("/_trovemock/journal").status_code == 204
    assert client.get("/_trovemock/journal").get_json() == {"journal": []}
