"""The Python API's seeding and state calls: clear errors for bad arguments."""

from __future__ import annotations

import json

import pytest
from werkzeug.test import Client

from trovemock import Config, ManualClock, TroveMock
from trovemock.model.errors import NotFound

TOKEN = {"X-Auth-Token": "t"}


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"status": "WEIRD"}, "status must be one of"),
        ({"id": "inst-1"}, "must be a UUID"),
        ({"flavor_id": "99"}, "flavor_id must be one of 1, 2"),
        ({"volume_size": 0}, "volume_size"),
        ({"datastore": "mysql"}, "datastore must be"),
        ({"databases": "shop"}, "lists of names"),
    ],
)
def test_add_instance_rejects_bad_arguments(kwargs: dict, words: str) -> None:
    mock = TroveMock()
    with pytest.raises(ValueError, match=words):
        mock.add_instance("p", **kwargs)
    assert mock.instances() == []


def test_add_instance_refuses_a_duplicate_id_and_an_unknown_region() -> None:
    mock = TroveMock("rackspace")
    inst = mock.add_instance("p", region="ord")
    assert inst.region == "ORD"
    with pytest.raises(ValueError, match="already exists"):
        mock.add_instance("p", id=inst.id)
    with pytest.raises(NotFound, match="^Region MARS cannot be found.$"):
        mock.add_instance("p", region="MARS")


def test_seeded_build_instance_becomes_active_and_others_keep_their_status() -> None:
    mock = TroveMock(config=Config(instance_build_seconds=3))
    building = mock.add_instance("p", status="BUILD")
    broken = mock.add_instance("p", status="ERROR")
    mock.clock.advance(3)
    assert mock.instance_status(building.id) == "ACTIVE"
    assert mock.instance_status(broken.id) == "ERROR"
    resp = Client(mock).post(
        "/v1.0/p/backups", json={"backup": {"name": "n", "instance": broken.id}}, headers=TOKEN
    )
    assert resp.status_code == 422
    assert resp.json["unprocessableEntity"]["message"].endswith("(instance status was ERROR).")


def test_reset_empties_the_cloud_but_keeps_clock_and_config() -> None:
    mock = TroveMock(clock=ManualClock("2030-01-01T00:00:00"))
    mock.config.backup_quota = 3
    mock.add_instance("p")
    mock.add_token("secret", "p")
    mock.clock.advance(60)
    mock.reset()
    assert mock.instances() == [] and mock.backups() == []
    assert len(mock.tokens) == 0
    assert mock.config.backup_quota == 3
    assert mock.clock.now().isoformat() == "2030-01-01T00:01:00"


def test_export_import_round_trip_gives_the_same_answers() -> None:
    mock = TroveMock("rackspace")
    api = Client(mock)
    inst = mock.add_instance("p", databases=["shop"], users={"app": ["shop"]})
    first = api.post(
        "/v1.0/p/backups",
        json={"backup": {"name": "a", "instance": inst.id, "copy_to": ["IAD"]}},
        headers=TOKEN,
    ).json["backup"]
    mock.clock.advance(6)
    api.post(
        "/v1.0/p/backups",
        json={"backup": {"name": "b", "instance": inst.id, "parent_id": first["id"]}},
        headers=TOKEN,
    )
    state = json.loads(json.dumps(mock.export_state()))
    before = [api.get(f"{p}/v1.0/p/backups", headers=TOKEN).json for p in ("", "/regions/IAD")]

    other = TroveMock("rackspace", clock=ManualClock(mock.clock.now()))
    other.import_state(state)
    again = Client(other)
    after = [again.get(f"{p}/v1.0/p/backups", headers=TOKEN).json for p in ("", "/regions/IAD")]
    assert after == before
    # In-flight work resumes: both clouds finish the same way.
    mock.clock.advance(20)
    other.clock.advance(20)
    assert [b.status for b in other.backups()] == [b.status for b in mock.backups()]
    assert other.instance(inst.id).users == {"app": ("shop",)}


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda s: s.update(dialect="openstack"), "dialect"),
        (lambda s: s["backups"][0].update(status="SAVED"), "status"),
        (lambda s: s["instances"][0].pop("created"), "created"),
        (lambda s: s["instances"][0].update(region="MARS"), "region"),
        (lambda s: s.update(backups="nope"), "backups"),
    ],
)
def test_a_malformed_import_changes_nothing(mutate, words: str) -> None:
    mock = TroveMock("rackspace")
    inst = mock.add_instance("p")
    Client(mock).post(
        "/v1.0/p/backups", json={"backup": {"name": "a", "instance": inst.id}}, headers=TOKEN
    )
    state = mock.export_state()
    bad = json.loads(json.dumps(state))
    mutate(bad)
    with pytest.raises(ValueError, match=words):
        mock.import_state(bad)
    assert mock.export_state() == state


def test_tokens_kept_on_reset_survive_it_and_others_do_not() -> None:
    mock = TroveMock()
    mock.add_token("admin-secret", None, ["admin"], keep_on_reset=True)
    mock.add_token("per-test", "p")
    mock.reset()
    assert set(mock.tokens) == {"admin-secret"}
    listed = Client(mock).get(
        "/v1.0/p/backups?all_projects=true", headers={"X-Auth-Token": "admin-secret"}
    )
    assert listed.status_code == 200


@pytest.mark.parametrize("users", [[("u1", ("db1",))], {"u1": [7]}, [""]])
def test_add_instance_rejects_malformed_users(users) -> None:
    mock = TroveMock()
    with pytest.raises(ValueError, match="users"):
        mock.add_instance("p", databases=["db1"], users=users)
