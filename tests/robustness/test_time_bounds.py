"""durations and clock values are bounded at the door (400 naming the
field), and a request that cannot be served stores nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.test import Client

from trovemock import Config, ManualClock, TroveMock

PROJECT = "p1"
TOKEN = {"X-Auth-Token": "t"}


def cloud() -> tuple[TroveMock, Client, str]:
    mock = TroveMock(clock=ManualClock("2030-01-01T00:00:00"))
    return mock, Client(mock), mock.add_instance(PROJECT).id


def bad_request(answer) -> str:
    assert answer.status_code == 400, answer.get_data(as_text=True)
    return answer.get_json()["badRequest"]["message"]


@pytest.mark.parametrize(
    "field", ["backup_new_seconds", "backup_building_seconds", "instance_build_seconds",
              "instance_action_seconds", "copy_seconds"],
)
def test_a_duration_that_overflows_time_is_refused_by_put_config(field):
    mock, client, instance = cloud()
    assert field in bad_request(client.put("/_trovemock/config", json={field: 1e12}))
    assert getattr(mock.config, field) == getattr(Config(), field)
    answer = client.post(f"/v1.0/{PROJECT}/backups", headers=TOKEN,
                         json={"backup": {"name": "b", "instance": instance}})
    assert answer.status_code == 202  # the cloud still works


def test_durations_up_to_a_century_are_accepted():
    _, client, _ = cloud()
    answer = client.put("/_trovemock/config", json={"backup_new_seconds": 3e9})
    assert answer.status_code == 200
    assert answer.get_json()["backup_new_seconds"] == 3e9


def test_the_python_config_checks_plain_assignments_too():
    mock, _, _ = cloud()
    with pytest.raises(ValueError, match="backup_new_seconds"):
        mock.config.backup_new_seconds = 1e12
    with pytest.raises(ValueError, match="page_size"):
        mock.config.page_size = 0
    with pytest.raises(ValueError, match="backup_building_seconds"):
        Config(backup_building_seconds=float("inf"))
    assert mock.config.backup_new_seconds == 1.0


@pytest.mark.parametrize(
    ("body", "field"),
    [({"set": "9999-12-31T00:00:00"}, "set"), ({"set": "0900-01-01T00:00:00"}, "set"),
     ({"advance": 1e300}, "advance"), ({"advance": 1e11}, "advance")],
)
def test_a_clock_move_beyond_the_supported_times_is_refused(body, field):
    mock, client, _ = cloud()
    before = mock.clock.now()
    assert f"'{field}'" in bad_request(client.post("/_trovemock/clock", json=body))
    assert mock.clock.now() == before


def test_the_manual_clock_refuses_times_it_cannot_serve():
    with pytest.raises(ValueError, match="9999"):
        ManualClock("9999-12-31T23:59:59")
    clock = ManualClock("8999-12-31T00:00:00")
    with pytest.raises(ValueError):
        clock.advance(2 * 86400)
    assert clock.now() == dt.datetime(8999, 12, 31)


def test_a_per_backup_duration_that_overflows_is_refused():
    mock, client, instance = cloud()
    created = client.post(f"/v1.0/{PROJECT}/backups", headers=TOKEN,
                          json={"backup": {"name": "b", "instance": instance}})
    backup_id = created.get_json()["backup"]["id"]
    message = bad_request(client.post(f"/_trovemock/backups/{backup_id}/durations",
                                      json={"new_seconds": 1e300}))
    assert "new_seconds" in message
    mock.clock.advance(6)  # its lifecycle is untouched
    assert mock.backup(backup_id).status == "COMPLETED"
    assert mock.instance_status(instance) == "ACTIVE"


class _EndOfTime:
    """A clock a user may plug in that reads a time the emulator cannot add durations to."""

    manual = False

    def now(self) -> dt.datetime:
        return dt.datetime(9999, 12, 31, 23, 59, 59)


def test_a_request_that_cannot_be_served_stores_nothing():
    mock = TroveMock(clock=ManualClock("2030-01-01T00:00:00"))
    client = Client(mock)
    instance = mock.add_instance(PROJECT).id
    mock.clock = mock.cloud.clock = _EndOfTime()
    answer = client.post(f"/v1.0/{PROJECT}/backups", headers=TOKEN,
                         json={"backup": {"name": "b", "instance": instance}})
    assert answer.status_code == 500
    assert "9999-12-31T23:59:59" in answer.get_json()["instanceFault"]["message"]
    mock.clock = mock.cloud.clock = ManualClock("2030-01-01T00:00:00")
    assert mock.backups() == []  # no NEW backup without a lifecycle was left behind
    assert mock.instance_status(instance) == "ACTIVE"
    listed = client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    assert listed.status_code == 200 and listed.get_json()["backups"] == []
