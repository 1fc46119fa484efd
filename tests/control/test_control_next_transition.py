"""The next pending transition: `mock.next_due()`, the clock view's `next_due`, and
`POST /_trovemock/clock {"advance_to": "next"}`, which moves a manual clock straight to it."""

from __future__ import annotations

from datetime import timedelta

from werkzeug.test import Client

from trovemock import SystemClock, TroveMock

TOKEN = {"X-Auth-Token": "t"}


def test_next_due_steps_through_a_backups_statuses() -> None:
    mock = TroveMock()
    client = Client(mock)
    assert mock.next_due() is None
    assert client.get("/_trovemock/clock").get_json()["next_due"] is None
    instance = mock.add_instance("p1").id
    start = mock.clock.now()
    made = client.post("/v1.0/p1/backups", headers=TOKEN,
                       json={"backup": {"name": "b", "instance": instance}}).get_json()
    backup = made["backup"]["id"]
    assert mock.next_due() == start + timedelta(seconds=1)  # NEW for 1 s
    moved = client.post("/_trovemock/clock", json={"advance_to": "next"}).get_json()
    assert moved["now"] == (start + timedelta(seconds=1)).isoformat()
    assert moved["next_due"] == (start + timedelta(seconds=6)).isoformat()  # BUILDING 5 s
    assert mock.backup(backup).status == "BUILDING"
    client.post("/_trovemock/clock", json={"advance_to": "next"})
    assert mock.backup(backup).status == "COMPLETED" and mock.next_due() is None
    stays = client.post("/_trovemock/clock", json={"advance_to": "next"}).get_json()
    assert stays["now"] == (start + timedelta(seconds=6)).isoformat()  # nothing pending


def test_a_cancelled_transition_is_not_next() -> None:
    mock = TroveMock()
    instance = mock.add_instance("p1").id
    Client(mock).post("/v1.0/p1/backups", headers=TOKEN,
                      json={"backup": {"name": "b", "instance": instance}})
    [backup] = mock.backups("p1")
    mock.complete(backup.id)  # the NEW -> BUILDING event no longer applies
    assert mock.next_due() is None


def test_advance_to_takes_only_next_and_needs_a_manual_clock() -> None:
    client = Client(TroveMock())
    bad = client.post("/_trovemock/clock", json={"advance_to": "tomorrow"})
    assert bad.status_code == 400 and "'next'" in bad.get_json()["badRequest"]["message"]
    both = client.post("/_trovemock/clock", json={"advance_to": "next", "advance": 5})
    assert both.status_code == 400
    system = Client(TroveMock(clock=SystemClock()))
    mock_with_pending = system.application
    instance = mock_with_pending.add_instance("p1").id
    system.post("/v1.0/p1/backups", headers=TOKEN,
                json={"backup": {"name": "b", "instance": instance}})
    assert system.post("/_trovemock/clock", json={"advance_to": "next"}).status_code == 409
