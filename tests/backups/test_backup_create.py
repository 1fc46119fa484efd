"""Backup create: rule 2 (the instance), the backup view of each dialect, and the
dialect-only create fields (seeds 001/002/004)."""

from __future__ import annotations

import pytest
from helpers import (
    DIALECTS,
    OPENSTACK_BACKUP_KEYS,
    OTHER_PROJECT,
    RACKSPACE_BACKUP_KEYS,
    TIMESTAMP,
    backup_body,
    completed_backup,
    create_backup,
    fault_of,
    finish_backups,
    get_backup,
    make,
    ok,
    random_id,
    seed_instance,
)

# --- rule 2: the instance -----------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
def test_missing_instance_is_a_bad_request(dialect: str) -> None:
    mock, api, _ = make(dialect)
    resp = api.post("/backups", backup_body(None))
    assert fault_of(resp, 400, "badRequest") == "instance is missing."
    assert ok(api.get("/backups"))["backups"] == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_unknown_instance_is_not_found(dialect: str) -> None:
    _, api, _ = make(dialect)
    missing = random_id()
    resp = api.post("/backups", backup_body(missing))
    assert fault_of(resp, 404, "itemNotFound") == f"Resource {missing} cannot be found."


@pytest.mark.parametrize("dialect", DIALECTS)
def test_another_projects_instance_is_not_found(dialect: str) -> None:
    mock, api, _ = make(dialect)
    theirs = seed_instance(mock, OTHER_PROJECT)
    resp = api.post("/backups", backup_body(theirs))
    assert fault_of(resp, 404, "itemNotFound") == f"Resource {theirs} cannot be found."
    assert mock.backups() == []


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("instance", ["invalid-inst-id", None, 12, "http://x/instances/1"])
def test_non_uuid_instance_is_a_bad_request(dialect: str, instance: object) -> None:
    _, api, _ = make(dialect)
    resp = api.post("/backups", {"backup": {"name": "n", "instance": instance}})
    fault_of(resp, 400, "badRequest")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_instance_that_is_not_active_refuses_a_backup(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project, status="BUILD")
    resp = api.post("/backups", backup_body(instance))
    message = fault_of(resp, 422, "unprocessableEntity")
    assert instance in message and "BUILD" in message, message


# --- the created backup --------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
def test_create_answers_202_with_a_new_backup(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project, datastore=("mysql", "5.7"))
    resp = api.post("/backups", backup_body(instance, name="snapshot", description="My Backup"))
    backup = ok(resp, 202)["backup"]
    assert backup["name"] == "snapshot"
    assert backup["description"] == "My Backup"
    assert backup["status"] == "NEW"
    assert backup["size"] is None
    assert backup["locationRef"] is None
    assert backup["parent_id"] is None
    assert backup["instance_id"] == instance
    assert TIMESTAMP.match(backup["created"]) and TIMESTAMP.match(backup["updated"])
    assert backup["created"] == backup["updated"] == mock.clock.now().strftime("%Y-%m-%dT%H:%M:%S")
    assert backup["datastore"]["type"] == "mysql"
    assert backup["datastore"]["version"] == "5.7"
    assert isinstance(backup["datastore"]["version_id"], str) and backup["datastore"]["version_id"]
    assert get_backup(api, backup["id"]) == backup


@pytest.mark.parametrize("dialect", DIALECTS)
def test_description_defaults_to_null(dialect: str) -> None:
    mock, api, project = make(dialect)
    assert create_backup(api, seed_instance(mock, project))["description"] is None


def test_openstack_view_has_exactly_the_upstream_keys() -> None:
    mock, api, project = make("openstack")
    backup = create_backup(api, seed_instance(mock, project))
    assert set(backup) == OPENSTACK_BACKUP_KEYS
    assert backup["project_id"] == project
    assert set(backup["datastore"]) == {"type", "version", "version_id"}
    listed = ok(api.get("/backups"))["backups"][0]
    assert set(listed) == OPENSTACK_BACKUP_KEYS


