"""Faults a real client meets from what stands in front of the service: gateway statuses
(429, 502, 504) with the service's or a gateway's body, Retry-After where HTTP allows it, and
latency on the emulator's clock that an in-process client's timeout can run out on."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from werkzeug.test import Client

from trovemock import TroveMock, WSGITransport
from trovemock.server import BackgroundServer

PROJECT = "p1"
TOKEN = {"X-Auth-Token": "tok"}
BASE = "http://trovemock.test"


@pytest.fixture
def mock() -> TroveMock:
    return TroveMock()


@pytest.fixture
def session(mock: TroveMock) -> requests.Session:
    session = requests.Session()
    session.mount(BASE + "/", WSGITransport(mock))
    session.headers.update(TOKEN)
    return session


def backups(client: Client):
    return client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)


@pytest.mark.parametrize("status", [502, 504])
def test_a_bad_gateway_or_gateway_timeout_comes_with_a_gateway_page(mock, status) -> None:
    mock.faults.add(route="backups.list", status=status, times=1)
    answer = backups(Client(mock))
    assert answer.status_code == status and answer.mimetype == "text/html"
    assert f"<title>{status} " in answer.get_data(as_text=True)
    assert "Retry-After" not in answer.headers
    assert backups(Client(mock)).status_code == 200


@pytest.mark.allow_schema_violations  # no fault name the service documents is a 504's
def test_a_gateway_status_can_come_with_the_services_fault_body(mock) -> None:
    mock.faults.add(route="backups.list", status=504, body="service", message="upstream slow")
    answer = backups(Client(mock))
    assert answer.json == {"gatewayTimeout": {"code": 504, "message": "upstream slow"}}


@pytest.mark.parametrize("retry_after", [None, 30])
def test_429_rate_limits_with_or_without_retry_after(mock, retry_after) -> None:
    fields = {} if retry_after is None else {"retry_after": retry_after}
    mock.faults.add(route="backups.list", status=429, **fields)
    answer = backups(Client(mock))
    assert answer.status_code == 429 and answer.json["overLimit"]["code"] == 429
    assert answer.headers.get("Retry-After") == (None if retry_after is None else "30")


def test_503_may_carry_retry_after_and_a_gateway_page(mock) -> None:
    mock.faults.add(route="backups.list", status=503, retry_after=120, body="gateway")
    answer = backups(Client(mock))
    assert answer.headers["Retry-After"] == "120" and answer.mimetype == "text/html"
    assert "503 Service Unavailable" in answer.get_data(as_text=True)


def test_413_keeps_its_default_retry_after(mock) -> None:
    mock.faults.add(route="backups.list", status=413)
    assert backups(Client(mock)).headers["Retry-After"] == "1"


def test_gateway_faults_over_the_control_api_and_a_real_socket(mock) -> None:
    with BackgroundServer(mock) as server:
        added = requests.post(f"{server.url}/_trovemock/faults", timeout=5, json={
            "route": "backups.list", "status": 429, "retry_after": 7, "times": 1})
        assert added.status_code == 201
        rule = added.json()["fault"]
        assert (rule["body"], rule["retry_after"]) == ("service", 7)
        limited = requests.get(f"{server.url}/v1.0/{PROJECT}/backups", headers=TOKEN,
                               timeout=5)
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
        refused = requests.post(f"{server.url}/_trovemock/faults", timeout=5, json={
            "status": 502, "retry_after": 7})
        assert refused.status_code == 400 and "retry_after" in refused.text


def test_clock_latency_moves_the_manual_clock_instead_of_sleeping(mock, session) -> None:
    before = mock.clock.now()
    mock.faults.add(route="backups.list", clock_latency=45, times=1)
    answer = session.get(f"{BASE}/v1.0/{PROJECT}/backups", timeout=60)
    assert answer.status_code == 200
    assert mock.clock.now() - before == timedelta(seconds=45)
    [entry] = mock.journal.filter(route="backups.list")
    assert entry.delivery == "sent" and entry.duration_ms < 5_000


def test_a_timeout_shorter_than_the_latency_raises_and_the_request_still_happens(
    mock, session,
) -> None:
    instance = mock.add_instance(PROJECT).id
    rule = mock.faults.add(route="backups.create", clock_latency=90, times=1)
    with pytest.raises(requests.ReadTimeout):
        session.post(f"{BASE}/v1.0/{PROJECT}/backups", timeout=(5, 30),
                     json={"backup": {"name": "slow", "instance": instance}})
    # the server went on: the backup exists, and a retry meets the one-running-backup rule
    [made] = mock.backups(PROJECT)
    assert made.name == "slow"
    [entry] = mock.journal.filter(route="backups.create")
    assert (entry.delivery, entry.status, entry.fault_rule) == ("gave_up", 202, rule.id)
    assert "(the client gave up waiting)" in str(entry)


def test_a_timeout_longer_than_the_latency_gets_the_answer(mock, session) -> None:
    mock.faults.add(route="backups.list", clock_latency=10)
    assert session.get(f"{BASE}/v1.0/{PROJECT}/backups", timeout=11).status_code == 200
    assert session.get(f"{BASE}/v1.0/{PROJECT}/backups").status_code == 200  # no timeout
    assert [e.delivery for e in mock.journal] == ["sent", "sent"]


def test_real_latency_is_cut_short_by_the_clients_timeout(mock, session) -> None:
    mock.faults.add(route="backups.list", latency=30)
    with pytest.raises(requests.ReadTimeout):
        session.get(f"{BASE}/v1.0/{PROJECT}/backups", timeout=0.05)
    assert mock.journal.latest is not None and mock.journal.latest.delivery == "gave_up"
