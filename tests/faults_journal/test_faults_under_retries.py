"""Faults under load, on a real loopback server: rules answer 503 on 20% of requests and drop
the connection (no answer at all) on 20% of the rest. Clients that retry on 503 and on
connection errors still reach exactly the state they meant to build, every 5xx is one a rule
asked for, and the server keeps serving once the rules are gone.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from trovemock import TroveMock
from trovemock.server import BackgroundServer

PROJECT = "faulty"
HEADERS = {"X-Auth-Token": "tok"}
INSTANCES = [f"00000000-0000-4000-8000-0000000000a{n}" for n in range(8)]  # one per client
BACKUPS_PER_CLIENT = 24
MAX_ATTEMPTS = 60


@pytest.fixture
def cloud() -> Iterator[tuple[TroveMock, BackgroundServer]]:
    mock = TroveMock()
    mock.config.backup_quota = -1
    for instance_id in INSTANCES:
        mock.add_instance(PROJECT, id=instance_id)
    with BackgroundServer(mock) as server:
        yield mock, server


class RetryingClient:
    """Retries a request on 503 and on a dropped connection, like a careful real client."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.headers.update(HEADERS)
        self.unavailable = 0  # 503 answers seen
        self.dropped = 0  # connections closed without an answer

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        for _ in range(MAX_ATTEMPTS):
            try:
                answer = self.session.request(
                    method, f"{self.url}/v1.0/{PROJECT}{path}", json=body, timeout=30
                )
            except requests.ConnectionError:
                self.dropped += 1
                self.session.close()  # start over on a fresh connection
                continue
            if answer.status_code != 503:
                return answer
            fault = answer.json()["serviceUnavailable"]  # the fault body, nothing else
            assert list(answer.json()) == ["serviceUnavailable"]
            assert fault["code"] == 503 and isinstance(fault["message"], str), fault
            self.unavailable += 1
        raise AssertionError(f"{method} {path} never got through in {MAX_ATTEMPTS} attempts")

    def advance_clock(self, seconds: int) -> None:
        """The control API is not subject to fault rules."""
        answer = requests.post(
            f"{self.url}/_trovemock/clock", json={"advance": seconds}, timeout=30
        )
        assert answer.status_code == 200, answer.text


def build(client: RetryingClient, instance_id: str, kept: list[str]) -> None:
    """Create backups one after the other, delete every other one, read the rest back."""
    made = []
    for n in range(BACKUPS_PER_CLIENT):
        answer = client.call(
            "POST", "/backups", {"backup": {"name": f"b{n}", "instance": instance_id}}
        )
        assert answer.status_code == 202, answer.text
        made.append(answer.json()["backup"]["id"])
        client.advance_clock(10)  # this backup completes (1 s NEW + 5 s BUILDING)
    for backup_id in made[::2]:
        answer = client.call("DELETE", f"/backups/{backup_id}")
        assert answer.status_code == 202, answer.text
    for backup_id in made[1::2]:
        answer = client.call("GET", f"/backups/{backup_id}")
        assert answer.status_code == 200, answer.text
        assert answer.json()["backup"]["status"] == "COMPLETED"
        kept.append(backup_id)


def test_retrying_clients_converge_despite_503s_and_dropped_connections(
    cloud: tuple[TroveMock, BackgroundServer],
) -> None:
    mock, server = cloud
    unavailable = mock.faults.add(probability=0.2, status=503)
    dropping = mock.faults.add(probability=0.2, drop=True)

    clients = [RetryingClient(server.url) for _ in INSTANCES]
    kept: list[str] = []
    errors: list[BaseException] = []

    def work(client: RetryingClient, instance_id: str) -> None:
        try:
            build(client, instance_id, kept)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [
        threading.Thread(target=work, args=pair) for pair in zip(clients, INSTANCES, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []

    # The rules really fired, and the clients saw exactly what they did.
    assert unavailable.fired > 10 and dropping.fired > 10
    assert sum(c.unavailable for c in clients) == unavailable.fired
    assert sum(c.dropped for c in clients) == dropping.fired
    # Every 5xx the server answered was asked for by a rule.
    server_errors = [e for e in mock.journal.entries if e.status >= 500]
    assert len(server_errors) == unavailable.fired
    assert {e.fault_rule for e in server_errors} == {unavailable.id}

    # Exactly the backups the clients meant to keep exist: none lost, none duplicated.
    assert len(kept) == len(INSTANCES) * BACKUPS_PER_CLIENT // 2
    assert sorted(b.id for b in mock.backups(PROJECT)) == sorted(kept)

    # Without the rules the same server answers every request at once.
    mock.faults.clear()
    assert server.running
    session = requests.Session()
    for _ in range(50):
        answer = session.get(
            f"{server.url}/v1.0/{PROJECT}/backups",
            params={"limit": 100},
            headers=HEADERS,
            timeout=30,
        )
        assert answer.status_code == 200
        assert sorted(b["id"] for b in answer.json()["backups"]) == sorted(kept)
    created = session.post(
        f"{server.url}/v1.0/{PROJECT}/backups",
        headers=HEADERS,
        timeout=30,
        json={"backup": {"name": "after", "instance": INSTANCES[0]}},
    )
    assert created.status_code == 202, created.text


def test_a_dropped_connection_gets_no_answer_and_changes_nothing(
    cloud: tuple[TroveMock, BackgroundServer],
) -> None:
    mock, server = cloud
    before = mock.export_state()
    rule = mock.faults.add(route="backups.create", times=3, drop=True)
    body = {"backup": {"name": "x", "instance": INSTANCES[0]}}
    for _ in range(3):
        with pytest.raises(requests.ConnectionError):
            requests.post(
                f"{server.url}/v1.0/{PROJECT}/backups", json=body, headers=HEADERS, timeout=30
            )
    assert rule.fired == 3
    assert mock.export_state() == before
    answer = requests.post(
        f"{server.url}/v1.0/{PROJECT}/backups", json=body, headers=HEADERS, timeout=30
    )
    assert answer.status_code == 202
    assert [b.id for b in mock.backups(PROJECT)] == [answer.json()["backup"]["id"]]
