"""Fault injection: rule matching and validation (RequestInfo in, FaultAction out), and every
action seen through HTTP (werkzeug test client, and a real loopback server for drops)."""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests
from werkzeug.test import Client

from trovemock import TroveMock
from trovemock.exchange import ConnectionDropped, RequestInfo
from trovemock.faults import DOCUMENTED_STATUSES, FaultRules
from trovemock.server import BackgroundServer

PROJECT = "p1"
TOKEN = {"X-Auth-Token": "tok"}


def info(
    method: str = "GET",
    path: str = "/v1.0/p1/backups",
    route: str | None = "backups.list",
    project_id: str | None = "p1",
    region: str | None = "RegionOne",
) -> RequestInfo:
    return RequestInfo(method=method, path=path, route=route, project_id=project_id, region=region)


def create_backup(client: Client, instance_id: str, name: str = "nightly"):
    return client.post(
        f"/v1.0/{PROJECT}/backups",
        json={"backup": {"name": name, "instance": instance_id}},
        headers=TOKEN,
    )


@pytest.fixture
def mock() -> TroveMock:
    return TroveMock()


@pytest.fixture
def client(mock: TroveMock) -> Client:
    return Client(mock)


# -- matching ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "hit", "miss"),
    [
        ({"method": "post"}, info(method="POST"), info(method="GET")),
        ({"route": "backups.create"}, info(route="backups.create"), info(route="backups.list")),
        ({"path": "/v1.0/*/backups/*"}, info(path="/v1.0/p1/backups/abc"), info()),
        ({"project_id": "p1"}, info(project_id="p1"), info(project_id="p2")),
        ({"region": "iad"}, info(region="IAD"), info(region="DFW")),
    ],
)
def test_each_match_field_selects_requests(fields, hit, miss) -> None:
    rules = FaultRules()
    rules.add(status=503, **fields)
    assert rules.decide(miss) is None
    action = rules.decide(hit)
    assert action is not None and action.status == 503


def test_all_match_fields_must_fit() -> None:
    rules = FaultRules()
    rules.add(status=500, method="DELETE", route="backups.delete", project_id="p1")
    assert rules.decide(info(method="DELETE", route="backups.delete", project_id="p2")) is None
    assert rules.decide(info(method="DELETE", route="backups.delete")).status == 500


def test_first_matching_rule_wins_in_insertion_order() -> None:
    rules = FaultRules()
    first = rules.add(status=503, route="backups.list")
    rules.add(status=500)
    assert rules.decide(info()).rule_id == first.id
    assert rules.decide(info(route="backups.show")).status == 500


def test_times_limits_firing_then_later_rules_apply() -> None:
    rules = FaultRules()
    limited = rules.add(status=503, times=2)
    fallback = rules.add(status=500)
    statuses = [rules.decide(info()).status for _ in range(4)]
    assert statuses == [503, 503, 500, 500]
    assert (limited.fired, fallback.fired) == (2, 2)
    assert limited.exhausted


def test_probability_is_reproducible_from_the_seed() -> None:
    def run(seed: int) -> list[bool]:
        rules = FaultRules(seed=seed)
        rules.add(status=503, probability=0.5)
        return [rules.decide(info()) is not None for _ in range(200)]

    first, again = run(7), run(7)
    assert first == again
    assert 60 < sum(first) < 140  # roughly half, not all or nothing
    assert run(8) != first


def test_seed_and_clear_restart_the_random_sequence() -> None:
    rules = FaultRules()
    rules.add(status=503, probability=0.3)
    before = [rules.decide(info()) is not None for _ in range(50)]
    rules.clear()
    rules.add(status=503, probability=0.3)
    assert [rules.decide(info()) is not None for _ in range(50)] == before
    rules.seed(99)
    other = FaultRules(seed=99)
    other.add(status=503, probability=0.3)
    assert [rules.decide(info()) is not None for _ in range(50)] == [
        other.decide(info()) is not None for _ in range(50)
    ]


def test_action_carries_every_field_and_the_rule_id() -> None:
    rules = FaultRules()
    rule = rules.add(status=413, message="slow down", retry_after=30, latency=0.5)
    action = rules.decide(info())
    assert (action.status, action.message, action.retry_after, action.latency) == (
        413, "slow down", 30, 0.5,
    )
    assert action.rule_id == rule.id == "fault-1"
    assert rules.add(drop=True).id == "fault-2"


def test_fired_counts_are_exact_under_threads() -> None:
    rules = FaultRules()
    rule = rules.add(status=503, times=500)

    def hammer() -> None:
        for _ in range(100):
            rules.decide(info())

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert rule.fired == 500


