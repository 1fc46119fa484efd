"""Rule 3: one running backup per instance; the instance shows BACKUP and refuses changes
while it runs (seed 001/002 notes step 7.4, §8)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from helpers import (
    DIALECTS,
    Api,
    backup_body,
    create_backup,
    fault_of,
    finish_backups,
    get_instance,
    make,
    ok,
    seed_instance,
)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_second_backup_while_one_is_new_is_refused(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    create_backup(api, instance, "first")
    message = fault_of(api.post("/backups", backup_body(instance, "second")), 422,
                       "unprocessableEntity")
    assert message.endswith("(instance status was BACKUP)."), message
    assert instance in message
    assert len(ok(api.get("/backups"))["backups"]) == 1


@pytest.mark.parametrize("dialect", DIALECTS)
def test_second_backup_while_one_is_building_is_refused(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    first = create_backup(api, instance, "first")
    mock.clock.advance(mock.config.backup_new_seconds + 0.5)
    assert ok(api.get(f"/backups/{first['id']}"))["backup"]["status"] == "BUILDING"
    message = fault_of(api.post("/backups", backup_body(instance, "second")), 422,
                       "unprocessableEntity")
    assert message.endswith("(instance status was BACKUP)."), message


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_backup_of_another_instance_may_run_at_the_same_time(dialect: str) -> None:
    mock, api, project = make(dialect)
    create_backup(api, seed_instance(mock, project), "a")
    create_backup(api, seed_instance(mock, project), "b")
    assert len(ok(api.get("/backups"))["backups"]) == 2


@pytest.mark.parametrize("dialect", DIALECTS)
def test_next_backup_is_accepted_once_the_first_completes(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    create_backup(api, instance, "first")
    finish_backups(mock)
    second = create_backup(api, instance, "second")
    assert second["status"] == "NEW"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_next_backup_is_accepted_after_the_first_failed(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    first = create_backup(api, instance, "first")
    mock.fail(first["id"])
    assert get_instance(api, instance)["status"] == "ACTIVE"
    create_backup(api, instance, "second")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_instance_shows_backup_status_while_a_backup_runs(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    assert get_instance(api, instance)["status"] == "ACTIVE"
    create_backup(api, instance)
    assert get_instance(api, instance)["status"] == "BACKUP"
    listed = {i["id"]: i for i in ok(api.get("/instances"))["instances"]}
    assert listed[instance]["status"] == "BACKUP"
    mock.clock.advance(mock.config.backup_new_seconds + 0.5)
    assert get_instance(api, instance)["status"] == "BACKUP"
    finish_backups(mock)
    assert get_instance(api, instance)["status"] == "ACTIVE"


# Each refused change: a request that would succeed on an idle instance.
def _delete_instance(api: Api, inst: str):
    return api.delete(f"/instances/{inst}")


def _restart(api: Api, inst: str):
    return api.post(f"/instances/{inst}/action", {"restart": {}})


def _resize_flavor(api: Api, inst: str):
    flavors = ok(api.get("/flavors"))["flavors"]
    other = next(str(f["id"]) for f in flavors if str(f["id"]) != "1")
    return api.post(f"/instances/{inst}/action", {"resize": {"flavorRef": other}})


def _resize_volume(api: Api, inst: str):
    return api.post(f"/instances/{inst}/action", {"resize": {"volume": {"size": 4}}})


def _create_database(api: Api, inst: str):
    return api.post(f"/instances/{inst}/databases", {"databases": [{"name": "newdb"}]})


def _delete_database(api: Api, inst: str):
    return api.delete(f"/instances/{inst}/databases/db1")


def _create_user(api: Api, inst: str):
    return api.post(f"/instances/{inst}/users",
                    {"users": [{"name": "newuser", "password": "secret1"}]})


def _delete_user(api: Api, inst: str):
    return api.delete(f"/instances/{inst}/users/user1")


CHANGES: dict[str, Callable] = {
    "delete": _delete_instance,
    "restart": _restart,
    "resize-flavor": _resize_flavor,
    "resize-volume": _resize_volume,
    "database-create": _create_database,
    "database-delete": _delete_database,
    "user-create": _create_user,
    "user-delete": _delete_user,
}


# The seeds forbid deleting an instance while it backs up (rackspace); Trove deletes it.
REFUSED = [(d, c) for d in DIALECTS for c in CHANGES if (d, c) != ("openstack", "delete")]


@pytest.mark.parametrize(("dialect", "change"), REFUSED)
def test_instance_refuses_changes_while_a_backup_runs(dialect: str, change: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project, databases=("db1",), users=("user1",))
    create_backup(api, instance)
    before = (ok(api.get(f"/instances/{instance}/databases"))["databases"],
              ok(api.get(f"/instances/{instance}/users"))["users"])
    fault_of(CHANGES[change](api, instance), 422, "unprocessableEntity")
    # Nothing changed: the instance is still there, backing up, with the same contents.
    assert get_instance(api, instance)["status"] == "BACKUP"
    after = (ok(api.get(f"/instances/{instance}/databases"))["databases"],
             ok(api.get(f"/instances/{instance}/users"))["users"])
    assert after == before


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("change", list(CHANGES))
def test_instance_accepts_changes_after_the_backup_completes(dialect: str, change: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project, databases=("db1",), users=("user1",))
    create_backup(api, instance)
    finish_backups(mock)
    resp = CHANGES[change](api, instance)
    assert resp.status_code == 202, resp.get_data(as_text=True)


def test_openstack_deletes_an_instance_while_its_backup_runs() -> None:
    """Trove 26.0.0 accepts the delete (the differential suite checks it against Trove);
    the backup outlives its instance."""
    mock, api, project = make("openstack")
    instance = seed_instance(mock, project)
    backup = create_backup(api, instance)
    assert api.delete(f"/instances/{instance}").status_code == 202
    fault_of(api.get(f"/instances/{instance}"), 404, "itemNotFound")
    assert ok(api.get(f"/backups/{backup['id']}"))["backup"]["instance_id"] == instance
