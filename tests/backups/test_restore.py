"""Rule 8: restore through POST /instances with restorePoint.backupRef (seed 002
"Restore backup")."""

from __future__ import annotations

import pytest
from helpers import (
    DIALECTS,
    OTHER_PROJECT,
    Api,
    completed_backup,
    create_backup,
    fault_of,
    get_instance,
    make,
    names,
    ok,
    random_id,
    restore_body,
    seed_instance,
)


def _restore(api: Api, backup_id: str, **kwargs) -> dict:
    instance = ok(api.post("/instances", restore_body(backup_id, **kwargs)), 200)["instance"]
    assert instance["status"] == "BUILD"
    return instance


def _until_active(api: Api, instance_id: str) -> dict:
    api.mock.clock.advance(api.mock.config.instance_build_seconds + 1)
    shown = get_instance(api, instance_id)
    assert shown["status"] == "ACTIVE"
    return shown


@pytest.mark.parametrize("dialect", DIALECTS)
def test_restore_answers_200_build_then_active(dialect: str) -> None:
    mock, api, project = make(dialect)
    mock.config.instance_build_seconds = 30
    backup = completed_backup(api, seed_instance(mock, project))
    flavor = 1 if dialect == "rackspace" else "1"  # the seed's example sends an integer
    created = _restore(api, backup["id"], name="json_restore", flavor=flavor)
    assert created["name"] == "json_restore"
    assert created["volume"]["size"] == 2
    mock.clock.advance(29)
    assert get_instance(api, created["id"])["status"] == "BUILD"
    mock.clock.advance(2)
    shown = get_instance(api, created["id"])
    assert shown["status"] == "ACTIVE"
    assert shown["name"] == "json_restore"
    listed = {i["id"] for i in ok(api.get("/instances"))["instances"]}
    assert created["id"] in listed


@pytest.mark.parametrize("dialect", DIALECTS)
def test_plain_instance_create_works_too(dialect: str) -> None:
    mock, api, _ = make(dialect)
    body = {"instance": {"name": "plain", "flavorRef": "1", "volume": {"size": 2}}}
    if dialect == "openstack":  # no default datastore there, as in Trove
        assert fault_of(api.post("/instances", body), 400, "badRequest") == (
            "Please specify datastore. No default datastore is defined.")
        mock.config.update({"default_datastore": "mysql"})
    created = ok(api.post("/instances", body), 200)["instance"]
    assert created["datastore"]["type"] == "mysql"
    assert created["status"] == "BUILD"
    shown = _until_active(api, created["id"])
    assert ok(api.get(f"/instances/{shown['id']}/databases"))["databases"] == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_restore_of_an_unknown_backup_is_not_found(dialect: str) -> None:
    _, api, _ = make(dialect)
    missing = random_id()
    message = fault_of(api.post("/instances", restore_body(missing)), 404, "itemNotFound")
    assert message == f"Resource {missing} cannot be found."
    assert ok(api.get("/instances"))["instances"] == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_restore_of_another_projects_backup_is_not_found(dialect: str) -> None:
    mock, api, _ = make(dialect)
    theirs = completed_backup(Api(mock, OTHER_PROJECT), seed_instance(mock, OTHER_PROJECT))
    fault_of(api.post("/instances", restore_body(theirs["id"])), 404, "itemNotFound")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_restore_with_a_non_uuid_backup_ref_is_a_bad_request(dialect: str) -> None:
    _, api, _ = make(dialect)
    fault_of(api.post("/instances", restore_body("not-a-uuid")), 400, "badRequest")


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("state", ["NEW", "BUILDING", "FAILED"])
def test_restore_of_a_backup_that_is_not_completed_is_a_conflict(dialect: str, state: str) -> None:
    mock, api, project = make(dialect)
    backup = create_backup(api, seed_instance(mock, project))
    if state == "BUILDING":
        mock.clock.advance(mock.config.backup_new_seconds + 0.5)
    if state == "FAILED":
        mock.fail(backup["id"])
    before = ok(api.get("/instances"))["instances"]
    message = fault_of(api.post("/instances", restore_body(backup["id"])), 409, "conflict")
    assert backup["id"] in message and state in message, message
    if dialect == "openstack":
        assert message == (f"Unable to create instance because backup {backup['id']} is not "
                           f"completed. Actual state: {state}.")
    assert ok(api.get("/instances"))["instances"] == before