# -- validation -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({}, "action"),
        ({"route": "backups.list"}, "action"),
        ({"status": 418}, "status"),
        ({"status": 302}, "status"),
        ({"status": "503"}, "status"),
        ({"status": 502, "retry_after": 5}, "retry_after"),
        ({"status": 404, "retry_after": 5}, "retry_after"),
        ({"body": "gateway"}, "body"),
        ({"status": 502, "body": "proxy"}, "body"),
        ({"raw_body": "x", "status": 502, "body": "gateway"}, "body"),
        ({"clock_latency": -1}, "clock_latency"),
        ({"clock_latency": 10**6}, "clock_latency"),
        ({"status": 413, "retry_after": -1}, "retry_after"),
        ({"message": "x"}, "message"),
        ({"status": 503, "times": 0}, "times"),
        ({"status": 503, "probability": 0}, "probability"),
        ({"status": 503, "probability": 1.5}, "probability"),
        ({"latency": -1}, "latency"),
        ({"latency": 10_000}, "latency"),
        ({"drop": "yes"}, "drop"),
        ({"drop": True, "status": 503}, "drop"),
        ({"raw_body": 12}, "raw_body"),
        ({"raw_body": "x", "status": 302}, "status"),
        ({"outcome": "explode"}, "outcome"),
        ({"outcome": "backup_failed", "status": 500}, "outcome"),
        ({"outcome": "backup_failed", "route": "backups.list"}, "route"),
        ({"status": 503, "route": "backups.lisst"}, "route"),
        ({"status": 503, "method": "FETCH"}, "method"),
        ({"status": 503, "project_id": ""}, "project_id"),
        ({"status": 503, "colour": "red"}, "colour"),
    ],
)
def test_bad_rules_raise_value_error_naming_the_field(fields, named) -> None:
    rules = FaultRules()
    with pytest.raises(ValueError, match=named):
        rules.add(**fields)
    assert rules.rules == []


@pytest.mark.parametrize("status", DOCUMENTED_STATUSES)
def test_every_documented_status_is_accepted(status: int) -> None:
    rules = FaultRules()
    rules.add(status=status)
    assert rules.decide(info()).status == status


def test_413_gets_a_default_retry_after_and_others_none() -> None:
    rules = FaultRules()
    assert rules.add(status=413).retry_after == 1
    assert rules.add(status=503).retry_after is None


def test_outcome_rules_default_to_their_route() -> None:
    rules = FaultRules()
    expected = {
        "backup_failed": "backups.create",
        "delete_failed": "backups.delete",
        "restore_error": "instances.create",
    }
    for outcome, route in expected.items():
        assert rules.add(outcome=outcome).route == route


def test_duplicate_ids_are_refused() -> None:
    rules = FaultRules()
    rules.add(id="mine", status=503)
    with pytest.raises(ValueError, match="already exists"):
        rules.add(id="mine", status=500)


# -- management and assertions ----------------------------------------------------------------
def test_remove_by_rule_or_id_and_clear() -> None:
    rules = FaultRules()
    a, b, c = rules.add(status=500), rules.add(status=503), rules.add(drop=True)
    rules.remove(a)
    rules.remove(b.id)
    assert rules.rules == [c]
    with pytest.raises(KeyError, match="no fault rule with id 'fault-99'"):
        rules.remove("fault-99")
    rules.clear()
    assert rules.rules == [] and rules.decide(info()) is None


def test_inject_adds_for_the_block_only() -> None:
    rules = FaultRules()
    with rules.inject(status=503, route="backups.list") as rule:
        assert rules.decide(info()).status == 503
    assert rules.decide(info()) is None
    assert rules.rules == [] and rule.fired == 1


def test_inject_removes_the_rule_when_the_block_raises() -> None:
    rules = FaultRules()
    with pytest.raises(RuntimeError), rules.inject(status=503):
        raise RuntimeError("boom")
    assert rules.rules == []


def test_unfired_rules_and_assertions_read_well() -> None:
    rules = FaultRules()
    used = rules.add(status=503, route="backups.list")
    idle = rules.add(status=500, method="DELETE", route="backups.delete")
    rules.decide(info())
    assert rules.unfired() == [idle]
    with pytest.raises(AssertionError) as failure:
        rules.assert_all_fired()
    assert "1 fault rule never fired" in str(failure.value)
    assert "fault-2 (DELETE backups.delete -> 500, fired 0 times)" in str(failure.value)
    rules.assert_never_fired(idle)
    with pytest.raises(AssertionError, match=r"fault-1 .*fired once"):
        rules.assert_never_fired(used)
    rules.decide(info(method="DELETE", route="backups.delete"))
    rules.assert_all_fired()


