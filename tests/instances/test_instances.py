"""The instance surface the backup rules need: instances, actions, databases, users and
flavors (seed 002 restore example; real-clients.md §6, §8)."""

from __future__ import annotations

import pytest
from helpers import (
    DIALECTS,
    OTHER_PROJECT,
    fault_of,
    get_instance,
    make,
    names,
    ok,
    random_id,
    seed_instance,
)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_list_and_show_instances(dialect: str) -> None:
    mock, api, project = make(dialect)
    first = seed_instance(mock, project, name="alpha", volume_size=3)
    second = seed_instance(mock, project, name="beta")
    seed_instance(mock, OTHER_PROJECT, name="theirs")
    listed = ok(api.get("/instances"))["instances"]
    assert {i["id"] for i in listed} == {first, second}
    shown = get_instance(api, first)
    assert shown["id"] == first
    assert shown["name"] == "alpha"
    assert shown["status"] == "ACTIVE"
    assert shown["volume"]["size"] == 3  # pyrax's assure_instance reads volume.size


@pytest.mark.parametrize("dialect", DIALECTS)
def test_unknown_or_foreign_instance_is_not_found(dialect: str) -> None:
    mock, api, _ = make(dialect)
    missing = random_id()
    assert fault_of(api.get(f"/instances/{missing}"), 404, "itemNotFound") == (
        f"Resource {missing} cannot be found.")
    theirs = seed_instance(mock, OTHER_PROJECT)
    fault_of(api.get(f"/instances/{theirs}"), 404, "itemNotFound")
    fault_of(api.delete(f"/instances/{theirs}"), 404, "itemNotFound")
    assert mock.instance(theirs).id == theirs


@pytest.mark.parametrize("dialect", DIALECTS)
def test_delete_instance(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    resp = api.delete(f"/instances/{instance}")
    assert resp.status_code == 202
    mock.clock.advance(3600)
    fault_of(api.get(f"/instances/{instance}"), 404, "itemNotFound")
    assert ok(api.get("/instances"))["instances"] == []


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("action", [{"restart": {}}, {"resize": {"volume": {"size": 5}}}],
                         ids=["restart", "resize-volume"])
def test_actions_are_accepted_and_the_instance_returns_to_active(dialect: str,
                                                                 action: dict) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project, volume_size=2)
    assert api.post(f"/instances/{instance}/action", action).status_code == 202
    mock.clock.advance(mock.config.instance_action_seconds + 1)
    shown = get_instance(api, instance)
    assert shown["status"] == "ACTIVE"
    if "resize" in action:
        assert shown["volume"]["size"] == 5


@pytest.mark.parametrize("dialect", DIALECTS)
def test_resize_flavor(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project, flavor_id="1")
    flavors = ok(api.get("/flavors"))["flavors"]
    target = next(str(f["id"]) for f in flavors if str(f["id"]) != "1")
    resp = api.post(f"/instances/{instance}/action", {"resize": {"flavorRef": target}})
    assert resp.status_code == 202
    mock.clock.advance(mock.config.instance_action_seconds + 1)
    shown = get_instance(api, instance)
    assert shown["status"] == "ACTIVE"
    assert str(shown["flavor"]["id"]) == target


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_resize_shows_the_new_size_once_it_is_done(dialect: str) -> None:
    """As Trove's taskmanager records the new flavor and volume when the resize ends."""
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project, flavor_id="1", volume_size=2)
    assert api.post(f"/instances/{instance}/action",
                    {"resize": {"volume": {"size": 4}}}).status_code == 202
    shown = get_instance(api, instance)
    assert (shown["status"], shown["volume"]["size"]) == ("RESIZE", 2)
    mock.clock.advance(mock.config.instance_action_seconds + 1)
    assert get_instance(api, instance)["volume"]["size"] == 4
    href = f"http://localhost/v1.0/{project}/flavors/2"  # a flavor's link is taken too
    assert api.post(f"/instances/{instance}/action",
                    {"resize": {"flavorRef": href}}).status_code == 202
    assert str(get_instance(api, instance)["flavor"]["id"]) == "1"
    mock.clock.advance(mock.config.instance_action_seconds + 1)
    assert str(get_instance(api, instance)["flavor"]["id"]) == "2"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_resize_flavor_refusals_are_troves(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project, flavor_id="1")
    path = f"/instances/{instance}/action"
    assert fault_of(api.post(path, {"resize": {"flavorRef": "1"}}), 400, "badRequest") == (
        "The new flavor id must be different than the current flavor id of '1'.")
    assert fault_of(api.post(path, {"resize": {"flavorRef": "99"}}), 400, "badRequest") == (
        "Resource 99 cannot be found.")
    assert fault_of(api.get("/flavors/99"), 404, "itemNotFound") == (
        "Resource 99 cannot be found.")
    created = api.post("/instances", {"instance": {
        "name": "n", "flavorRef": "99", "volume": {"size": 1},
        "datastore": {"type": "mysql", "version": "5.7"}}})
    assert fault_of(created, 400, "badRequest") == "Resource 99 cannot be found."
    assert get_instance(api, instance)["status"] == "ACTIVE"


