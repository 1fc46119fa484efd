"""Forced statuses keep the rule of one running backup per instance."""

from __future__ import annotations

from werkzeug.test import Client

from trovemock import TroveMock

PROJECT = "p1"
TOKEN = {"X-Auth-Token": "t"}


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
