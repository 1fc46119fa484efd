"""Issue 13 (item 8): deeply nested JSON is a 400 everywhere and cannot break the journal; an
invalid default region is refused; forced statuses keep one running backup per instance;
`TroveMock.reset()` and `POST /_trovemock/reset` forget the same tokens."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from trovemock import ManualClock, TroveMock

PROJECT = "p1"
TOKEN = {"X-Auth-Token": "t"}


# -- nested JSON --------------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [2_000, 30_000])  # both under the 64 KiB identity cap
@pytest.mark.parametrize(
    ("path", "fault_name"),
    [("/_trovemock/faults", "badRequest"), ("/_trovemock/state", "badRequest"),
     ("/v3/auth/tokens", "error"), ("/v2.0/tokens", "badRequest")],
)
def test_deeply_nested_json_is_a_400(path, fault_name, depth):
    client = Client(TroveMock())
    method = "PUT" if path.endswith("state") else "POST"
    answer = client.open(path, method=method, data="[" * depth + "]" * depth,
                         content_type="application/json")
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert fault_name in answer.get_json()


def test_a_deeply_nested_request_does_not_break_the_journal():
    mock = TroveMock()
    client = Client(mock)
    instance = mock.add_instance(PROJECT).id
    junk = "[" * 900 + "]" * 900
    nested = f'{{"backup": {{"name": "x", "instance": "{instance}", "junk": {junk}}}}}'
    created = client.post(f"/v1.0/{PROJECT}/backups", headers=TOKEN, data=nested,
                          content_type="application/json")
    assert created.status_code == 202
    client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    journal = client.get("/_trovemock/journal")
    assert journal.status_code == 200
    entries = journal.get_json()["journal"]
    assert [e["route"] for e in entries] == ["backups.create", "backups.list"]
    assert entries[1]["status"] == 200
    assert mock.journal.to_dicts()[0]["request_json"]["backup"]["name"] == "x"


# -- regions in the config ------------------------------------------------------------------------
def test_an_invalid_default_region_is_refused():
    mock = TroveMock(dialect="rackspace")
    client = Client(mock)
    answer = client.put("/_trovemock/config", json={"default_region": "XYZ"})
    assert answer.status_code == 400
    assert "default_region" in answer.get_json()["badRequest"]["message"]
    assert mock.default_region == "DFW"


def test_a_default_region_in_any_case_is_canonical_and_state_still_round_trips():
    mock = TroveMock(dialect="rackspace", clock=ManualClock("2030-01-01T00:00:00"))
    client = Client(mock)
    assert client.put("/_trovemock/config", json={"default_region": "iad"}).get_json()[
        "default_region"] == "IAD"
    instance = mock.add_instance(PROJECT).id  # in the default region
    created = client.post(f"/v1.0/{PROJECT}/backups", headers=TOKEN,
                          json={"backup": {"name": "b", "instance": instance}})
    assert created.status_code == 202
    state = client.get("/_trovemock/state").get_json()
    assert {b["region"] for b in state["backups"]} == {"IAD"}
    assert client.put("/_trovemock/state", json=state).status_code == 204


def test_the_openstack_region_is_fixed_once_the_cloud_exists():
    mock = TroveMock()
    answer = Client(mock).put("/_trovemock/config", json={"openstack_region": "Elsewhere"})
    assert answer.status_code == 400
    assert mock.config.openstack_region == "RegionOne"


# -- forced statuses and the one-running rule ---------------------------------------------------
def test_forcing_a_second_running_backup_on_one_instance_is_refused():
    mock = TroveMock()
    client = Client(mock)
    instance = mock.add_instance(PROJECT).id
    first = client.post(f"/v1.0/{PROJECT}/backups", headers=TOKEN, json={
        "backup": {"name": "a", "instance": instance}}).get_json()["backup"]["id"]
    mock.clock.advance(60)
    second = client.post(f"/v1.0/{PROJECT}/backups", headers=TOKEN, json={
        "backup": {"name": "b", "instance": instance}}).get_json()["backup"]["id"]
    mock.clock.advance(60)
    assert client.post(f"/_trovemock/backups/{first}/status",
                       json={"status": "BUILDING"}).status_code == 200
    refused = client.post(f"/_trovemock/backups/{second}/status", json={"status": "NEW"})
    assert refused.status_code == 400
    assert first in refused.get_json()["badRequest"]["message"]
    assert mock.backup(second).status == "COMPLETED"
    assert [b.id for b in mock.backups() if b.running] == [first]
    assert client.post(f"/_trovemock/backups/{first}/status",
                       json={"status": "COMPLETED"}).status_code == 200
    assert client.post(f"/_trovemock/backups/{second}/status",
                       json={"status": "NEW"}).status_code == 200
    assert mock.instance_status(instance) == "BACKUP"
    assert mock.instance(instance).running_backup == second


# -- reset ---------------------------------------------------------------------------------------
def _login(client: Client) -> str:
    return client.post("/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {"name": "u", "password": "p"}}}}}
    ).headers["X-Subject-Token"]


@pytest.mark.parametrize("how", ["python", "http"])
def test_both_resets_forget_identity_tokens(how):
    mock = TroveMock()
    client = Client(mock)
    token = _login(client)
    if how == "python":
        mock.reset()
    else:
        assert client.post("/_trovemock/reset").status_code == 204
    again = client.post("/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["token"], "token": {"id": token}}}})
    assert again.status_code == 401
    assert token not in mock.tokens
