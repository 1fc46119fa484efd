"""The examples of the README section "Testing your code with trovemock", run as they are
printed there (keep the two in step)."""

from __future__ import annotations

import time

import pytest

# End to end: real processes, sockets or installs (slow; `pytest -m "not e2e"` leaves them out).
pytestmark = pytest.mark.e2e


# --- the code under test (in a real project this lives in your package) ---------------------
def backup_and_wait(session, endpoint, instance_id, sleep=time.sleep, attempts=3):
    """Start a backup, retrying while the API answers 503, and wait until it finishes."""
    for attempt in range(attempts):
        response = session.post(
            f"{endpoint}/backups",
            json={"backup": {"name": "nightly", "instance": instance_id}},
        )
        if response.status_code != 503:
            break
        sleep(2**attempt)
    response.raise_for_status()
    backup = response.json()["backup"]
    while backup["status"] in ("NEW", "BUILDING"):
        sleep(5)
        backup = session.get(f"{endpoint}/backups/{backup['id']}").json()["backup"]
    return backup


# --- the tests ------------------------------------------------------------------------------
@pytest.mark.trove_faults(
    dict(route="backups.create", status=503, times=1),  # the first attempt gets a 503
    dict(route="backups.create", outcome="backup_failed"),  # the backup then ends FAILED
)
def test_a_backup_that_fails_after_a_retry(trove, trove_session):
    instance = trove.add_instance("test-project")

    backup = backup_and_wait(
        trove_session,
        trove_session.trove_endpoint,
        instance.id,
        sleep=trove.clock.advance,  # waiting moves the emulator's clock, not the wall clock
    )

    assert backup["status"] == "FAILED"
    first, second = trove.journal.assert_called("backups.create", times=2)
    assert (first.status, second.status) == (503, 202)
    assert second.request_json == {"backup": {"name": "nightly", "instance": instance.id}}
    trove.journal.assert_not_called("backups.delete")
    trove.faults.assert_all_fired()


@pytest.mark.trove(durations={"backup_new_seconds": 0, "backup_building_seconds": 600})
def test_a_slow_backup(trove, trove_session):
    instance = trove.add_instance("test-project")
    waited = []

    def sleep(seconds):
        waited.append(seconds)
        trove.clock.advance(seconds)

    backup = backup_and_wait(trove_session, trove_session.trove_endpoint, instance.id, sleep)

    assert backup["status"] == "COMPLETED"
    assert sum(waited) == 600


def test_with_troveclient(trove, troveclient):
    from troveclient.apiclient import exceptions

    instance = trove.add_instance("test-project")
    backup = troveclient.backups.create("nightly", instance.id)
    trove.complete(backup.id)  # finish it now instead of advancing the clock

    with trove.faults.inject(route="backups.list", status=503) as rule:
        with pytest.raises(exceptions.ServiceUnavailable):
            troveclient.backups.list()
    assert rule.fired == 1
    assert [b.status for b in troveclient.backups.list()] == ["COMPLETED"]
