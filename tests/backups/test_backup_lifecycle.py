"""Rule 4: NEW -> BUILDING -> COMPLETED driven by the clock and the config, no threads
(design.md §5)."""

from __future__ import annotations

import pytest
from helpers import (
    DIALECTS,
    TIMESTAMP,
    create_backup,
    get_backup,
    get_instance,
    make,
    ok,
    seed_instance,
)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_backup_goes_new_building_completed_with_the_clock(dialect: str) -> None:
    mock, api, project = make(dialect)
    mock.config.backup_new_seconds = 10
    mock.config.backup_building_seconds = 20
    instance = seed_instance(mock, project, used_gb=0.5, volume_size=2)
    created = create_backup(api, instance)
    backup_id = created["id"]

    mock.clock.advance(9)
    new = get_backup(api, backup_id)
    assert new["status"] == "NEW"
    assert new["size"] is None and new["locationRef"] is None
    assert new["updated"] == created["updated"]

    mock.clock.advance(2)  # 11 s: building
    building = get_backup(api, backup_id)
    assert building["status"] == "BUILDING"
    assert isinstance(building["size"], int | float) and not isinstance(building["size"], bool)
    assert building["size"] == pytest.approx(0.5)
    assert building["locationRef"] is None
    assert building["updated"] != new["updated"]

    mock.clock.advance(18)  # 29 s: still building
    assert get_backup(api, backup_id)["status"] == "BUILDING"

    mock.clock.advance(2)  # 31 s: completed
    done = get_backup(api, backup_id)
    assert done["status"] == "COMPLETED"
    assert done["size"] == pytest.approx(0.5)
    assert isinstance(done["locationRef"], str) and backup_id in done["locationRef"]
    assert done["updated"] != building["updated"]
    assert done["created"] == created["created"]
    for stamp in (done["created"], done["updated"], building["updated"]):
        assert TIMESTAMP.match(stamp), stamp


@pytest.mark.parametrize("dialect", DIALECTS)
def test_timestamps_follow_the_clock_and_never_carry_fractions(dialect: str) -> None:
    mock, api, project = make(dialect)
    mock.clock.set("2020-05-06T07:08:09.987654")
    backup = create_backup(api, seed_instance(mock, project))
    assert backup["created"] == "2020-05-06T07:08:09"
    assert backup["updated"] == "2020-05-06T07:08:09"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_single_big_jump_of_the_clock_completes_the_backup(dialect: str) -> None:
    mock, api, project = make(dialect)
    backup = create_backup(api, seed_instance(mock, project))
    mock.clock.advance(10_000)
    done = get_backup(api, backup["id"])
    assert done["status"] == "COMPLETED"
    assert done["size"] is not None and done["locationRef"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_list_shows_the_same_lifecycle_as_show(dialect: str) -> None:
    mock, api, project = make(dialect)
    backup = create_backup(api, seed_instance(mock, project))
    mock.clock.advance(mock.config.backup_new_seconds + 0.5)
    listed = ok(api.get("/backups"))["backups"][0]
    assert listed["status"] == "BUILDING"
    assert listed == get_backup(api, backup["id"])


@pytest.mark.parametrize("dialect", DIALECTS)
def test_durations_come_from_the_config(dialect: str) -> None:
    mock, api, project = make(dialect)
    mock.config.backup_new_seconds = 100
    mock.config.backup_building_seconds = 100
    backup = create_backup(api, seed_instance(mock, project))
    mock.clock.advance(99)
    assert get_backup(api, backup["id"])["status"] == "NEW"
    mock.clock.advance(100)
    assert get_backup(api, backup["id"])["status"] == "BUILDING"
    mock.clock.advance(2)
    assert get_backup(api, backup["id"])["status"] == "COMPLETED"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_per_backup_durations_override_the_config(dialect: str) -> None:
    mock, api, project = make(dialect)
    backup = create_backup(api, seed_instance(mock, project))
    mock.set_backup_durations(backup["id"], new_seconds=50, building_seconds=50)
    mock.clock.advance(mock.config.backup_new_seconds + mock.config.backup_building_seconds + 1)
    assert get_backup(api, backup["id"])["status"] == "NEW"
    mock.clock.advance(100)
    assert get_backup(api, backup["id"])["status"] == "COMPLETED"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_forced_failure_shows_failed_and_frees_the_instance(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    backup = create_backup(api, instance)
    mock.fail(backup["id"])
    failed = get_backup(api, backup["id"])
    assert failed["status"] == "FAILED"
    assert failed["locationRef"] is None
    assert get_instance(api, instance)["status"] == "ACTIVE"
    mock.clock.advance(10_000)
    assert get_backup(api, backup["id"])["status"] == "FAILED"
