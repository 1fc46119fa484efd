"""The manual clock does not go back unasked: what the emulator holds would lie in the future.
One refusal, with the way to ask for it, in Python, the control API and the CLI."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from werkzeug.test import Client

from trovemock import ManualClock, TroveMock, cli

START = datetime(2014, 2, 13, 21, 47, 16)


def test_python_refuses_a_backwards_set_unless_asked() -> None:
    mock = TroveMock()
    mock.add_instance("p1")
    mock.clock.advance(3600)
    with pytest.raises(ValueError, match="would move back from 2014-02-13T22:47:16 to "
                                         "2014-02-13T21:47:16.*backwards=True"):
        mock.clock.set(START)
    assert mock.clock.now() == START + timedelta(hours=1)  # unchanged
    mock.clock.set(START + timedelta(hours=1))  # the same time is not backwards
    assert mock.clock.set(START, backwards=True) == START


def test_the_control_api_refuses_the_same_way() -> None:
    mock = TroveMock(clock=ManualClock(START + timedelta(days=1)))
    client = Client(mock)
    refused = client.post("/_trovemock/clock", json={"set": START.isoformat()})
    assert refused.status_code == 400
    message = refused.get_json()["badRequest"]["message"]
    assert "would move back" in message and '"backwards": true' in message
    moved = client.post("/_trovemock/clock", json={"set": START.isoformat(), "backwards": True})
    assert moved.status_code == 200 and moved.get_json()["now"] == START.isoformat()
    for bad in ({"advance": 5, "backwards": True}, {"set": START.isoformat(), "backwards": 1}):
        assert client.post("/_trovemock/clock", json=bad).status_code == 400


def test_import_state_may_go_back_since_it_replaces_everything() -> None:
    early = TroveMock()
    early.add_instance("p1")
    state = early.export_state()
    later = TroveMock(clock=ManualClock(START + timedelta(days=30)))
    later.import_state(state)
    assert later.clock.now() == START


def test_serve_refuses_a_start_time_before_the_states_clock(tmp_path, capsys) -> None:
    exported = TroveMock(clock=ManualClock(START + timedelta(days=2)))
    exported.add_instance("p1")
    saved = tmp_path / "state.json"
    saved.write_text(json.dumps(exported.export_state()))
    args = ["serve", "--port", "0", "--clock", "manual", "--state", str(saved),
            "--start-time", START.isoformat()]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "--start-time with --state" in err and "would move back" in err
    later = (START + timedelta(days=3)).isoformat()
    options = cli.build_parser().parse_args([*args[:-1], later])
    assert cli.build_mock(options).clock.now().isoformat() == later  # forward: honoured
