"""Rule 12: concurrent clients never corrupt the emulated cloud (design.md §2)."""

from __future__ import annotations

import threading

import pytest
from helpers import (
    DIALECTS,
    PROJECT,
    Api,
    backup_body,
    completed_backup,
    fault_of,
    list_ids,
    make,
    seed_instance,
)

THREADS = 8
pytestmark = pytest.mark.usefixtures("widened_races")  # see tests/conftest.py


def _race(mock, requests) -> list:
    """Run each callable in its own thread, released together; return their responses."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(index: int) -> None:
        barrier.wait()
        results[index] = requests[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(r is not None for r in results)
    return results


@pytest.mark.parametrize("dialect", DIALECTS)
def test_eight_simultaneous_backups_of_one_instance_give_one_202(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    clients = [Api(mock, PROJECT) for _ in range(THREADS)]
    calls = [
        (lambda c=c, i=i: c.post("/backups", backup_body(instance, f"race{i}")))
        for i, c in enumerate(clients)
    ]
    results = _race(mock, calls)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [202] + [422] * (THREADS - 1), statuses
    for resp in results:
        if resp.status_code == 422:
            message = fault_of(resp, 422, "unprocessableEntity")
            assert message.endswith("(instance status was BACKUP).")
    winner = next(r for r in results if r.status_code == 202).get_json()["backup"]
    assert list_ids(api) == [winner["id"]]
    assert len(mock.backups(project)) == 1


@pytest.mark.parametrize("dialect", DIALECTS)
def test_simultaneous_creates_respect_the_quota(dialect: str) -> None:
    mock, api, project = make(dialect)
    mock.config.backup_quota = 3
    instances = [seed_instance(mock, project) for _ in range(THREADS)]
    clients = [Api(mock, PROJECT) for _ in range(THREADS)]
    calls = [
        (lambda c=c, i=i: c.post("/backups", backup_body(instances[i], f"q{i}")))
        for i, c in enumerate(clients)
    ]
    statuses = sorted(r.status_code for r in _race(mock, calls))
    assert statuses == [202] * 3 + [413] * (THREADS - 3), statuses
    assert len(list_ids(api)) == 3


@pytest.mark.parametrize("dialect", DIALECTS)
def test_simultaneous_deletes_of_one_backup_give_one_202(dialect: str) -> None:
    mock, api, project = make(dialect)
    backup = completed_backup(api, seed_instance(mock, project))
    clients = [Api(mock, PROJECT) for _ in range(THREADS)]
    calls = [(lambda c=c: c.delete(f"/backups/{backup['id']}")) for c in clients]
    statuses = sorted(r.status_code for r in _race(mock, calls))
    assert statuses == [202] + [404] * (THREADS - 1), statuses
    assert list_ids(api) == []