@pytest.mark.parametrize("dialect", DIALECTS)
def test_incremental_restore_needs_every_ancestor_usable(dialect: str) -> None:
    # The incremental itself is COMPLETED, but restoring it applies its parent first.
    mock, api, project = make(dialect)
    source = seed_instance(mock, project)
    full = completed_backup(api, source, "full")
    inc = completed_backup(api, source, "inc", parent_id=full["id"])
    mock.set_status(full["id"], "FAILED")
    before = ok(api.get("/instances"))["instances"]
    message = fault_of(api.post("/instances", restore_body(inc["id"])), 409, "conflict")
    assert full["id"] in message and "FAILED" in message, message
    assert ok(api.get("/instances"))["instances"] == before
    mock.set_status(full["id"], "COMPLETED")
    assert api.post("/instances", restore_body(inc["id"])).status_code == 200


@pytest.mark.parametrize("dialect", DIALECTS)
def test_restore_bigger_than_the_volume_is_forbidden(dialect: str) -> None:
    mock, api, project = make(dialect)
    backup = completed_backup(api, seed_instance(mock, project, volume_size=10, used_gb=3))
    assert backup["size"] == pytest.approx(3)
    message = fault_of(api.post("/instances", restore_body(backup["id"], volume_size=2)), 403,
                       "forbidden")
    assert message.startswith("Backup is too large for given flavor or volume."), message
    assert len(ok(api.get("/instances"))["instances"]) == 1
    _restore(api, backup["id"], volume_size=3)  # equal size fits


@pytest.mark.parametrize("dialect", DIALECTS)
def test_restored_instance_has_the_databases_and_users_of_backup_time(dialect: str) -> None:
    mock, api, project = make(dialect)
    source = seed_instance(mock, project, databases=("db1", "db2"), users=("alice",))
    backup = completed_backup(api, source)
    resp = api.post(f"/instances/{source}/databases", {"databases": [{"name": "later"}]})
    assert resp.status_code == 202
    resp = api.post(f"/instances/{source}/users", {"users": [{"name": "bob", "password": "pw1"}]})
    assert resp.status_code == 202
    assert "later" in names(ok(api.get(f"/instances/{source}/databases"))["databases"])

    restored = _restore(api, backup["id"])
    _until_active(api, restored["id"])
    assert names(ok(api.get(f"/instances/{restored['id']}/databases"))["databases"]) == {
        "db1", "db2"}
    assert names(ok(api.get(f"/instances/{restored['id']}/users"))["users"]) == {"alice"}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_incremental_restore_applies_the_whole_chain(dialect: str) -> None:
    mock, api, project = make(dialect)
    source = seed_instance(mock, project, databases=("base",), users=("alice",))
    full = completed_backup(api, source, "full")
    assert api.post(f"/instances/{source}/databases",
                    {"databases": [{"name": "second"}]}).status_code == 202
    assert api.delete(f"/instances/{source}/users/alice").status_code == 202
    inc = completed_backup(api, source, "inc", parent_id=full["id"])
    assert api.post(f"/instances/{source}/databases",
                    {"databases": [{"name": "third"}]}).status_code == 202

    from_inc = _restore(api, inc["id"], name="from-inc")
    from_full = _restore(api, full["id"], name="from-full")
    _until_active(api, from_inc["id"])
    _until_active(api, from_full["id"])
    assert names(ok(api.get(f"/instances/{from_inc['id']}/databases"))["databases"]) == {
        "base", "second"}
    assert names(ok(api.get(f"/instances/{from_inc['id']}/users"))["users"]) == set()
    assert names(ok(api.get(f"/instances/{from_full['id']}/databases"))["databases"]) == {"base"}
    assert names(ok(api.get(f"/instances/{from_full['id']}/users"))["users"]) == {"alice"}


def test_openstack_restore_from_a_restored_backup_is_allowed() -> None:
    mock, api, project = make("openstack")
    version_id = create_backup(api, seed_instance(mock, project))["datastore"]["version_id"]
    body = {"backup": {"name": "remote", "restore_from": {
        "remote_location": "http://swift/c/o", "local_datastore_version_id": version_id,
        "size": 1}}}
    restored_backup = ok(api.post("/backups", body), 202)["backup"]
    instance = _restore(api, restored_backup["id"])
    _until_active(api, instance["id"])


@pytest.mark.parametrize("dialect", DIALECTS)
def test_restored_instance_can_be_backed_up_once_active(dialect: str) -> None:
    mock, api, project = make(dialect)
    backup = completed_backup(api, seed_instance(mock, project))
    restored = _restore(api, backup["id"])
    message = fault_of(api.post("/backups", {"backup": {"name": "n", "instance": restored["id"]}}),
                       422, "unprocessableEntity")
    assert "BUILD" in message
    _until_active(api, restored["id"])
    assert create_backup(api, restored["id"])["instance_id"] == restored["id"]
