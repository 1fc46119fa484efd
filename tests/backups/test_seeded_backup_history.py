"""Seeded history: `mock.add_backup(...)` and `POST /_trovemock/backups` make backups at
chosen times in the past, with their statuses, parents, sizes and regions, through the
API's own rules, and lists show them where the API would."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from helpers import Api, make, ok, restore_body

from trovemock import TroveMock

PROJECT = "p1"


def listed(api: Api) -> list[tuple[str, str]]:
    return [(b["name"], b["status"]) for b in ok(api.get("/backups"))["backups"]]


def test_seeded_backups_carry_their_times_status_parent_and_size() -> None:
    mock, api, _ = make("openstack")
    instance = mock.add_instance(PROJECT).id
    full = mock.add_backup(PROJECT, instance_id=instance, name="sunday",
                           created="2014-02-09T02:00:00", updated="2014-02-09T02:20:00",
                           size=3.5)
    inc = mock.add_backup(PROJECT, instance_id=instance, name="monday",
                          created=datetime(2014, 2, 10, 2, 0), parent_id=full.id)
    shown = ok(api.get(f"/backups/{inc.id}"))["backup"]
    assert (shown["created"], shown["updated"], shown["parent_id"], shown["status"]) == (
        "2014-02-10T02:00:00", "2014-02-10T02:00:00", full.id, "COMPLETED")
    first = ok(api.get(f"/backups/{full.id}"))["backup"]
    assert (first["size"], first["updated"]) == (3.5, "2014-02-09T02:20:00")
    # restoring from the seeded incremental works as for any completed backup
    assert api.post("/instances", restore_body(inc.id)).status_code == 200


def test_lists_place_seeded_history_by_when_it_was_updated() -> None:
    mock, api, _ = make("openstack")
    instance = mock.add_instance(PROJECT).id
    mock.add_backup(PROJECT, instance_id=instance, name="b", created="2014-02-05T00:00:00")
    mock.add_backup(PROJECT, instance_id=instance, name="c", created="2014-02-12T00:00:00",
                    status="FAILED")
    mock.add_backup(PROJECT, instance_id=instance, name="a", created="2014-02-01T00:00:00")
    assert listed(api) == [("c", "FAILED"), ("b", "COMPLETED"), ("a", "COMPLETED")]
    assert [b.name for b in mock.backups(PROJECT)] == ["c", "b", "a"]


def test_the_apis_rules_apply_to_seeded_history() -> None:
    mock = TroveMock()
    instance = mock.add_instance(PROJECT).id
    with pytest.raises(ValueError, match="cannot be found"):
        mock.add_backup(PROJECT, instance_id="00000000-0000-4000-8000-000000000000")
    with pytest.raises(ValueError, match="cannot be found"):
        mock.add_backup("p2", instance_id=instance)  # another project's instance
    with pytest.raises(ValueError, match="in the future"):
        mock.add_backup(PROJECT, instance_id=instance,
                        created=mock.clock.now() + timedelta(seconds=1))
    with pytest.raises(ValueError, match="between created"):
        mock.add_backup(PROJECT, instance_id=instance, created="2014-02-10T00:00:00",
                        updated="2014-02-09T00:00:00")
    older = mock.add_backup(PROJECT, instance_id=instance, created="2014-02-10T00:00:00")
    with pytest.raises(ValueError, match="after 2014-02-01"):
        mock.add_backup(PROJECT, instance_id=instance, created="2014-02-01T00:00:00",
                        parent_id=older.id)
    mock.add_backup(PROJECT, instance_id=instance, status="BUILDING")
    with pytest.raises(ValueError, match="not currently available"):  # one running at a time
        mock.add_backup(PROJECT, instance_id=instance, status="NEW")
    with pytest.raises(ValueError, match="status"):
        mock.add_backup(PROJECT, instance_id=instance, status="DONE")
    assert len(mock.backups(PROJECT)) == 2  # nothing refused was stored


def test_seeded_history_counts_against_the_quota() -> None:
    mock = TroveMock()
    mock.config.backup_quota = 2
    instance = mock.add_instance(PROJECT).id
    for day in (1, 2):
        mock.add_backup(PROJECT, instance_id=instance, created=f"2014-02-0{day}T00:00:00")
    with pytest.raises(ValueError, match="[Qq]uota"):
        mock.add_backup(PROJECT, instance_id=instance, created="2014-02-03T00:00:00")


def test_rackspace_regions_and_the_control_api() -> None:
    mock, api, _ = make("rackspace")
    instance = mock.add_instance(PROJECT, region="ORD").id
    answer = api.raw.post("/_trovemock/backups", json={
        "project_id": PROJECT, "instance_id": instance, "region": "ORD", "name": "weekly",
        "created": "2014-02-02T03:00:00", "status": "COMPLETED", "size": 1.25})
    assert answer.status_code == 201
    seeded = answer.get_json()["backup"]
    assert (seeded["region"], seeded["size"], seeded["created"]) == (
        "ORD", 1.25, "2014-02-02T03:00:00")
    in_ord = api.raw.get(f"/regions/ORD/v1.0/{PROJECT}/backups/{seeded['id']}",
                         headers={"X-Auth-Token": "t"})
    assert in_ord.status_code == 200 and in_ord.json["backup"]["name"] == "weekly"
    assert api.get(f"/backups/{seeded['id']}").status_code == 404  # not in DFW
    for bad, named in (({"instance_id": instance}, "project_id"),
                       ({"project_id": PROJECT}, "instance_id"),
                       ({"project_id": PROJECT, "instance_id": instance,
                         "created": "yesterday"}, "created"),
                       ({"project_id": PROJECT, "instance_id": instance, "colour": 1},
                        "colour")):
        refused = api.raw.post("/_trovemock/backups", json=bad)
        assert refused.status_code == 400 and named in refused.get_data(as_text=True)
    assert len(mock.backups(PROJECT)) == 1
