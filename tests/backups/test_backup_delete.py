"""Rule 6: DELETE /backups/{id} (seed 002 "Delete backup")."""

from __future__ import annotations

import pytest
from helpers import (
    DIALECTS,
    OTHER_PROJECT,
    Api,
    completed_backup,
    create_backup,
    fault_of,
    finish_backups,
    get_backup,
    list_ids,
    make,
    ok,
    random_id,
    seed_instance,
)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_delete_answers_202_with_an_empty_body_and_the_backup_is_gone(dialect: str) -> None:
    mock, api, project = make(dialect)
    backup = completed_backup(api, seed_instance(mock, project))
    resp = api.delete(f"/backups/{backup['id']}")
    assert resp.status_code == 202
    assert resp.get_data() == b""
    message = fault_of(api.get(f"/backups/{backup['id']}"), 404, "itemNotFound")
    assert message == f"Resource {backup['id']} cannot be found."
    assert ok(api.get("/backups"))["backups"] == []
    fault_of(api.delete(f"/backups/{backup['id']}"), 404, "itemNotFound")


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("advance", [0.0, "building"])
def test_running_backup_cannot_be_deleted(dialect: str, advance) -> None:
    mock, api, project = make(dialect)
    backup = create_backup(api, seed_instance(mock, project))
    if advance == "building":
        mock.clock.advance(mock.config.backup_new_seconds + 0.5)
    status = get_backup(api, backup["id"])["status"]
    message = fault_of(api.delete(f"/backups/{backup['id']}"), 422, "unprocessableEntity")
    assert backup["id"] in message
    assert get_backup(api, backup["id"])["status"] == status
    finish_backups(mock)
    assert api.delete(f"/backups/{backup['id']}").status_code == 202


def test_openstack_running_delete_has_the_upstream_message() -> None:
    mock, api, project = make("openstack")
    backup = create_backup(api, seed_instance(mock, project))
    message = fault_of(api.delete(f"/backups/{backup['id']}"), 422, "unprocessableEntity")
    assert message == f"Backup {backup['id']} cannot be deleted because it is running."


@pytest.mark.parametrize("dialect", DIALECTS)
def test_failed_backup_can_be_deleted(dialect: str) -> None:
    mock, api, project = make(dialect)
    backup = create_backup(api, seed_instance(mock, project))
    mock.fail(backup["id"])
    assert api.delete(f"/backups/{backup['id']}").status_code == 202
    fault_of(api.get(f"/backups/{backup['id']}"), 404, "itemNotFound")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_unknown_or_other_projects_backup_is_not_found(dialect: str) -> None:
    mock, api, _ = make(dialect)
    theirs = completed_backup(Api(mock, OTHER_PROJECT), seed_instance(mock, OTHER_PROJECT))
    missing = random_id()
    assert fault_of(api.delete(f"/backups/{missing}"), 404, "itemNotFound") == (
        f"Resource {missing} cannot be found.")
    fault_of(api.delete(f"/backups/{theirs['id']}"), 404, "itemNotFound")
    fault_of(api.get(f"/backups/{theirs['id']}"), 404, "itemNotFound")
    fault_of(api.get("/backups/not-a-uuid"), 404, "itemNotFound")
    assert get_backup(Api(mock, OTHER_PROJECT), theirs["id"])["id"] == theirs["id"]


def _tree(api: Api, instance: str) -> dict[str, str]:
    """root -> a -> a1, root -> b; plus an unrelated full backup."""
    ids: dict[str, str] = {}
    ids["root"] = completed_backup(api, instance, "root")["id"]
    ids["a"] = completed_backup(api, instance, "a", parent_id=ids["root"])["id"]
    ids["a1"] = completed_backup(api, instance, "a1", parent_id=ids["a"])["id"]
    ids["b"] = completed_backup(api, instance, "b", parent_id=ids["root"])["id"]
    ids["other"] = completed_backup(api, instance, "other")["id"]
    return ids


@pytest.mark.parametrize("dialect", DIALECTS)
def test_delete_cascades_to_every_descendant(dialect: str) -> None:
    mock, api, project = make(dialect)
    ids = _tree(api, seed_instance(mock, project))
    assert api.delete(f"/backups/{ids['root']}").status_code == 202
    for key in ("root", "a", "a1", "b"):
        fault_of(api.get(f"/backups/{ids[key]}"), 404, "itemNotFound")
    assert list_ids(api) == [ids["other"]]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_running_descendant_blocks_the_delete_and_nothing_is_deleted(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    ids = _tree(api, instance)
    running = create_backup(api, instance, "a2", parent_id=ids["a1"])
    before = sorted(list_ids(api))
    message = fault_of(api.delete(f"/backups/{ids['root']}"), 422, "unprocessableEntity")
    assert running["id"] in message
    assert sorted(list_ids(api)) == before
    for backup_id in before:
        assert get_backup(api, backup_id)["id"] == backup_id
    finish_backups(mock)
    assert api.delete(f"/backups/{ids['root']}").status_code == 202
    assert list_ids(api) == [ids["other"]]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_backups_survive_the_deletion_of_their_instance(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    backup = completed_backup(api, instance)
    resp = api.delete(f"/instances/{instance}")
    assert resp.status_code == 202
    mock.clock.advance(3600)
    fault_of(api.get(f"/instances/{instance}"), 404, "itemNotFound")
    kept = get_backup(api, backup["id"])
    assert kept["status"] == "COMPLETED"
    assert kept["instance_id"] == instance
    assert list_ids(api) == [backup["id"]]
    assert api.delete(f"/backups/{backup['id']}").status_code == 202


@pytest.mark.parametrize("dialect", DIALECTS)
def test_deleting_one_backup_leaves_the_others_untouched(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    keep = completed_backup(api, instance, "keep")
    drop = completed_backup(api, instance, "drop")
    assert api.delete(f"/backups/{drop['id']}").status_code == 202
    assert list_ids(api) == [keep["id"]]
    assert get_backup(api, keep["id"]) == keep