def test_a_refused_action_is_noted_as_the_instances_fault() -> None:
    mock, api, project = make("openstack")
    instance = seed_instance(mock, project, volume_size=2)
    path = f"/instances/{instance}/action"
    message = fault_of(api.post(path, {"resize": {"volume": {"size": 1}}}), 400, "badRequest")
    assert get_instance(api, instance)["fault"]["message"] == message
    assert api.post("/backups", {"backup": {"name": "b", "instance": instance}}
                    ).status_code == 202
    fault_of(api.post(path, {"restart": {}}), 422, "unprocessableEntity")
    assert "instance status was BACKUP" in get_instance(api, instance)["fault"]["message"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_unknown_action_is_a_bad_request(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    fault_of(api.post(f"/instances/{instance}/action", {"explode": {}}), 400, "badRequest")
    assert get_instance(api, instance)["status"] == "ACTIVE"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_databases_list_create_delete(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project, databases=("db1",))
    path = f"/instances/{instance}/databases"
    assert names(ok(api.get(path))["databases"]) == {"db1"}
    assert api.post(path, {"databases": [{"name": "db2"}, {"name": "db3"}]}).status_code == 202
    assert names(ok(api.get(path))["databases"]) == {"db1", "db2", "db3"}
    assert api.delete(f"{path}/db1").status_code == 202
    assert names(ok(api.get(path))["databases"]) == {"db2", "db3"}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_users_list_create_delete(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project, users=("alice",))
    path = f"/instances/{instance}/users"
    assert names(ok(api.get(path))["users"]) == {"alice"}
    body = {"users": [{"name": "bob", "password": "s3cret", "databases": []}]}
    assert api.post(path, body).status_code == 202
    assert names(ok(api.get(path))["users"]) == {"alice", "bob"}
    assert api.delete(f"{path}/alice").status_code == 202
    assert names(ok(api.get(path))["users"]) == {"bob"}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_databases_of_an_unknown_instance_are_not_found(dialect: str) -> None:
    _, api, _ = make(dialect)
    missing = random_id()
    fault_of(api.get(f"/instances/{missing}/databases"), 404, "itemNotFound")
    fault_of(api.get(f"/instances/{missing}/users"), 404, "itemNotFound")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_flavors_list_and_show(dialect: str) -> None:
    _, api, _ = make(dialect)
    flavors = ok(api.get("/flavors"))["flavors"]
    assert len(flavors) >= 2
    by_id = {str(f["id"]): f for f in flavors}
    assert "1" in by_id
    shown = ok(api.get("/flavors/1"))["flavor"]
    assert str(shown["id"]) == "1"
    assert shown["ram"] == by_id["1"]["ram"]
    assert isinstance(shown["ram"], int) and shown["ram"] > 0
    assert shown["name"] == by_id["1"]["name"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_unknown_flavor_is_not_found(dialect: str) -> None:
    _, api, _ = make(dialect)
    fault_of(api.get("/flavors/999999"), 404, "itemNotFound")
