"""The request journal: what the app records for each request, filtering, assertion helpers
with readable failures, clearing, switching off, bounding and thread safety."""

from __future__ import annotations

import json
import threading
from datetime import datetime

import pytest
from werkzeug.test import Client

from trovemock import TroveMock
from trovemock.exchange import JournalEntry
from trovemock.journal import Journal

PROJECT = "p1"
TOKEN = {"X-Auth-Token": "secret-token"}


def entry(method: str = "GET", path: str = "/v1.0/p1/backups", status: int = 200,
          route: str | None = "backups.list", project_id: str | None = "p1") -> JournalEntry:
    return JournalEntry(
        seq=0, time=datetime(2014, 2, 13, 21, 47, 16), method=method, path=path, route=route,
        project_id=project_id, region="RegionOne", query={}, headers={}, request_json=None,
        request_text=None, status=status, response_json=None, response_headers={},
    )


@pytest.fixture
def mock() -> TroveMock:
    return TroveMock()


@pytest.fixture
def client(mock: TroveMock) -> Client:
    return Client(mock)


def create_backup(client: Client, instance_id: str, name: str = "nightly"):
    return client.post(
        f"/v1.0/{PROJECT}/backups",
        json={"backup": {"name": name, "instance": instance_id}},
        headers=TOKEN,
    )


# -- what is recorded -------------------------------------------------------------------------
def test_a_request_is_recorded_with_all_its_parts(mock: TroveMock, client: Client) -> None:
    instance = mock.add_instance(PROJECT)
    mock.clock.advance(30)
    response = create_backup(client, instance.id)
    (recorded,) = mock.journal.entries
    assert (recorded.seq, recorded.method, recorded.path, recorded.route) == (
        1, "POST", f"/v1.0/{PROJECT}/backups", "backups.create",
    )
    assert (recorded.project_id, recorded.region, recorded.status) == (PROJECT, "RegionOne", 202)
    assert recorded.request_json == {"backup": {"name": "nightly", "instance": instance.id}}
    assert recorded.response_json == response.json
    assert recorded.time == mock.clock.now()  # the emulator clock, not the wall clock
    assert recorded.headers["X-Auth-Token"] == "***"
    assert "secret-token" not in json.dumps(mock.journal.to_dicts())


def test_query_and_non_json_bodies_are_recorded(mock: TroveMock, client: Client) -> None:
    client.get(f"/v1.0/{PROJECT}/backups", query_string={"limit": "1"}, headers=TOKEN)
    client.post(f"/v1.0/{PROJECT}/backups", data="{not json", headers=TOKEN,
                content_type="application/json")
    listed, broken = mock.journal.entries
    assert listed.query == {"limit": "1"}
    assert (broken.status, broken.request_json, broken.request_text) == (400, None, "{not json")


def test_seq_counts_up_and_errors_are_recorded_too(mock: TroveMock, client: Client) -> None:
    client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    client.get(f"/v1.0/{PROJECT}/backups/missing", headers=TOKEN)
    client.get(f"/v1.0/{PROJECT}/backups")  # no token
    assert [(e.seq, e.status) for e in mock.journal.entries] == [(1, 200), (2, 404), (3, 401)]


# -- reading ----------------------------------------------------------------------------------
def test_filter_by_each_field(mock: TroveMock, client: Client) -> None:
    instance = mock.add_instance(PROJECT)
    create_backup(client, instance.id)
    client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    client.get("/v1.0/p2/backups", headers=TOKEN)
    journal = mock.journal
    assert [e.route for e in journal.filter(method="post")] == ["backups.create"]
    assert len(journal.filter(route="backups.list")) == 2
    assert [e.project_id for e in journal.filter(route="backups.list", project_id="p2")] == ["p2"]
    assert [e.method for e in journal.filter(status=202)] == ["POST"]
    assert len(journal.filter(path="/v1.0/p1/*")) == 2
    assert journal.filter(status=500) == []


