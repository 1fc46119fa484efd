"""What the journal keeps of requests a fault rule answered or dropped: every request that
reached the emulator is in it, with its body, the rule, and what the client was sent."""

from __future__ import annotations

import pytest
import requests
from werkzeug.test import Client

from trovemock import TroveMock
from trovemock.exchange import ConnectionDropped
from trovemock.server import BackgroundServer

PROJECT = "p1"
TOKEN = {"X-Auth-Token": "tok"}


def body(instance: str, name: str = "nightly") -> dict:
    return {"backup": {"name": name, "instance": instance}}


@pytest.fixture
def mock() -> TroveMock:
    return TroveMock()


def test_a_request_a_rule_answers_keeps_its_body(mock: TroveMock) -> None:
    instance = mock.add_instance(PROJECT).id
    rule = mock.faults.add(route="backups.create", status=503, times=1)
    answer = Client(mock).post(f"/v1.0/{PROJECT}/backups", headers=TOKEN, json=body(instance))
    assert answer.status_code == 503
    [entry] = mock.journal.filter(route="backups.create")
    assert entry.request_json == body(instance)
    assert (entry.fault_rule, entry.status, entry.delivery) == (rule.id, 503, "sent")


def test_a_faulted_body_keeps_its_secrets_masked_and_bad_json_as_text(mock: TroveMock) -> None:
    instance = mock.add_instance(PROJECT).id
    mock.faults.add(route="users.create", status=500)
    client = Client(mock)
    client.post(f"/v1.0/{PROJECT}/instances/{instance}/users", headers=TOKEN,
                json={"users": [{"name": "app", "password": "hunter2"}]})
    client.post(f"/v1.0/{PROJECT}/instances/{instance}/users", headers=TOKEN,
                data="{not json", content_type="application/json")
    first, second = mock.journal.filter(route="users.create")
    assert first.request_json == {"users": [{"name": "app", "password": "***"}]}
    assert second.request_json is None and second.request_text == "{not json"


def test_a_dropped_connection_is_in_the_journal(mock: TroveMock) -> None:
    instance = mock.add_instance(PROJECT).id
    rule = mock.faults.add(route="backups.create", drop=True, times=2)
    client = Client(mock)
    for _ in range(2):
        with pytest.raises(ConnectionDropped):
            client.post(f"/v1.0/{PROJECT}/backups", headers=TOKEN, json=body(instance))
    assert client.post(f"/v1.0/{PROJECT}/backups", headers=TOKEN,
                       json=body(instance)).status_code == 202
    entries = mock.journal.filter(route="backups.create")
    assert [e.delivery for e in entries] == ["dropped", "dropped", "sent"]
    assert rule.fired == 2 == len([e for e in entries if e.fault_rule == rule.id])
    dropped = entries[0]
    assert dropped.status == 0 and dropped.response_json is None
    assert dropped.request_json == body(instance)
    assert str(dropped) == (f"#1 POST /v1.0/{PROJECT}/backups -> dropped: the connection was "
                            f"closed without an answer [fault rule {rule.id}]")
    mock.journal.assert_called("backups.create", times=3)


def test_a_drop_on_a_real_server_is_journalled_and_shown_by_the_control_api(
    mock: TroveMock,
) -> None:
    mock.faults.add(route="backups.list", drop=True, times=1)
    with BackgroundServer(mock) as server:
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{server.url}/v1.0/{PROJECT}/backups", headers=TOKEN, timeout=5)
        shown = requests.get(f"{server.url}/_trovemock/journal", timeout=5).json()
    [entry] = [e for e in shown["journal"] if e["route"] == "backups.list"]
    assert (entry["delivery"], entry["status"], entry["fault_rule"]) == ("dropped", 0, "fault-1")


def test_the_journal_filters_on_what_the_client_got(mock: TroveMock) -> None:
    mock.faults.add(route="backups.list", drop=True, times=1)
    client = Client(mock)
    with pytest.raises(ConnectionDropped):
        client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    assert [e.seq for e in mock.journal.filter(delivery="dropped")] == [1]
    over_http = client.get("/_trovemock/journal", query_string={"delivery": "dropped"})
    assert [e["seq"] for e in over_http.get_json()["journal"]] == [1]
    with pytest.raises(ValueError, match="delivery must be one of sent, dropped, gave_up"):
        mock.journal.filter(delivery="lost")
    bad = client.get("/_trovemock/journal", query_string={"delivery": "lost"})
    assert bad.status_code == 400 and "sent, dropped, gave_up" in bad.get_data(as_text=True)
