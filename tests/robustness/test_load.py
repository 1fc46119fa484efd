"""Load against a real loopback server: 8 client threads x 500 mixed requests.

No answer is a 5xx (no fault rule is set), no backup is lost or duplicated (the final state is
exactly a replay of the journal's successful creates and deletes, and agrees with what the
clients were told), and the one-running-backup rule holds under races.
"""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests

from trovemock import TroveMock
from trovemock.server import BackgroundServer

# End to end: real processes, sockets or installs (slow; `pytest -m "not e2e"` leaves them out).
pytestmark = pytest.mark.e2e

THREADS = 8
REQUESTS_PER_THREAD = 500
PROJECT = "load"
TOKEN = "load-token"
HEADERS = {"X-Auth-Token": TOKEN}
INSTANCES = [f"00000000-0000-4000-8000-00000000000{n}" for n in range(4)]
ADVANCE = 3  # seconds per clock step: half of a backup's run (1 s NEW + 5 s BUILDING)

# What each kind of request may answer when no fault rule is set.
ALLOWED = {
    "create": {202, 422},  # 422: a backup of that instance is running
    "list": {200},
    "show": {200, 404},  # 404: deleted meanwhile
    "delete": {202, 404, 422},  # 422: still running
    "instance": {200},
    "instance_backups": {200},
    "clock": {200},
}
KINDS = list(ALLOWED)
WEIGHTS = [30, 15, 15, 15, 10, 7, 8]


@pytest.fixture
def cloud() -> Iterator[tuple[TroveMock, BackgroundServer]]:
    mock = TroveMock()
    mock.config.backup_quota = -1
    for instance_id in INSTANCES:
        mock.add_instance(PROJECT, id=instance_id)
    assert mock.journal.max_entries > THREADS * REQUESTS_PER_THREAD  # nothing falls out
    with BackgroundServer(mock) as server:
        yield mock, server


class Worker(threading.Thread):
    """One client: a keep-alive session sending a seeded random mix of requests."""

    def __init__(self, number: int, url: str, known: list[str], start: threading.Barrier):
        super().__init__(name=f"load-client-{number}")
        self.rng = random.Random(number)
        self.url = url
        self.known = known  # backup ids any client was told about (list.append is atomic)
        self.start_together = start
        self.answers: list[tuple[str, int, Any, str]] = []  # kind, status, body, backup id
        self.error: BaseException | None = None

    def run(self) -> None:
        session = requests.Session()
        session.headers.update(HEADERS)
        try:
            self.start_together.wait()
            for _ in range(REQUESTS_PER_THREAD):
                kind = self.rng.choices(KINDS, WEIGHTS)[0]
                self.answers.append(self.send(session, kind))
        except BaseException as error:  # noqa: BLE001 - reported by the test thread
            self.error = error

    def send(self, session: requests.Session, kind: str) -> tuple[str, int, Any, str]:
        base = f"{self.url}/v1.0/{PROJECT}"
        backup_id = self.rng.choice(self.known) if self.known else "none"
        if kind == "create":
            body = {"backup": {"name": "load", "instance": self.rng.choice(INSTANCES)}}
            answer = session.post(f"{base}/backups", json=body, timeout=30)
            if answer.status_code == 202:
                backup_id = answer.json()["backup"]["id"]
                self.known.append(backup_id)
        elif kind == "list":
            query = {"limit": self.rng.randint(1, 50), "marker": self.rng.randint(0, 60)}
            answer = session.get(f"{base}/backups", params=query, timeout=30)
        elif kind == "show":
            answer = session.get(f"{base}/backups/{backup_id}", timeout=30)
        elif kind == "delete":
            answer = session.delete(f"{base}/backups/{backup_id}", timeout=30)
        elif kind == "instance":
            answer = session.get(f"{base}/instances/{self.rng.choice(INSTANCES)}", timeout=30)
        elif kind == "instance_backups":
            instance_id = self.rng.choice(INSTANCES)
            answer = session.get(f"{base}/instances/{instance_id}/backups", timeout=30)
        else:
            answer = session.post(
                f"{self.url}/_trovemock/clock", json={"advance": ADVANCE}, timeout=30
            )
        body = answer.json() if answer.content else None
        return kind, answer.status_code, body, backup_id