def test_last_and_latest(mock: TroveMock, client: Client) -> None:
    assert mock.journal.latest is None and mock.journal.last() == []
    for project in ("a", "b", "c"):
        client.get(f"/v1.0/{project}/backups", headers=TOKEN)
    assert [e.project_id for e in mock.journal.last(2)] == ["b", "c"]
    assert mock.journal.last()[0] is mock.journal.latest
    assert len(mock.journal.last(10)) == 3


def test_to_dicts_is_json_serialisable(mock: TroveMock, client: Client) -> None:
    instance = mock.add_instance(PROJECT)
    create_backup(client, instance.id)
    (data,) = json.loads(json.dumps(mock.journal.to_dicts()))
    assert data["time"] == "2014-02-13T21:47:16"
    assert (data["method"], data["route"], data["status"]) == ("POST", "backups.create", 202)
    assert data["request_json"]["backup"]["instance"] == instance.id


# -- assertion helpers ------------------------------------------------------------------------
def test_assert_called_passes_and_returns_the_entries(mock: TroveMock, client: Client) -> None:
    instance = mock.add_instance(PROJECT)
    create_backup(client, instance.id)
    mock.clock.advance(3600)  # one backup at a time per instance
    create_backup(client, instance.id, "second")
    found = mock.journal.assert_called("backups.create", times=2, status=202)
    assert [e.request_json["backup"]["name"] for e in found] == ["nightly", "second"]
    mock.journal.assert_called("backups.create")
    mock.journal.assert_not_called("backups.delete")


def test_assert_called_failure_lists_requests_compactly(mock: TroveMock, client: Client) -> None:
    mock.faults.add(route="backups.list", status=503, times=1)
    client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    client.get(f"/v1.0/{PROJECT}/backups", query_string={"limit": "5"}, headers=TOKEN)
    with pytest.raises(AssertionError) as failure:
        mock.journal.assert_called("backups.list", times=3)
    text = str(failure.value)
    assert text.startswith("expected backups.list 3 times, got 2 times")
    assert f"> #1 GET /v1.0/{PROJECT}/backups -> 503 serviceUnavailable:" in text
    assert "[fault rule fault-1]" in text
    assert f"> #2 GET /v1.0/{PROJECT}/backups?limit=5 -> 200" in text


def test_assertion_marks_matches_among_other_requests(mock: TroveMock, client: Client) -> None:
    instance = mock.add_instance(PROJECT)
    create_backup(client, instance.id)
    create_backup(client, instance.id, "second")  # 422: a backup is already running
    with pytest.raises(AssertionError) as failure:
        mock.journal.assert_called("backups.create", times=2, status=202)
    text = str(failure.value)
    assert "expected backups.create (status=202) 2 times, got once" in text
    assert f"> #1 POST /v1.0/{PROJECT}/backups -> 202\n" in text
    assert f"  #2 POST /v1.0/{PROJECT}/backups -> 422 unprocessableEntity: " in text


def test_assert_called_with_no_match_shows_what_was_called(
    mock: TroveMock, client: Client
) -> None:
    client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    with pytest.raises(AssertionError) as failure:
        mock.journal.assert_called("backups.create", status=202)
    text = str(failure.value)
    assert "expected backups.create (status=202) at least once, got 0 times" in text
    assert f"recorded requests:\n  #1 GET /v1.0/{PROJECT}/backups -> 200" in text


def test_assert_not_called_failure_lists_the_calls(mock: TroveMock, client: Client) -> None:
    client.delete(f"/v1.0/{PROJECT}/backups/nope", headers=TOKEN)
    with pytest.raises(AssertionError) as failure:
        mock.journal.assert_not_called("backups.delete")
    assert "expected no backups.delete, got once" in str(failure.value)
    assert "DELETE /v1.0/p1/backups/nope -> 404 itemNotFound" in str(failure.value)


def test_assertion_on_an_empty_journal_says_so() -> None:
    with pytest.raises(AssertionError, match="no requests were recorded"):
        Journal().assert_called("backups.list")