def test_to_dict_is_json_and_round_trips() -> None:
    rules = FaultRules()
    rule = rules.add(
        method="POST", path="/v1.0/*", project_id="p1", region="IAD", times=3,
        probability=0.5, status=400, raw_body=b'{"broken": \xff',
    )
    rules.decide(info(method="POST", region="IAD"))  # may or may not fire (probability)
    data = json.loads(json.dumps(rule.to_dict()))
    assert data["raw_body"] == b'{"broken": \xff'.decode("utf-8", "surrogateescape")
    copy = FaultRules().add(**data)
    assert copy.to_dict() == rule.to_dict()
    assert copy.raw_body == b'{"broken": \xff'


# -- through HTTP -----------------------------------------------------------------------------
def test_fault_status_answers_the_real_fault_body(mock: TroveMock, client: Client) -> None:
    mock.faults.add(route="backups.list", status=503, message="maintenance window")
    response = client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    assert response.status_code == 503
    assert response.json == {"serviceUnavailable": {"code": 503, "message": "maintenance window"}}
    assert "Retry-After" not in response.headers
    assert response.content_type == "application/json"


def test_fault_without_message_uses_the_default_text(mock: TroveMock, client: Client) -> None:
    mock.faults.add(status=404)
    response = client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    body = response.json["itemNotFound"]
    assert body["code"] == 404 and body["message"]


@pytest.mark.parametrize("status", [s for s in DOCUMENTED_STATUSES if s != 413])
def test_no_status_but_413_carries_retry_after(
    mock: TroveMock, client: Client, status: int
) -> None:
    mock.faults.add(status=status)
    response = client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    assert response.status_code == status
    assert "Retry-After" not in response.headers
    (name,) = response.json
    assert response.json[name]["code"] == status


def test_413_carries_retry_after(mock: TroveMock, client: Client) -> None:
    mock.faults.add(status=413, retry_after=42)
    response = client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    assert response.status_code == 413
    assert response.headers["Retry-After"] == "42"
    assert response.json["overLimit"]["code"] == 413


def test_fault_fires_before_auth_and_is_journaled(mock: TroveMock, client: Client) -> None:
    rule = mock.faults.add(status=500, route="backups.list")
    response = client.get(f"/v1.0/{PROJECT}/backups")  # no token: 401 without the rule
    assert response.status_code == 500
    assert mock.journal.latest.fault_rule == rule.id


def test_times_through_http(mock: TroveMock, client: Client) -> None:
    mock.faults.add(route="backups.list", status=503, times=1)
    statuses = [client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN).status_code for _ in "ab"]
    assert statuses == [503, 200]


def test_route_and_method_select_only_that_route(mock: TroveMock, client: Client) -> None:
    instance = mock.add_instance(PROJECT)
    mock.faults.add(route="backups.create", status=409)
    assert client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN).status_code == 200
    assert create_backup(client, instance.id).status_code == 409
    assert mock.backups() == []


def test_project_selects_only_that_project(mock: TroveMock, client: Client) -> None:
    mock.faults.add(project_id="p2", status=403)
    assert client.get("/v1.0/p1/backups", headers=TOKEN).status_code == 200
    assert client.get("/v1.0/p2/backups", headers=TOKEN).status_code == 403


def test_region_selects_only_that_region() -> None:
    mock = TroveMock(dialect="rackspace")
    client = Client(mock)
    mock.faults.add(region="ORD", status=503)
    assert client.get("/regions/ORD/v1.0/p1/backups", headers=TOKEN).status_code == 503
    assert client.get("/regions/IAD/v1.0/p1/backups", headers=TOKEN).status_code == 200
    assert Client(mock.region("ORD")).get("/v1.0/p1/backups", headers=TOKEN).status_code == 503


def test_path_glob_matches_the_request_path(mock: TroveMock, client: Client) -> None:
    instance = mock.add_instance(PROJECT)
    mock.faults.add(path=f"/v1.0/*/instances/{instance.id}/backups", status=500)
    assert client.get(f"/v1.0/{PROJECT}/instances/{instance.id}/backups", headers=TOKEN)\
        .status_code == 500
    assert client.get(f"/v1.0/{PROJECT}/instances/{instance.id}", headers=TOKEN)\
        .status_code == 200


@pytest.mark.allow_schema_violations
def test_raw_body_is_sent_verbatim(mock: TroveMock, client: Client) -> None:
    mock.faults.add(route="backups.list", raw_body='{"backups": [', times=1)
    response = client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    assert (response.status_code, response.data) == (200, b'{"backups": [')
    mock.faults.add(route="backups.list", raw_body=b"\x00oops", status=500)
    response = client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    assert (response.status_code, response.data) == (500, b"\x00oops")


