"""state imports running against Trove API traffic never let a token read
another project. Each import swaps tokens and backups in one step, and authentication runs in
the same operation as the request, so a request sees either the old cloud or the new one."""

from __future__ import annotations

import sys
import threading
from typing import Any

import pytest
from werkzeug.test import Client

from trovemock import ManualClock, TroveMock

PROJECTS = ("p1", "p2")
READERS = 4
ROUNDS = 100
IMPORTS = 40
BACKUPS = 100  # per project: an import takes long enough for requests to arrive meanwhile


def _state(generation: int) -> dict[str, Any]:
    """A cloud whose backups are named after their project, with one token per project."""
    mock = TroveMock(clock=ManualClock("2030-01-01T00:00:00"))
    mock.config.update({"backup_quota": -1, "page_size": 1000})
    client = Client(mock)
    for project in PROJECTS:
        instance = mock.add_instance(project).id
        for n in range(BACKUPS + generation):
            client.post(f"/v1.0/{project}/backups", headers={"X-Auth-Token": "seed"},
                        json={"backup": {"name": f"{project}-g{generation}-{n}",
                                         "instance": instance}})
            mock.clock.advance(10)
        mock.add_token(f"tok-{project}", project)
    return mock.export_state()


@pytest.fixture
def busy_switching():
    """Switch threads every 10 µs instead of 5 ms, so requests land inside imports."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(before)


def test_imports_against_api_traffic_never_show_another_project(busy_switching):
    states = [_state(0), _state(1)]
    foreign = {  # a backup id of the other project, per project and state
        (project, n): next(b["id"] for b in state["backups"] if b["project_id"] != project)
        for n, state in enumerate(states) for project in PROJECTS
    }
    mock = TroveMock(clock=ManualClock("2030-01-01T01:00:00"))
    mock.config.update({"backup_quota": -1})
    mock.import_state(states[0])
    problems: list[str] = []
    served = {"reads": 0, "imports": 0}
    lock = threading.Lock()
    start = threading.Barrier(READERS + 1)

    def importer() -> None:
        client = Client(mock)
        start.wait()
        for n in range(IMPORTS):
            answer = client.put("/_trovemock/state", json=states[n % 2])
            if answer.status_code != 204:
                problems.append(f"import answered {answer.status_code}")
            with lock:
                served["imports"] += 1

    def reader(number: int) -> None:
        client = Client(mock)
        project = PROJECTS[number % 2]
        other = PROJECTS[(number + 1) % 2]
        token = {"X-Auth-Token": f"tok-{project}"}
        start.wait()
        for n in range(ROUNDS):
            own = client.get(f"/v1.0/{project}/backups", headers=token)
            names = [b["name"] for b in own.get_json()["backups"]]
            if own.status_code != 200 or not names or any(
                not name.startswith(f"{project}-") for name in names
            ):
                problems.append(f"{project} listed {own.status_code} {names}")
            if len({name.split("-")[1] for name in names}) > 1:
                problems.append(f"{project} saw two clouds at once: {names}")
            crossed = client.get(f"/v1.0/{other}/backups", headers=token)
            if crossed.status_code != 403:
                problems.append(f"tok-{project} read {other}: {crossed.status_code}")
            peek = client.get(f"/v1.0/{project}/backups/{foreign[(project, n % 2)]}",
                              headers=token)
            if peek.status_code != 404:
                problems.append(f"tok-{project} saw a backup of {other}: {peek.status_code}")
            with lock:
                served["reads"] += 3

    threads = [threading.Thread(target=importer)] + [
        threading.Thread(target=reader, args=(n,)) for n in range(READERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert served == {"reads": READERS * ROUNDS * 3, "imports": IMPORTS}
    assert problems == [], f"{len(problems)} problems, first: {problems[:5]}"