def test_rackspace_view_has_the_rackspace_keys_and_no_project_id() -> None:
    mock, api, project = make("rackspace")
    instance = seed_instance(mock, project, volume_size=3, flavor_id="1")
    backup = create_backup(api, instance)
    assert set(backup) == RACKSPACE_BACKUP_KEYS
    assert "project_id" not in backup
    assert backup["is_automated"] in (0, False)
    assert backup["source"] == {"type": "instance", "id": instance}
    assert backup["type"] == "InnoBackupEx"
    assert backup["volume_size"] == 3
    flavor = ok(api.get("/flavors/1"))["flavor"]
    assert backup["flavor_ram"] == flavor["ram"]
    assert isinstance(backup["flavor_ram"], int) and backup["flavor_ram"] > 0
    listed = ok(api.get("/backups"))["backups"][0]
    assert set(listed) == RACKSPACE_BACKUP_KEYS


def test_rackspace_incremental_has_the_incremental_type() -> None:
    mock, api, project = make("rackspace")
    instance = seed_instance(mock, project)
    parent = completed_backup(api, instance)
    child = create_backup(api, instance, parent_id=parent["id"])
    assert child["parent_id"] == parent["id"]
    assert child["type"] == "InnoBackupExIncremental"
    assert get_backup(api, parent["id"])["type"] == "InnoBackupEx"


def test_rackspace_location_ref_lives_in_the_backups_container() -> None:
    mock, api, project = make("rackspace")
    backup = completed_backup(api, seed_instance(mock, project))
    assert backup["locationRef"].endswith(f"z_CLOUDDB_BACKUPS/{backup['id']}.xbstream.gz")


def test_rackspace_accepts_incremental_zero_as_troveclient_sends_it() -> None:
    mock, api, project = make("rackspace")
    instance = seed_instance(mock, project)
    backup = create_backup(api, instance, incremental=0, description="desc")
    assert backup["parent_id"] is None
    assert backup["type"] == "InnoBackupEx"


# --- openstack-only create fields -----------------------------------------------------------


def test_openstack_unknown_keys_are_ignored() -> None:
    mock, api, project = make("openstack")
    instance = seed_instance(mock, project)
    body = backup_body(instance, storage_driver="swift", whatever=1)
    body["extra"] = True
    backup = ok(api.post("/backups", body), 202)["backup"]
    assert "storage_driver" not in backup and "whatever" not in backup


def test_openstack_incremental_without_completed_backup_is_a_full_backup() -> None:
    mock, api, project = make("openstack")
    instance = seed_instance(mock, project)
    assert create_backup(api, instance, incremental=1)["parent_id"] is None


def test_openstack_incremental_picks_the_newest_completed_backup_of_the_instance() -> None:
    mock, api, project = make("openstack")
    instance = seed_instance(mock, project)
    other = seed_instance(mock, project)
    full = completed_backup(api, instance, "full")
    inc1 = completed_backup(api, instance, "inc1", incremental=1)
    assert inc1["parent_id"] == full["id"]
    elsewhere = completed_backup(api, other, "elsewhere")  # newer, but of another instance
    inc2 = create_backup(api, instance, "inc2", incremental=1)
    assert inc2["parent_id"] == inc1["id"]
    finish_backups(mock)
    inc3 = create_backup(api, other, "inc3", incremental=1)
    assert inc3["parent_id"] == elsewhere["id"]


def test_openstack_incremental_skips_a_failed_newest_backup() -> None:
    mock, api, project = make("openstack")
    instance = seed_instance(mock, project)
    full = completed_backup(api, instance, "full")
    failed = create_backup(api, instance, "broken")
    mock.fail(failed["id"])
    assert get_backup(api, failed["id"])["status"] == "FAILED"
    assert create_backup(api, instance, "inc", incremental=1)["parent_id"] == full["id"]


@pytest.mark.parametrize(("page_size", "parent"), [(3, None), (4, "full")])
def test_openstack_incremental_looks_for_its_parent_on_the_first_page_only(
    page_size: int, parent: str | None
) -> None:
    # Trove's get_last_completed reads the instance's first page of backups (newest first)
    # and stops there: a COMPLETED backup behind a page of newer FAILED ones is not found,
    # and the "incremental" backup is a full one.
    mock, api, project = make("openstack")
    mock.config.page_size = page_size
    instance = seed_instance(mock, project)
    full = completed_backup(api, instance, "full")
    for n in range(3):
        mock.fail(create_backup(api, instance, f"broken{n}")["id"])
    inc = create_backup(api, instance, "inc", incremental=1)
    assert inc["parent_id"] == (full["id"] if parent else None)


