"""Rule 5: parent_id must name a backup of the project; chains have no depth limit
(seed 001/002 "no limit to how many nested backups" step 11)."""

from __future__ import annotations

import sys

import pytest
from helpers import (
    DIALECTS,
    OTHER_PROJECT,
    Api,
    backup_body,
    backup_seconds,
    completed_backup,
    create_backup,
    fault_of,
    make,
    ok,
    random_id,
    seed_instance,
)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_unknown_parent_is_not_found(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    parent = random_id()
    resp = api.post("/backups", backup_body(instance, parent_id=parent))
    assert fault_of(resp, 404, "itemNotFound") == f"Resource {parent} cannot be found."
    assert ok(api.get("/backups"))["backups"] == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_another_projects_parent_is_not_found(dialect: str) -> None:
    mock, api, project = make(dialect)
    theirs = completed_backup(Api(mock, OTHER_PROJECT), seed_instance(mock, OTHER_PROJECT))
    instance = seed_instance(mock, project)
    resp = api.post("/backups", backup_body(instance, parent_id=theirs["id"]))
    assert fault_of(resp, 404, "itemNotFound") == f"Resource {theirs['id']} cannot be found."
    assert ok(api.get("/backups"))["backups"] == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_deleted_parent_is_not_found(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    parent = completed_backup(api, instance)
    assert api.delete(f"/backups/{parent['id']}").status_code == 202
    fault_of(api.post("/backups", backup_body(instance, parent_id=parent["id"])), 404,
             "itemNotFound")


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("parent", ["not-a-uuid", 7, ""])
def test_non_uuid_parent_is_a_bad_request(dialect: str, parent: object) -> None:
    mock, api, project = make(dialect)
    resp = api.post("/backups", backup_body(seed_instance(mock, project), parent_id=parent))
    fault_of(resp, 400, "badRequest")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_null_parent_is_a_bad_request(dialect: str) -> None:
    # trove-behavior.md rule 6 ("a non-UUID or null parent_id gives 400"). The rackspace seeds
    # send null only for `instance` (HA backups), never for parent_id.
    mock, api, project = make(dialect)
    parent = None
    resp = api.post("/backups", backup_body(seed_instance(mock, project), parent_id=parent))
    fault_of(resp, 400, "badRequest")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_valid_parent_is_echoed_and_may_belong_to_another_instance(dialect: str) -> None:
    mock, api, project = make(dialect)
    parent = completed_backup(api, seed_instance(mock, project))
    child = create_backup(api, seed_instance(mock, project), parent_id=parent["id"])
    assert child["parent_id"] == parent["id"]
    assert ok(api.get(f"/backups/{child['id']}"))["backup"]["parent_id"] == parent["id"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_5000_deep_chain_is_created_and_deleted_from_its_root(dialect: str) -> None:
    depth = 5000
    mock, api, project = make(dialect)
    mock.config.backup_quota = -1
    instance = seed_instance(mock, project)
    step = backup_seconds(mock) + 1
    limit_before = sys.getrecursionlimit()

    ids: list[str] = []
    parent = None
    for i in range(depth):
        fields = {"parent_id": parent} if parent else {}
        resp = api.post("/backups", backup_body(instance, f"b{i}", **fields))
        assert resp.status_code == 202, (i, resp.get_data(as_text=True))
        parent = resp.get_json()["backup"]["id"]
        ids.append(parent)
        mock.clock.advance(step)

    deepest = ok(api.get(f"/backups/{ids[-1]}"))["backup"]
    assert deepest["parent_id"] == ids[-2]
    assert deepest["status"] == "COMPLETED"
    assert len(mock.backups(project)) == depth

    resp = api.delete(f"/backups/{ids[0]}")
    assert resp.status_code == 202, resp.get_data(as_text=True)[:500]
    assert resp.get_data() == b""
    assert sys.getrecursionlimit() == limit_before
    assert ok(api.get("/backups"))["backups"] == []
    assert mock.backups(project) == []
    for backup_id in (ids[1], ids[depth // 2], ids[-1]):
        fault_of(api.get(f"/backups/{backup_id}"), 404, "itemNotFound")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_deleting_the_middle_of_a_chain_keeps_its_ancestors(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    chain = [completed_backup(api, instance, "c0")]
    for i in range(1, 5):
        chain.append(completed_backup(api, instance, f"c{i}", parent_id=chain[-1]["id"]))
    assert api.delete(f"/backups/{chain[2]['id']}").status_code == 202
    remaining = {b["id"] for b in ok(api.get("/backups"))["backups"]}
    assert remaining == {chain[0]["id"], chain[1]["id"]}