# -- control ----------------------------------------------------------------------------------
def test_clear_forgets_and_restarts_numbering(mock: TroveMock, client: Client) -> None:
    client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    mock.journal.clear()
    assert mock.journal.entries == []
    client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    assert [e.seq for e in mock.journal.entries] == [1]


def test_switched_off_records_nothing(mock: TroveMock, client: Client) -> None:
    mock.journal.enabled = False
    assert client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN).status_code == 200
    assert mock.journal.entries == []
    with pytest.raises(AssertionError, match="switched off"):
        mock.journal.assert_called("backups.list")
    mock.journal.enabled = True
    client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    assert len(mock.journal) == 1


def test_reset_clears_the_journal(mock: TroveMock, client: Client) -> None:
    client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN)
    mock.reset()
    assert mock.journal.entries == []


def test_the_journal_keeps_only_the_newest_entries() -> None:
    journal = Journal(max_entries=3)
    for n in range(5):
        journal.record(entry(path=f"/v1.0/p1/backups/{n}"))
    assert [(e.seq, e.path[-1]) for e in journal.entries] == [(3, "2"), (4, "3"), (5, "4")]
    assert journal.max_entries == 3
    with pytest.raises(ValueError, match="max_entries"):
        Journal(max_entries=0)


def test_recording_from_many_threads_loses_nothing() -> None:
    journal = Journal()

    def record_many() -> None:
        for _ in range(200):
            journal.record(entry())

    threads = [threading.Thread(target=record_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(e.seq for e in journal.entries) == list(range(1, 1601))


def test_the_journal_masks_passwords_where_the_client_still_gets_them() -> None:
    from werkzeug.test import Client

    from trovemock import TroveMock

    mock = TroveMock()
    client = Client(mock)
    instance = mock.add_instance("p1").id
    token = {"X-Auth-Token": "t"}
    users = {"users": [{"name": "app", "password": "user-secret", "databases": []}]}
    assert client.post(f"/v1.0/p1/instances/{instance}/users", json=users,
                       headers=token).status_code == 202
    root = client.post(f"/v1.0/p1/instances/{instance}/root", headers=token)
    assert root.status_code == 200
    assert root.json["user"]["password"] not in ("", "***")  # the client gets the password
    broken = b'{"users": [{"name": "b", "password": "text-secret"}'  # not valid JSON
    client.post(f"/v1.0/p1/instances/{instance}/users", data=broken, headers=token,
                content_type="application/json")
    shown = json.dumps(client.get("/_trovemock/journal").json)
    for secret in ("user-secret", "text-secret", root.json["user"]["password"]):
        assert secret not in shown
    assert shown.count('"***"') >= 3
    assert "user-secret" not in repr(mock.journal.entries)


def test_a_journal_entry_prints_as_one_line_and_unknown_filters_are_refused() -> None:
    from werkzeug.test import Client

    from trovemock import TroveMock

    mock = TroveMock()
    client = Client(mock)
    mock.faults.add(route="backups.list", status=503, message="maintenance")
    client.get("/v1.0/p1/backups", headers={"X-Auth-Token": "t"})
    assert str(mock.journal.latest) == (
        "#1 GET /v1.0/p1/backups -> 503 serviceUnavailable: maintenance [fault rule fault-1]"
    )
    with pytest.raises(ValueError, match="unknown route 'backup.list'; routes: .*backups.list"):
        mock.journal.assert_called("backup.list")
    assert len(mock.journal.assert_called("backups.list", times=1)) == 1
    answer = client.get("/_trovemock/journal?route=backup.list")
    assert answer.status_code == 400 and "backups.list" in answer.json["badRequest"]["message"]
    answer = client.get("/_trovemock/journal?status=5xx")
    assert answer.status_code == 400 and "status" in answer.json["badRequest"]["message"]
    assert len(client.get("/_trovemock/journal?status=503").json["journal"]) == 1
