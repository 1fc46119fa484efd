"""Rule 9: backup quota per project, 50 by default ."""

from __future__ import annotations

import pytest
from helpers import (
    DIALECTS,
    OTHER_PROJECT,
    Api,
    backup_body,
    completed_backup,
    create_backup,
    fault_of,
    list_ids,
    make,
    seed_instance,
)

QUOTA_MESSAGE = "Quota exceeded for resources: ['backups']."


def _fill(api: Api, instance: str, count: int) -> list[str]:
    return [completed_backup(api, instance, f"b{i}")["id"] for i in range(count)]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_51st_backup_is_over_the_default_quota(dialect: str) -> None:
    mock, api, project = make(dialect)
    assert mock.config.backup_quota == 50
    instance = seed_instance(mock, project)
    ids = _fill(api, instance, 50)
    message = fault_of(api.post("/backups", backup_body(instance, "b50")), 413, "overLimit")
    if dialect == "openstack":
        assert message == QUOTA_MESSAGE
    else:
        assert message.startswith("Quota exceeded"), message
    assert len(list_ids(api)) == 50
    # A delete frees one slot at once.
    assert api.delete(f"/backups/{ids[0]}").status_code == 202
    completed_backup(api, instance, "b50")
    fault_of(api.post("/backups", backup_body(instance, "b51")), 413, "overLimit")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_quota_is_configurable_and_per_project(dialect: str) -> None:
    mock, api, project = make(dialect)
    mock.config.backup_quota = 2
    instance = seed_instance(mock, project)
    _fill(api, instance, 2)
    fault_of(api.post("/backups", backup_body(instance)), 413, "overLimit")
    other = Api(mock, OTHER_PROJECT)
    completed_backup(other, seed_instance(mock, OTHER_PROJECT))
    mock.config.backup_quota = 3
    create_backup(api, instance)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_cascade_delete_frees_every_deleted_backup(dialect: str) -> None:
    mock, api, project = make(dialect)
    mock.config.backup_quota = 3
    instance = seed_instance(mock, project)
    root = completed_backup(api, instance, "root")
    child = completed_backup(api, instance, "child", parent_id=root["id"])
    completed_backup(api, instance, "grandchild", parent_id=child["id"])
    fault_of(api.post("/backups", backup_body(instance)), 413, "overLimit")
    assert api.delete(f"/backups/{root['id']}").status_code == 202
    for i in range(3):
        completed_backup(api, instance, f"again{i}")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_negative_quota_is_unlimited(dialect: str) -> None:
    mock, api, project = make(dialect)
    mock.config.backup_quota = -1
    _fill(api, seed_instance(mock, project), 55)
    assert len(list_ids(api)) == 55


@pytest.mark.parametrize("dialect", DIALECTS)
def test_failed_backups_count_toward_the_quota(dialect: str) -> None:
    mock, api, project = make(dialect)
    mock.config.backup_quota = 1
    instance = seed_instance(mock, project)
    failed = create_backup(api, instance)
    mock.fail(failed["id"])
    fault_of(api.post("/backups", backup_body(instance)), 413, "overLimit")


def test_openstack_restore_from_counts_toward_the_quota() -> None:
    mock, api, project = make("openstack")
    mock.config.backup_quota = 2
    instance = seed_instance(mock, project)
    version_id = completed_backup(api, instance)["datastore"]["version_id"]
    body = {"backup": {"name": "remote", "restore_from": {
        "remote_location": "http://swift/c/o", "local_datastore_version_id": version_id,
        "size": 1}}}
    assert api.post("/backups", body).status_code == 202
    assert fault_of(api.post("/backups", body), 413, "overLimit") == QUOTA_MESSAGE
    fault_of(api.post("/backups", backup_body(instance)), 413, "overLimit")