def test_openstack_explicit_parent_wins_over_incremental() -> None:
    mock, api, project = make("openstack")
    instance = seed_instance(mock, project)
    first = completed_backup(api, instance, "first")
    completed_backup(api, instance, "second")
    child = create_backup(api, instance, incremental=1, parent_id=first["id"])
    assert child["parent_id"] == first["id"]


@pytest.mark.parametrize("value", [True, "1", 2, None, 1.0, -1])
def test_openstack_incremental_must_be_0_or_1(value: object) -> None:
    mock, api, project = make("openstack")
    resp = api.post("/backups", backup_body(seed_instance(mock, project), incremental=value))
    fault_of(resp, 400, "badRequest")
    assert mock.backups() == []


@pytest.mark.parametrize("container", ["bad;name", "a b", "x$(id)", "c|d", "q'uote"])
def test_openstack_shell_unsafe_swift_container_is_refused(container: str) -> None:
    mock, api, project = make("openstack")
    instance = seed_instance(mock, project)
    resp = api.post("/backups", backup_body(instance, swift_container=container))
    assert fault_of(resp, 400, "badRequest") == f"The value is not allowed: {container}."
    assert mock.backups() == []


def test_openstack_safe_swift_container_is_accepted_and_not_shown() -> None:
    mock, api, project = make("openstack")
    instance = seed_instance(mock, project)
    backup = create_backup(api, instance, swift_container="my_container-1.2@x")
    assert "swift_container" not in backup


def _version_id(api, mock, project) -> str:
    return create_backup(api, seed_instance(mock, project))["datastore"]["version_id"]


def test_openstack_restore_from_registers_a_restored_backup() -> None:
    mock, api, project = make("openstack")
    version_id = _version_id(api, mock, project)
    body = {"backup": {"name": "restored", "restore_from": {
        "remote_location": "http://swift/c/o.xbstream", "local_datastore_version_id": version_id,
        "size": 0.5}}}
    backup = ok(api.post("/backups", body), 202)["backup"]
    assert backup["status"] == "RESTORED"
    assert backup["instance_id"] is None
    assert backup["locationRef"] == "http://swift/c/o.xbstream"
    assert backup["size"] == 0.5
    assert backup["parent_id"] is None
    assert backup["project_id"] == project
    assert backup["datastore"]["version_id"] == version_id
    mock.clock.advance(3600)
    assert get_backup(api, backup["id"])["status"] == "RESTORED"


def test_openstack_restore_from_ignores_instance() -> None:
    mock, api, project = make("openstack")
    version_id = _version_id(api, mock, project)
    body = {"backup": {"name": "r", "instance": random_id(), "restore_from": {
        "remote_location": "http://swift/c/o", "local_datastore_version_id": version_id,
        "size": 1}}}
    assert ok(api.post("/backups", body), 202)["backup"]["instance_id"] is None


def test_openstack_restore_from_unknown_datastore_version_is_a_bad_request() -> None:
    _, api, _ = make("openstack")
    version_id = random_id()
    body = {"backup": {"name": "r", "restore_from": {
        "remote_location": "http://swift/c/o", "local_datastore_version_id": version_id,
        "size": 1}}}
    message = fault_of(api.post("/backups", body), 400, "badRequest")
    assert version_id in message


@pytest.mark.parametrize("missing", ["remote_location", "local_datastore_version_id", "size"])
def test_openstack_restore_from_requires_its_fields(missing: str) -> None:
    mock, api, project = make("openstack")
    restore_from = {"remote_location": "http://swift/c/o",
                    "local_datastore_version_id": _version_id(api, mock, project), "size": 1}
    del restore_from[missing]
    resp = api.post("/backups", {"backup": {"name": "r", "restore_from": restore_from}})
    fault_of(resp, 400, "badRequest")
    assert len(mock.backups()) == 1