def run_clients(url: str) -> list[Worker]:
    known: list[str] = []
    start = threading.Barrier(THREADS)
    workers = [Worker(n, url, known, start) for n in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert not worker.is_alive(), f"{worker.name} is stuck"
        if worker.error is not None:
            raise worker.error
    return workers


def test_mixed_load_loses_and_duplicates_nothing(
    cloud: tuple[TroveMock, BackgroundServer],
) -> None:
    mock, server = cloud
    workers = run_clients(server.url)
    answers = [answer for worker in workers for answer in worker.answers]
    assert len(answers) == THREADS * REQUESTS_PER_THREAD

    # Every answer is one the API documents for that request; never a 5xx.
    unexpected = [
        (kind, status, body) for kind, status, body, _ in answers if status not in ALLOWED[kind]
    ]
    assert unexpected == [], unexpected[:5]
    for _kind, status, body, _ in answers:
        if status >= 400:
            (fault,) = body.values()
            assert fault["code"] == status and fault["message"], body

    # The journal saw every Trove request (the clock requests go to the control API).
    entries = mock.journal.entries
    trove_requests = sum(1 for kind, *_ in answers if kind != "clock")
    assert len(entries) == trove_requests
    assert [e.seq for e in entries] == list(range(1, trove_requests + 1))
    assert all(e.status < 500 for e in entries)

    # Replaying the journal's successful creates and deletes gives the final state exactly.
    created = [
        e.response_json["backup"]["id"]
        for e in entries
        if e.route == "backups.create" and e.status == 202
    ]
    deleted = [
        e.path.rsplit("/", 1)[1] for e in entries if e.route == "backups.delete" and e.status == 202
    ]
    assert len(created) == len(set(created)), "a backup id was handed out twice"
    assert len(deleted) == len(set(deleted)), "a backup was deleted twice"
    assert set(deleted) <= set(created)
    expected = set(created) - set(deleted)
    assert {b.id for b in mock.backups(PROJECT)} == expected
    assert listed_ids(server.url) == expected

    # ... and agrees with what the clients were told.
    told_created = [bid for kind, status, _, bid in answers if kind == "create" and status == 202]
    told_deleted = [bid for kind, status, _, bid in answers if kind == "delete" and status == 202]
    assert sorted(told_created) == sorted(created)
    assert sorted(told_deleted) == sorted(deleted)
    assert Counter(kind for kind, *_ in answers)["create"] > len(created) > 10

    # One running backup per instance: successful creates of an instance are at least a
    # whole backup run apart on the emulator's clock, and at most one is running now.
    run_seconds = mock.config.backup_new_seconds + mock.config.backup_building_seconds
    started: dict[str, list[datetime]] = defaultdict(list)
    for e in entries:
        if e.route == "backups.create" and e.status == 202:
            backup = e.response_json["backup"]
            started[backup["instance_id"]].append(datetime.fromisoformat(backup["created"]))
    for instance_id, times in started.items():
        times.sort()
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
        assert all(gap >= run_seconds for gap in gaps), (instance_id, gaps)
        running = [
            b
            for b in mock.backups(PROJECT)
            if b.instance_id == instance_id and b.status in ("NEW", "BUILDING")
        ]
        assert len(running) <= 1


def listed_ids(url: str) -> set[str]:
    """Every backup id the API lists, walking the pages by their markers."""
    found: list[str] = []
    marker = 0
    while True:
        page = requests.get(
            f"{url}/v1.0/{PROJECT}/backups",
            headers=HEADERS,
            params={"limit": 100, "marker": marker},
            timeout=30,
        ).json()
        found += [b["id"] for b in page["backups"]]
        if not page.get("links"):
            break
        marker += 100
    assert len(found) == len(set(found)), "a backup was listed twice"
    return set(found)


def race(count: int, call) -> list[int]:
    """Run `call()` from `count` threads released at the same moment; their statuses."""
    start = threading.Barrier(count)
    statuses: list[int] = []

    def one() -> None:
        start.wait()
        statuses.append(call())

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == count
    return statuses


@pytest.mark.usefixtures("widened_races")
def test_simultaneous_creates_on_one_instance_start_exactly_one_backup(
    cloud: tuple[TroveMock, BackgroundServer],
) -> None:
    mock, server = cloud
    url = f"{server.url}/v1.0/{PROJECT}/backups"
    body = {"backup": {"name": "race", "instance": INSTANCES[0]}}
    for round_number in range(10):
        statuses = race(
            THREADS, lambda: requests.post(url, json=body, headers=HEADERS, timeout=30).status_code
        )
        assert sorted(statuses) == [202] + [422] * (THREADS - 1), (round_number, statuses)
        assert len(mock.backups(PROJECT)) == round_number + 1
        mock.clock.advance(60)  # the backup completes; the instance is free again
    assert {b.status for b in mock.backups(PROJECT)} == {"COMPLETED"}


@pytest.mark.usefixtures("widened_races")
def test_simultaneous_deletes_of_one_backup_delete_it_once(
    cloud: tuple[TroveMock, BackgroundServer],
) -> None:
    mock, server = cloud
    base = f"{server.url}/v1.0/{PROJECT}/backups"
    for _ in range(5):
        created = requests.post(
            base,
            json={"backup": {"name": "d", "instance": INSTANCES[1]}},
            headers=HEADERS,
            timeout=30,
        )
        backup_id = created.json()["backup"]["id"]
        mock.clock.advance(60)
        statuses = race(
            THREADS,
            lambda bid=backup_id: (
                requests.delete(f"{base}/{bid}", headers=HEADERS, timeout=30).status_code
            ),
        )
        assert sorted(statuses) == [202] + [404] * (THREADS - 1), statuses
        assert mock.backups(PROJECT) == []
    assert len(mock.journal.filter(route="backups.delete", status=202)) == 5
