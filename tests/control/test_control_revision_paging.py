"""Control API additions for clients that poll (the dashboard, scripts): the root's facts
and revision, journal paging, one journal entry, and the fault RNG's seed."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from trovemock import ManualClock, SystemClock, TroveMock

PROJECT = "p1"
INSTANCE = "11111111-2222-3333-4444-555555555555"
TOKEN = {"X-Auth-Token": "tok"}


@pytest.fixture
def mock() -> TroveMock:
    return TroveMock(dialect="openstack", clock=ManualClock("2030-01-01T00:00:00"))


@pytest.fixture
def client(mock: TroveMock) -> Client:
    answer = Client(mock).post(
        "/_trovemock/instances", json={"project_id": PROJECT, "id": INSTANCE}
    )
    assert answer.status_code == 201
    return Client(mock)


def revision(client: Client) -> int:
    return client.get("/_trovemock/").get_json()["revision"]


def list_backups(client: Client) -> None:
    assert client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN).status_code == 200


def bad_request_message(answer) -> str:
    assert answer.status_code == 400
    assert answer.content_type == "application/json"
    return answer.get_json()["badRequest"]["message"]


# --- the root ---------------------------------------------------------------------------------


def test_root_names_version_dialect_fidelity_and_clock(client: Client) -> None:
    body = client.get("/_trovemock/").get_json()
    assert body["dialect"] == "openstack"
    assert body["fidelity"] == "documented"
    assert body["version"] == "0.1.0"
    assert body["clock"] == {"now": "2030-01-01T00:00:00", "manual": True, "next_due": None}
    assert body["regions"] == ["RegionOne"]
    assert "backups.create" in body["routes"] and "backups.list" in body["routes"]
    assert "GET /_trovemock/journal/<seq>" in body["endpoints"]


def test_root_of_a_system_clock_cloud_says_it_is_not_manual() -> None:
    body = Client(TroveMock(clock=SystemClock())).get("/_trovemock/").get_json()
    assert body["clock"]["manual"] is False


def test_revision_stays_while_only_control_reads_happen(client: Client) -> None:
    before = revision(client)
    client.get("/_trovemock/journal")
    client.get("/_trovemock/state")
    assert revision(client) == before


def test_revision_moves_on_a_trove_request(client: Client) -> None:
    before = revision(client)
    list_backups(client)
    assert revision(client) > before


def test_revision_moves_on_a_control_change_and_a_refused_one(client: Client) -> None:
    before = revision(client)
    client.post("/_trovemock/faults", json={"route": "backups.create", "status": 503})
    after_add = revision(client)
    assert after_add > before
    client.post("/_trovemock/faults", json={"nonsense": 1})  # 400: reached the emulator
    assert revision(client) > after_add


def test_revision_moves_when_the_clock_moves_from_python(mock: TroveMock, client: Client) -> None:
    before = revision(client)
    assert isinstance(mock.clock, ManualClock)
    mock.clock.advance(5)
    assert revision(client) > before


def test_revision_moves_on_every_read_of_a_system_clock() -> None:
    client = Client(TroveMock(clock=SystemClock()))
    first = revision(client)
    seen = {revision(client) for _ in range(3)}
    # the system clock moves between reads (microseconds), which may change what is shown
    assert max(seen) > first


# --- journal paging ---------------------------------------------------------------------------


def seqs(answer) -> list[int]:
    assert answer.status_code == 200, answer.get_json()
    return [entry["seq"] for entry in answer.get_json()["journal"]]


def test_journal_since_returns_only_newer_entries(client: Client) -> None:
    for _ in range(5):
        list_backups(client)
    assert seqs(client.get("/_trovemock/journal")) == [1, 2, 3, 4, 5]
    assert seqs(client.get("/_trovemock/journal?since=3")) == [4, 5]
    assert seqs(client.get("/_trovemock/journal?since=5")) == []


def test_journal_limit_pages_from_the_oldest(client: Client) -> None:
    for _ in range(5):
        list_backups(client)
    assert seqs(client.get("/_trovemock/journal?limit=2")) == [1, 2]
    assert seqs(client.get("/_trovemock/journal?since=2&limit=2")) == [3, 4]
    assert seqs(client.get("/_trovemock/journal?since=4&limit=2")) == [5]


def test_journal_paging_combines_with_filters(client: Client) -> None:
    list_backups(client)
    client.get(f"/v1.0/{PROJECT}/backups/nope", headers=TOKEN)  # 404
    list_backups(client)
    assert seqs(client.get("/_trovemock/journal?status=200&since=1")) == [3]
    assert seqs(client.get("/_trovemock/journal?status=200&limit=1")) == [1]


def test_root_tells_the_journal_range(client: Client) -> None:
    list_backups(client)
    list_backups(client)
    assert client.get("/_trovemock/").get_json()["journal"] == {
        "count": 2, "first_seq": 1, "last_seq": 2,
    }


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("since=-1", "since must be a whole number from 0"),
        ("since=abc", "since must be a whole number from 0"),
        ("limit=0", "limit must be a whole number from 1 to 10000"),
        ("limit=10001", "limit must be a whole number from 1 to 10000"),
        ("limit=1.5", "limit must be a whole number from 1 to 10000"),
        ("page=2", "allowed: method, route, status, project_id, region, kind, delivery, since, "
                   "limit"),
    ],
)
def test_bad_paging_parameters_are_400s_naming_the_valid_values(
    client: Client, query: str, named: str
) -> None:
    assert named in bad_request_message(client.get(f"/_trovemock/journal?{query}"))


def test_one_journal_entry_by_sequence_number(client: Client) -> None:
    list_backups(client)
    client.get(f"/v1.0/{PROJECT}/backups/nope", headers=TOKEN)
    answer = client.get("/_trovemock/journal/2")
    assert answer.status_code == 200
    entry = answer.get_json()["entry"]
    assert entry["seq"] == 2
    assert entry["status"] == 404
    assert entry["headers"]["X-Auth-Token"] == "***"


def test_an_unknown_journal_entry_is_404_and_a_bad_number_400(client: Client) -> None:
    answer = client.get("/_trovemock/journal/7")
    assert answer.status_code == 404
    assert "Journal entry 7 cannot be found" in answer.get_json()["itemNotFound"]["message"]
    assert "sequence number" in bad_request_message(client.get("/_trovemock/journal/x"))


# --- the fault RNG's seed ---------------------------------------------------------------------


def fired_pattern(client: Client) -> list[int]:
    """Which of 12 list calls a probability-0.5 rule answers."""
    client.delete("/_trovemock/faults")
    add = client.post(
        "/_trovemock/faults",
        json={"route": "backups.list", "status": 503, "probability": 0.5},
    )
    assert add.status_code == 201, add.get_json()
    return [
        client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN).status_code for _ in range(12)
    ]


def test_fault_seed_repeats_the_probability_draws(client: Client) -> None:
    assert client.post("/_trovemock/faults/seed", json={"seed": 42}).get_json() == {"seed": 42}
    first = fired_pattern(client)
    client.post("/_trovemock/faults/seed", json={"seed": 42})
    assert fired_pattern(client) == first
    assert {200, 503} <= set(first)  # both outcomes occur, so the comparison means something
    assert client.get("/_trovemock/faults/seed").get_json() == {"seed": 42}


def test_a_different_fault_seed_draws_differently(client: Client) -> None:
    client.post("/_trovemock/faults/seed", json={"seed": 1})
    one = fired_pattern(client)
    client.post("/_trovemock/faults/seed", json={"seed": 2})
    assert fired_pattern(client) != one


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({}, "'seed' is required"),
        ({"seed": "7"}, "'seed' must be an integer or null"),
        ({"seed": True}, "'seed' must be an integer or null"),
        ({"seed": 1, "other": 2}, "other"),
    ],
)
def test_bad_fault_seeds_are_400s(client: Client, body: dict, named: str) -> None:
    assert named in bad_request_message(client.post("/_trovemock/faults/seed", json=body))
