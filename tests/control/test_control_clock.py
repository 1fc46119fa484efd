"""Time control: the system clock under freezegun, the manual clock, per-cloud and per-backup
durations, and forcing a backup's status, all observed through HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from werkzeug.test import Client

from trovemock import ManualClock, SystemClock, TroveMock

PROJECT = "p1"
TOKEN = {"X-Auth-Token": "tok"}


def create_backup(client: Client, instance_id: str, name: str = "nightly") -> dict:
    response = client.post(
        f"/v1.0/{PROJECT}/backups",
        json={"backup": {"name": name, "instance": instance_id}},
        headers=TOKEN,
    )
    assert response.status_code == 202, response.json
    return response.json["backup"]


def shown(client: Client, backup_id: str) -> dict:
    response = client.get(f"/v1.0/{PROJECT}/backups/{backup_id}", headers=TOKEN)
    assert response.status_code == 200, response.json
    return response.json["backup"]


def status(client: Client, backup_id: str) -> str:
    return shown(client, backup_id)["status"]


@pytest.fixture
def mock() -> TroveMock:
    return TroveMock()


@pytest.fixture
def client(mock: TroveMock) -> Client:
    return Client(mock)


# -- system clock and freezegun ---------------------------------------------------------------
def test_freezegun_moves_a_system_clock_cloud() -> None:
    with freeze_time("2024-05-01 12:00:00") as freezer:
        mock = TroveMock(clock=SystemClock())
        client = Client(mock)
        backup = create_backup(client, mock.add_instance(PROJECT).id)
        assert backup["created"] == "2024-05-01T12:00:00"
        assert status(client, backup["id"]) == "NEW"
        freezer.tick(60)
        done = shown(client, backup["id"])
    assert done["status"] == "COMPLETED"
    # NEW lasts 1 s and BUILDING 5 s by default: it completed 6 s after creation.
    assert done["updated"] == "2024-05-01T12:00:06"


def test_freezegun_tick_that_is_too_short_leaves_the_backup_running() -> None:
    with freeze_time("2024-05-01 12:00:00") as freezer:
        mock = TroveMock(clock=SystemClock())
        client = Client(mock)
        backup = create_backup(client, mock.add_instance(PROJECT).id)
        freezer.tick(2)
        assert status(client, backup["id"]) == "BUILDING"
        assert mock.instance_status(backup["instance_id"]) == "BACKUP"


# -- manual clock -----------------------------------------------------------------------------
def test_manual_clock_steps_through_the_lifecycle(mock: TroveMock, client: Client) -> None:
    backup = create_backup(client, mock.add_instance(PROJECT).id)
    seen = [status(client, backup["id"])]
    for step in (0.5, 0.5, 4.9, 0.1):
        mock.clock.advance(step)
        seen.append(status(client, backup["id"]))
    assert seen == ["NEW", "NEW", "BUILDING", "BUILDING", "COMPLETED"]


def test_manual_clock_set_jumps_to_a_time() -> None:
    mock = TroveMock(clock=ManualClock(start="2030-01-01T00:00:00Z"))
    client = Client(mock)
    backup = create_backup(client, mock.add_instance(PROJECT).id)
    assert backup["created"] == "2030-01-01T00:00:00"
    mock.clock.set("2030-01-02T00:00:00")
    assert status(client, backup["id"]) == "COMPLETED"
    with pytest.raises(ValueError, match="negative"):
        mock.clock.advance(-1)


# -- durations --------------------------------------------------------------------------------
def test_per_cloud_backup_durations(mock: TroveMock, client: Client) -> None:
    mock.config.backup_new_seconds = 10
    mock.config.backup_building_seconds = 100
    backup = create_backup(client, mock.add_instance(PROJECT).id)
    timeline = []
    start = mock.clock.now()
    for at in (9.9, 10, 109.9, 110):
        mock.clock.set(start + timedelta(seconds=at))
        timeline.append(status(client, backup["id"]))
    assert timeline == ["NEW", "BUILDING", "BUILDING", "COMPLETED"]


def test_config_update_sets_durations_and_rejects_bad_ones(mock: TroveMock) -> None:
    mock.config.update({"instance_build_seconds": 30})
    instance = mock.add_instance(PROJECT, status="BUILD")
    mock.clock.advance(29)
    assert mock.instance_status(instance.id) == "BUILD"
    mock.clock.advance(1)
    assert mock.instance_status(instance.id) == "ACTIVE"
    with pytest.raises(ValueError, match="backup_building_seconds"):
        mock.config.update({"backup_building_seconds": -5})


def test_per_backup_durations_override_the_cloud(mock: TroveMock, client: Client) -> None:
    first = create_backup(client, mock.add_instance(PROJECT).id, "slow")
    second = create_backup(client, mock.add_instance(PROJECT).id, "normal")
    mock.set_backup_durations(first["id"], new_seconds=0, building_seconds=3600)
    mock.clock.advance(60)
    assert status(client, first["id"]) == "BUILDING"
    assert status(client, second["id"]) == "COMPLETED"
    mock.clock.advance(3540)
    assert status(client, first["id"]) == "COMPLETED"


def test_per_backup_durations_refuse_bad_values(mock: TroveMock, client: Client) -> None:
    backup = create_backup(client, mock.add_instance(PROJECT).id)
    with pytest.raises(ValueError, match="building_seconds"):
        mock.set_backup_durations(backup["id"], building_seconds=-1)
    with pytest.raises(KeyError, match="no-such-backup"):
        mock.set_backup_durations("no-such-backup", new_seconds=1)


# -- forcing a status -------------------------------------------------------------------------
def test_complete_finishes_a_backup_at_once(mock: TroveMock, client: Client) -> None:
    instance = mock.add_instance(PROJECT)
    backup = create_backup(client, instance.id)
    mock.complete(backup["id"])
    assert status(client, backup["id"]) == "COMPLETED"
    assert mock.instance_status(instance.id) == "ACTIVE"  # no longer busy


def test_fail_ends_a_backup_failed_and_it_stays_failed(mock: TroveMock, client: Client) -> None:
    backup = create_backup(client, mock.add_instance(PROJECT).id)
    mock.fail(backup["id"])
    mock.clock.advance(3600)
    assert status(client, backup["id"]) == "FAILED"


@pytest.mark.parametrize("forced", ["NEW", "BUILDING", "COMPLETED", "FAILED", "DELETE_FAILED"])
def test_set_status_pins_any_status_the_service_shows(
    mock: TroveMock, client: Client, forced: str
) -> None:
    backup = create_backup(client, mock.add_instance(PROJECT).id)
    mock.set_status(backup["id"], forced)
    mock.clock.advance(3600)  # a forced status is not moved on by the lifecycle
    assert status(client, backup["id"]) == forced


@pytest.mark.parametrize("bogus", ["SAVING", "BOGUS", "completed", ""])
def test_set_status_refuses_statuses_the_service_never_shows(
    mock: TroveMock, client: Client, bogus: str
) -> None:
    backup = create_backup(client, mock.add_instance(PROJECT).id)
    with pytest.raises(ValueError, match="not a status the real service shows"):
        mock.set_status(backup["id"], bogus)
    assert status(client, backup["id"]) == "NEW"


def test_forcing_an_unknown_backup_is_a_key_error(mock: TroveMock) -> None:
    with pytest.raises(KeyError, match="no-such-backup"):
        mock.complete("no-such-backup")
