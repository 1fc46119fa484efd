"""Deeply nested JSON is a 400 on every door and cannot break the journal."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from trovemock import TroveMock

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