def test_latency_delays_the_answer(mock: TroveMock, client: Client) -> None:
    mock.faults.add(route="backups.list", latency=0.2)
    started = time.monotonic()
    response = client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    assert time.monotonic() - started >= 0.2
    assert response.status_code == 200  # latency alone still answers normally


def test_drop_raises_in_process(mock: TroveMock, client: Client) -> None:
    mock.faults.add(drop=True, times=1)
    with pytest.raises(ConnectionDropped):
        client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    assert client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN).status_code == 200


def test_drop_closes_the_socket_on_a_real_server(mock: TroveMock) -> None:
    mock.faults.add(drop=True, times=1)
    with BackgroundServer(mock) as server:
        url = f"{server.url}/v1.0/{PROJECT}/backups"
        with pytest.raises(requests.ConnectionError):
            requests.get(url, headers=TOKEN, timeout=5)
        assert requests.get(url, headers=TOKEN, timeout=5).status_code == 200


def test_outcome_backup_failed_ends_the_next_backup_failed(
    mock: TroveMock, client: Client
) -> None:
    instance = mock.add_instance(PROJECT)
    rule = mock.faults.add(outcome="backup_failed", times=1)
    failing = create_backup(client, instance.id, "doomed")
    assert failing.status_code == 202  # the request itself succeeds
    mock.clock.advance(3600)
    healthy = create_backup(client, instance.id, "fine")
    mock.clock.advance(3600)
    show = client.get(f"/v1.0/{PROJECT}/backups/{failing.json['backup']['id']}", headers=TOKEN)
    assert show.json["backup"]["status"] == "FAILED"
    assert mock.backup(healthy.json["backup"]["id"]).status == "COMPLETED"
    assert rule.fired == 1


def test_outcome_delete_failed_keeps_the_backup_listed(mock: TroveMock, client: Client) -> None:
    instance = mock.add_instance(PROJECT)
    backup_id = create_backup(client, instance.id).json["backup"]["id"]
    mock.clock.advance(3600)
    mock.faults.add(outcome="delete_failed")
    response = client.delete(f"/v1.0/{PROJECT}/backups/{backup_id}", headers=TOKEN)
    assert response.status_code == 202
    mock.clock.advance(3600)
    listed = client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN).json["backups"]
    assert [(b["id"], b["status"]) for b in listed] == [(backup_id, "DELETE_FAILED")]


def test_outcome_restore_error_leaves_the_instance_in_error(
    mock: TroveMock, client: Client
) -> None:
    instance = mock.add_instance(PROJECT)
    backup_id = create_backup(client, instance.id).json["backup"]["id"]
    mock.clock.advance(3600)
    mock.faults.add(outcome="restore_error")
    response = client.post(
        f"/v1.0/{PROJECT}/instances",
        json={"instance": {"name": "restored", "flavorRef": "1", "volume": {"size": 2},
                           "datastore": {"type": "mysql"},
                           "restorePoint": {"backupRef": backup_id}}},
        headers=TOKEN,
    )
    assert response.status_code == 200
    restored = response.json["instance"]["id"]
    mock.clock.advance(3600)
    show = client.get(f"/v1.0/{PROJECT}/instances/{restored}", headers=TOKEN)
    assert show.json["instance"]["status"] == "ERROR"


def test_reset_clears_the_rules(mock: TroveMock, client: Client) -> None:
    mock.faults.add(status=503)
    mock.reset()
    assert mock.faults.rules == []
    assert client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN).status_code == 200


# -- real clients -----------------------------------------------------------------------------
def test_python_troveclient_sees_faults_as_its_exceptions(mock: TroveMock) -> None:
    pytest.importorskip("troveclient", reason="python-troveclient is not installed")
    from keystoneauth1 import session as ks_session
    from keystoneauth1 import token_endpoint
    from troveclient.apiclient import exceptions
    from troveclient.v1 import client as trove_v1

    mock.faults.add(route="backups.list", status=503, message="try later", times=1)
    mock.faults.add(route="backups.list", status=413, retry_after=7, times=1)
    with BackgroundServer(mock) as server:
        endpoint = f"{server.url}/v1.0/{PROJECT}"
        trove = trove_v1.Client(
            session=ks_session.Session(auth=token_endpoint.Token(endpoint, "tok"))
        )
        with pytest.raises(exceptions.ServiceUnavailable, match="try later"):
            trove.backups.list()
        with pytest.raises(exceptions.RequestEntityTooLarge) as too_large:
            trove.backups.list()
        assert too_large.value.retry_after == 7
        assert list(trove.backups.list()) == []
