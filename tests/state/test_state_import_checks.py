"""a state import is checked completely before anything
changes, swapped in at once, and a re-export is byte-identical; `trovemock serve --state` with
a bad file exits 2 with the reason."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from trovemock import ManualClock, TroveMock

START = "2030-01-01T00:00:00"
PROJECT = "p1"
TOKEN = {"X-Auth-Token": "anything"}


def seeded(dialect: str = "openstack") -> tuple[TroveMock, Client, list[str]]:
    """An instance, a COMPLETED full backup and (openstack) an incremental child, plus a
    token bound to the project."""
    mock = TroveMock(dialect=dialect, clock=ManualClock(START))
    client = Client(mock)
    instance = mock.add_instance(PROJECT).id
    ids: list[str] = []
    for name in ("full", "second"):
        body: dict[str, Any] = {"name": name, "instance": instance}
        if ids and dialect == "openstack":
            body["parent_id"] = ids[-1]
        answer = client.post(f"/v1.0/{PROJECT}/backups", headers=TOKEN, json={"backup": body})
        assert answer.status_code == 202, answer.get_json()
        ids.append(answer.get_json()["backup"]["id"])
        mock.complete(ids[-1])
    client.post("/_trovemock/tokens", json={"token": "bound", "project_id": PROJECT})
    return mock, client, ids


def exported(client: Client) -> dict[str, Any]:
    return client.get("/_trovemock/state").get_json()


def refused(client: Client, state: dict[str, Any]) -> str:
    """PUT the state, expect 400, and return its message."""
    answer = client.put("/_trovemock/state", json=state)
    assert answer.status_code == 400, answer.get_data(as_text=True)
    return answer.get_json()["badRequest"]["message"]


# -- item 1: cycles, dangling parents, duplicate ids ------------------------------------------
@pytest.mark.parametrize("length", [1, 2, 3])
def test_a_parent_cycle_is_refused_naming_the_record(length):
    mock, client, _ = seeded()
    state = exported(client)
    backups = state["backups"]
    while len(backups) < length:  # a third backup for the three-cycle
        backups.append({**backups[0], "id": "33333333-0000-0000-0000-000000000000", "order": 99})
    ring = backups[:length]
    for n, backup in enumerate(ring):
        backup["parent_id"] = ring[(n + 1) % length]["id"]
    before = client.get("/_trovemock/state").data
    message = refused(client, state)
    assert "cycle" in message and "backups[" in message
    assert client.get("/_trovemock/state").data == before
    first = mock.backups()[-1].id  # the cloud is intact: deleting the chain ends
    assert client.delete(f"/v1.0/{PROJECT}/backups/{first}", headers=TOKEN).status_code == 202
    assert mock.backups() == []


def test_a_dangling_parent_is_refused():
    _, client, _ = seeded()
    state = exported(client)
    state["backups"][1]["parent_id"] = "99999999-9999-9999-9999-999999999999"
    message = refused(client, state)
    assert "backups[1].parent_id" in message and "names no backup" in message


def test_a_parent_in_another_project_is_refused():
    _, client, _ = seeded()
    state = exported(client)
    state["backups"][0]["project_id"] = "p2"
    state["backups"][1]["parent_id"] = state["backups"][0]["id"]
    assert "another project" in refused(client, state)


def test_a_duplicate_backup_id_is_refused():
    _, client, _ = seeded()
    state = exported(client)
    state["backups"][1]["id"] = state["backups"][0]["id"]
    state["backups"][1]["parent_id"] = None
    message = refused(client, state)
    assert "backups[1]" in message and "also backups[0]" in message


def test_duplicate_instances_and_tokens_are_refused():
    _, client, _ = seeded()
    state = exported(client)
    state["instances"].append(dict(state["instances"][0]))
    assert "instances[1]" in refused(client, state)
    state = exported(client)
    state["tokens"].append(dict(state["tokens"][0]))
    assert "tokens[1]" in refused(client, state)


# -- item 2: a refused import leaves the cloud byte-identical ---------------------------------
def _break(state: dict[str, Any], how: str) -> None:
    backup, instance, token = state["backups"][-1], state["instances"][0], state["tokens"][0]
    if how == "origin_id not a string":
        backup["origin_id"] = []
    elif how == "running backup created at the end of time":
        backup.update(status="NEW", pinned=False, created="9999-12-31T23:59:59")
    elif how == "per-backup duration overflows":
        backup.update(status="NEW", pinned=False, new_seconds=1e300)
    elif how == "token roles not a list":
        token["roles"] = "admin"
    elif how == "unknown instance status":
        instance["status"] = "MELTING"
    elif how == "running_backup names nothing":
        instance["running_backup"] = "nope"
    elif how == "copy_to names no region":
        backup["copy_to"] = ["MARS"]
    elif how == "size not a number":
        backup["size"] = "big"
    elif how == "order not a number":
        backup["order"] = "first"
    elif how == "users grants not a list":
        backup["contents"]["users"] = {"u": "db"}
    elif how == "last record not an object":
        state["tokens"].append("oops")
    else:  # pragma: no cover - a typo in the parameter list
        raise AssertionError(how)


@pytest.mark.parametrize(
    "how",
    [
        "origin_id not a string",
        "running backup created at the end of time",
        "per-backup duration overflows",
        "token roles not a list",
        "unknown instance status",
        "running_backup names nothing",
        "copy_to names no region",
        "size not a number",
        "order not a number",
        "users grants not a list",
        "last record not an object",
    ],
)
def test_a_refused_import_leaves_the_cloud_byte_identical(how):
    mock, client, ids = seeded()
    before = client.get("/_trovemock/state").data
    state = json.loads(before)
    _break(state, how)
    refused(client, state)
    assert client.get("/_trovemock/state").data == before
    assert client.get("/v1.0/p2/backups", headers={"X-Auth-Token": "bound"}).status_code == 403
    listed = client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN).get_json()["backups"]
    assert {b["id"] for b in listed} == set(ids)


def test_the_python_api_refuses_the_same_way():
    mock, client, _ = seeded()
    before = client.get("/_trovemock/state").data
    state = json.loads(before)
    _break(state, "origin_id not a string")
    with pytest.raises(ValueError, match=r"backups\[1\]"):
        mock.import_state(state)
    assert client.get("/_trovemock/state").data == before


# -- item 8: export -> import -> export is byte-identical --------------------------------------
@pytest.mark.parametrize("dialect", ["openstack", "rackspace"])
def test_export_import_export_is_byte_identical_after_changes_reorder_the_list(dialect):
    mock, client, ids = seeded(dialect)
    mock.set_status(ids[0], "FAILED")  # moves it to the head of lists: orders now have gaps
    client.post("/_trovemock/clock", json={"advance": 60})
    first = client.get("/_trovemock/state").data
    assert sorted(b["order"] for b in json.loads(first)["backups"]) != list(range(1, 3))
    twin = TroveMock(dialect=dialect, clock=ManualClock(mock.clock.now()))
    twin_client = Client(twin)
    assert twin_client.put("/_trovemock/state", data=first,
                           content_type="application/json").status_code == 204
    assert twin_client.get("/_trovemock/state").data == first
    assert client.put("/_trovemock/state", data=first,
                      content_type="application/json").status_code == 204  # onto itself
    assert client.get("/_trovemock/state").data == first
    new = client.post(f"/v1.0/{PROJECT}/backups", headers=TOKEN, json={"backup": {
        "name": "after", "instance": mock.instances()[0].id}}).get_json()["backup"]["id"]
    listed = client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN).get_json()["backups"]
    assert [b["id"] for b in listed] == [new, ids[0], ids[1]]  # newest change first, still


# -- item 3: identity tokens follow the imported tokens -----------------------------------------
def _login(client: Client, project: str) -> str:
    answer = client.post("/v3/auth/tokens", json={"auth": {
        "identity": {"methods": ["password"],
                     "password": {"user": {"name": "u", "password": "pw"}}},
        "scope": {"project": {"id": project}}}})
    assert answer.status_code == 201
    return answer.headers["X-Subject-Token"]


def _token_method(client: Client, token: str) -> int:
    return client.post("/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["token"], "token": {"id": token}}}}).status_code


def test_an_import_drops_identity_tokens_the_state_does_not_hold():
    mock, client, _ = seeded()
    kept_state = exported(client)  # before the login: the token is not in it
    token = _login(client, PROJECT)
    with_token = exported(client)
    assert client.put("/_trovemock/state", json=kept_state).status_code == 204
    assert _token_method(client, token) == 401
    assert token not in mock.tokens
    other = _login(client, PROJECT)
    assert client.put("/_trovemock/state", json={**with_token, "tokens": [
        *with_token["tokens"], {"token": other, "project_id": PROJECT, "roles": ["member"]}]}
    ).status_code == 204
    assert _token_method(client, other) == 201  # in the state: identity still knows it


# -- item 2: trovemock serve --state FILE ---------------------------------------------------
SERVE = "import sys; from trovemock.cli import main; sys.exit(main(sys.argv[1:]))"


def _bad_state_files(tmp_path: Path) -> dict[str, Path]:
    _, client, _ = seeded()
    state = exported(client)
    files: dict[str, Path] = {}

    def write(name: str, text: str | bytes) -> None:
        path = tmp_path / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        files[name] = path

    cycle = json.loads(json.dumps(state))
    cycle["backups"][0]["parent_id"] = cycle["backups"][1]["id"]
    write("cycle.json", json.dumps(cycle))
    write("nested.json", "[" * 100_000 + "]" * 100_000)
    write("latin1.json", b'{"format": 1, "dialect": "openstack", "x": "\xe9"}')
    late = json.loads(json.dumps(state))
    late["now"] = "9999-12-31T23:59:59"
    write("late-now.json", json.dumps(late))
    ending = json.loads(json.dumps(state))
    ending["backups"][1].update(status="NEW", pinned=False, created="9999-12-31T23:59:59")
    write("overflow.json", json.dumps(ending))
    (tmp_path / "a-directory.json").mkdir()
    files["a-directory.json"] = tmp_path / "a-directory.json"
    return files


def test_serve_with_a_bad_state_file_exits_2_with_the_reason(tmp_path):
    for name, path in _bad_state_files(tmp_path).items():
        try:
            done = subprocess.run(
                [sys.executable, "-c", SERVE, "serve", "--state", str(path), "--port", "0",
                 "--clock", "manual", "--quiet"],
                capture_output=True, text=True, timeout=15,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"{name}: the server started on a state it should refuse")
        assert done.returncode == 2, (name, done.stderr)
        assert "Traceback" not in done.stderr, (name, done.stderr)
        assert done.stderr.startswith(f"trovemock serve: --state {path}"), (name, done.stderr)


def test_a_backup_being_deleted_upstream_style_round_trips_and_goes_away():
    """Upstream fidelity (`async_delete`) keeps a deleted backup listed until the taskmanager
    removes it: an import keeps it so, and removes it `delete_seconds` after the import."""
    mock, client, ids = seeded()
    mock.config.update({"upstream_deviations": ["async_delete"], "delete_seconds": 30})
    assert client.delete(f"/v1.0/{PROJECT}/backups/{ids[1]}", headers=TOKEN).status_code == 202
    first = client.get("/_trovemock/state").data
    assert [b["deleting"] for b in json.loads(first)["backups"] if b["id"] == ids[1]] == [True]
    twin = TroveMock(clock=ManualClock(mock.clock.now()))
    twin.config.update({"upstream_deviations": ["async_delete"], "delete_seconds": 30})
    twin_client = Client(twin)
    assert twin_client.put("/_trovemock/state", data=first,
                           content_type="application/json").status_code == 204
    assert twin_client.get("/_trovemock/state").data == first
    twin.clock.advance(31)
    assert [b.id for b in twin.backups()] == [ids[0]]


def _exported_with_schedule() -> tuple[TroveMock, dict]:
    mock = TroveMock("rackspace")
    mine = mock.add_instance("p1")
    mock.add_instance("p2")
    mock.add_schedule("p1", instance_id=mine.id, day_of_week=0, hour=1, minute=0)
    return mock, mock.export_state()


def test_a_schedule_of_another_projects_instance_is_refused_naming_it() -> None:
    mock, state = _exported_with_schedule()
    other = next(i for i in state["instances"] if i["project_id"] == "p2")
    state["schedules"][0]["source_id"] = other["id"]
    with pytest.raises(ValueError, match=r"schedules\[0\]\.source_id .* project p2"):
        mock.import_state(state)


def test_a_full_listed_twice_in_a_schedule_is_refused() -> None:
    mock, state = _exported_with_schedule()
    state["schedules"][0]["fulls"] = ["a", "a"]
    with pytest.raises(ValueError, match=r"schedules\[0\]\.fulls"):
        mock.import_state(state)


@pytest.mark.parametrize("field", ["used_gb", "volume_size"])
def test_numbers_too_big_for_the_emulator_are_refused_naming_the_record(field: str) -> None:
    mock, state = _exported_with_schedule()
    before = mock.export_state()
    state["instances"][0][field] = 10**400
    with pytest.raises(ValueError, match=rf"instances\[0\]\.{field} .* 401 digits"):
        mock.import_state(state)
    assert mock.export_state() == before
