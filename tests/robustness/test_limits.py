"""the journal is bounded in bytes, fault rules and identity tokens
in count, request lists in items, and a huge invalid body gets a short answer. Every limit is
a config field (`PUT /_trovemock/config`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from werkzeug.test import Client

from trovemock import Config, TroveMock
from trovemock.journal import held_bytes

PROJECT = "p1"
TOKEN = {"X-Auth-Token": "t"}


def cloud(**config) -> tuple[TroveMock, Client, str]:
    mock = TroveMock()
    mock.config.update(config)
    return mock, Client(mock), mock.add_instance(PROJECT).id


def test_every_limit_is_a_documented_config_field():
    limits = {"max_body_bytes": 1 << 20, "max_control_body_bytes": 64 << 20,
              "max_items_per_request": 1000, "journal_max_bytes": 64 << 20,
              "max_fault_rules": 1000, "max_identity_tokens": 10_000}
    shown = Client(TroveMock()).get("/_trovemock/config").get_json()
    assert {name: shown[name] for name in limits} == limits
    text = (Path(__file__).resolve().parents[2] / "docs" / "performance.md").read_text("utf-8")
    assert all(f"| `{name}` |" in text for name in limits)


# -- the journal ------------------------------------------------------------------------------
def test_the_journal_keeps_its_newest_entries_within_its_byte_budget():
    mock, client, _ = cloud(journal_max_bytes=150_000)
    filler = "x" * 50_000
    for n in range(20):  # each rejected with 400, each about 50 KB
        answer = client.post(f"/v1.0/{PROJECT}/backups", headers=TOKEN,
                             json={"backup": {"name": f"b{n}"}, "junk": filler})
        assert answer.status_code == 400
    entries = mock.journal.entries
    assert 1 <= len(entries) <= 3
    assert mock.journal.size_bytes <= 150_000
    assert entries[-1].seq == 20  # the newest is kept, numbering goes on
    assert entries[-1].request_json == {"backup": {"name": "b19"}, "junk": filler}


def test_a_big_body_is_journaled_as_the_text_of_its_start():
    mock, client, _ = cloud()
    body = json.dumps({"backup": {"name": "b"}, "junk": "y" * 200_000})
    client.post(f"/v1.0/{PROJECT}/backups", headers=TOKEN, data=body,
                content_type="application/json")
    entry = mock.journal.latest
    assert entry.request_json is None
    assert entry.request_text.startswith('{"backup": {"name": "b"}')
    assert len(entry.request_text) < 70_000
    assert entry.size > 200_000  # counted at its full size


# -- fault rules ------------------------------------------------------------------------------
def test_fault_rules_are_capped_by_config():
    mock, client, _ = cloud(max_fault_rules=3)
    for _ in range(3):
        assert client.post("/_trovemock/faults", json={"status": 503}).status_code == 201
    answer = client.post("/_trovemock/faults", json={"status": 503})
    assert answer.status_code == 400
    assert "max_fault_rules" in answer.get_json()["badRequest"]["message"]
    with pytest.raises(ValueError, match="max_fault_rules"):
        mock.faults.add(status=500)
    assert client.delete("/_trovemock/faults/fault-1").status_code == 204
    assert client.post("/_trovemock/faults", json={"status": 503}).get_json()["fault"]["id"] \
        == "fault-4"


# -- identity tokens ---------------------------------------------------------------------------
def _login(client: Client) -> str:
    answer = client.post("/v2.0/tokens", json={"auth": {
        "passwordCredentials": {"username": "u", "password": "pw"}, "tenantId": PROJECT}})
    assert answer.status_code == 200
    return answer.get_json()["access"]["token"]["id"]


def test_the_oldest_identity_tokens_are_forgotten_beyond_the_limit():
    mock, client, _ = cloud(max_identity_tokens=3)
    tokens = [_login(client) for _ in range(5)]
    assert [t for t in tokens if t in mock.tokens] == tokens[2:]
    for token in tokens[2:]:  # still bound to their project by the Trove API
        assert client.get("/v1.0/p2/backups", headers={"X-Auth-Token": token}
                          ).status_code == 403
    for token in tokens[:2]:  # forgotten by identity and the Trove API alike
        answer = client.post("/v2.0/tokens", json={"auth": {"token": {"id": token}}})
        assert answer.status_code == 401
    assert client.post("/v2.0/tokens", json={"auth": {"token": {"id": tokens[-1]}}}
                       ).status_code == 200
    assert len(mock.tokens) == 3  # that login issued one more and forgot the oldest
    assert tokens[2] not in mock.tokens


# -- items per request ---------------------------------------------------------------------------
def _databases(n: int) -> list[dict[str, str]]:
    return [{"name": f"db{i}"} for i in range(n)]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("databases", {"databases": _databases(1001)}, "databases"),
        ("users", {"users": [{"name": f"u{i}", "password": "p"} for i in range(1001)]}, "users"),
        ("users", {"users": [{"name": "u", "password": "p", "databases": _databases(1001)}]},
         "users[0]['databases']"),
    ],
)
def test_a_list_longer_than_the_cap_is_refused_and_nothing_changes(path, body, field):
    mock, client, instance = cloud()
    answer = client.post(f"/v1.0/{PROJECT}/instances/{instance}/{path}", headers=TOKEN, json=body)
    assert answer.status_code == 400
    message = answer.get_json()["badRequest"]["message"]
    assert message.startswith(f"Validation error: {field} has 1001 items, more than the 1000")
    assert len(message) < 500
    assert mock.instance(instance).databases == [] and mock.instance(instance).users == {}


def test_the_cap_is_configurable_and_the_limit_itself_is_accepted():
    mock, client, instance = cloud(max_items_per_request=5)
    url = f"/v1.0/{PROJECT}/instances/{instance}/databases"
    assert client.post(url, headers=TOKEN, json={"databases": _databases(6)}).status_code == 400
    assert client.post(url, headers=TOKEN, json={"databases": _databases(5)}).status_code == 202
    for kind, items in (("databases", _databases(6)),
                        ("users", [{"name": f"u{n}", "password": "p"} for n in range(6)])):
        created = client.post(f"/v1.0/{PROJECT}/instances", headers=TOKEN, json={"instance": {
            "name": "i", "flavorRef": "1", "datastore": {"type": "mysql", "version": "5.7"},
            kind: items}})
        assert created.status_code == 400
        assert created.get_json()["badRequest"]["message"].startswith(
            f"Validation error: instance['{kind}'] has 6 items, more than the 5")
    assert len(mock.instances()) == 1


def test_a_mebibyte_of_invalid_items_gets_a_short_answer():
    mock, client, instance = cloud(max_items_per_request=1_000_000)
    items = [{"name": "bad name!"}] * 45_000  # about 1 MiB, every item invalid
    body = json.dumps({"databases": items})
    assert len(body) < mock.config.max_body_bytes
    answer = client.post(f"/v1.0/{PROJECT}/instances/{instance}/databases", headers=TOKEN,
                         data=body, content_type="application/json")
    assert answer.status_code == 400
    message = answer.get_json()["badRequest"]["message"]
    assert message.endswith("(only the first 20 errors are shown)")
    assert message.count("does not match") == 20
    assert len(answer.data) < 5000
    assert mock.instance(instance).databases == []


def test_config_limits_refuse_nonsense():
    for field in ("max_items_per_request", "journal_max_bytes", "max_fault_rules",
                  "max_identity_tokens", "max_control_body_bytes"):
        with pytest.raises(ValueError, match=field):
            Config().update({field: 0})


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/backups", lambda i: {"backup": {"name": "b", "instance": i,
                                           "copy_to": ["IAD"] * 1001}}),
        ("/schedules", lambda i: {"schedule": {"action": "backup", "instance_id": i,
                                               "day_of_week": 1, "hour": 1, "minute": 1,
                                               "copy_to": ["IAD"] * 1001}}),
    ],
)
def test_rackspace_region_lists_are_capped_too(path, body):
    mock = TroveMock(dialect="rackspace")
    instance = mock.add_instance(PROJECT).id
    answer = Client(mock).post(f"/v1.0/{PROJECT}{path}", headers=TOKEN, json=body(instance))
    assert answer.status_code == 400
    assert "has 1001 items, more than the 1000" in answer.get_json()["badRequest"]["message"]
    assert mock.backups() == [] and mock.schedules() == []


def test_config_values_the_emulator_cannot_honour_are_refused_at_the_door() -> None:
    mock = TroveMock()
    client = Client(mock)
    before = mock.config.page_size
    answer = client.put("/_trovemock/config", json={"page_size": 10**30})
    assert answer.status_code == 400
    assert "page_size" in answer.json["badRequest"]["message"]
    assert mock.config.page_size == before
    assert client.put("/_trovemock/config", json={"page_size": 2**31 - 1}).status_code == 200
    mock.add_instance("p1")
    listed = client.get("/v1.0/p1/backups?datastore=mysql", headers={"X-Auth-Token": "t"})
    assert listed.status_code == 200


@pytest.mark.parametrize("strict", [False, True])
def test_an_evicted_or_expired_identity_token_is_refused_on_every_project(strict: bool):
    mock, client, _ = cloud(max_identity_tokens=1, strict_tokens=strict)
    evicted, current = _login(client), _login(client)
    for project in (PROJECT, "p2"):  # before: bound to PROJECT; now: as keystone, invalid
        answer = client.get(f"/v1.0/{project}/backups", headers={"X-Auth-Token": evicted})
        assert answer.status_code == 401, (project, answer.get_data(as_text=True))
    assert client.get(f"/v1.0/{PROJECT}/backups", headers={"X-Auth-Token": current}
                      ).status_code == 200
    mock.clock.advance(25 * 3600)  # past its lifetime on the emulator's clock
    assert client.get(f"/v1.0/{PROJECT}/backups", headers={"X-Auth-Token": current}
                      ).status_code == 401
    assert client.get(f"/v1.0/{PROJECT}/backups", headers={"X-Auth-Token": "never-issued"}
                      ).status_code == (401 if strict else 200)


def test_a_project_name_longer_than_keystones_is_refused_at_login():
    mock, client, _ = cloud()
    answer = client.post("/v2.0/tokens", json={"auth": {
        "passwordCredentials": {"username": "u", "password": "pw"}, "tenantId": "x" * 65}})
    assert answer.status_code == 400
    assert "64" in answer.get_json()["badRequest"]["message"]
    assert len(mock.tokens) == 0  # nothing issued
    ok = client.post("/v2.0/tokens", json={"auth": {
        "passwordCredentials": {"username": "u", "password": "pw"}, "tenantId": "x" * 64}})
    assert ok.status_code == 200


def test_paging_values_are_ascii_numbers():
    _, client, _ = cloud()
    answer = client.get(f"/v1.0/{PROJECT}/backups?limit=\u0665", headers={"X-Auth-Token": "t"})
    assert answer.status_code == 400
    assert "limit" in answer.get_json()["badRequest"]["message"]


def test_the_journal_counts_headers_and_queries_and_keeps_long_values_short():
    mock, client, _ = cloud(journal_max_bytes=300_000)
    huge = "h" * 1_000_000
    answer = client.get(f"/v1.0/{PROJECT}/backups?junk={'q' * 1_000_000}",
                        headers={"X-Junk": huge})  # no token: refused, still journaled
    assert answer.status_code == 401
    entry = mock.journal.latest
    assert entry.headers["X-Junk"].startswith("hhhh") and "truncated" in entry.headers["X-Junk"]
    assert len(entry.headers["X-Junk"]) < 10_000 and len(entry.query["junk"]) < 10_000
    small = client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    assert small.status_code == 200
    sizes = [held_bytes(e) for e in mock.journal.entries]
    assert sizes[0] > 16_000  # both shortened values are counted, with every other field
    assert mock.journal.size_bytes == sum(sizes) <= 300_000


def test_a_parsed_body_counts_at_its_size_in_memory_not_on_the_wire():
    mock, client, _ = cloud()
    body = {"backup": {"name": "b"}, "junk": [[n] for n in range(5_000)]}
    client.post(f"/v1.0/{PROJECT}/backups", headers=TOKEN, json=body)
    entry = mock.journal.latest
    assert held_bytes(entry) > 10 * len(json.dumps(body))  # small lists cost far more
