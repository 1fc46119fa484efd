"""Configuration groups: create with Trove's parameter checks, list, show, replace (PUT),
merge (PATCH), delete, and their use by instances (attach, detach, a create that names one,
the RESTART_REQUIRED status a restart-only parameter brings)."""

from __future__ import annotations

import pytest
from helpers import Api, fault_of, make, ok, seed_instance

GROUPS = "/configurations"


def create_group(api, values=None, name: str = "tuned", datastore=("mysql", "5.7")) -> dict:
    body = {"configuration": {"name": name, "values": values if values is not None else
                              {"max_connections": 555},
                              "datastore": {"type": datastore[0], "version": datastore[1]}}}
    return ok(api.post(GROUPS, body))["configuration"]


def attach(api, instance: str, group_id: str | None):
    body = {"instance": {"configuration": group_id}}
    return api.request("PUT", f"/instances/{instance}", json_body=body)


def test_a_group_is_created_listed_shown_and_deleted() -> None:
    mock, api, _ = make("openstack")
    created = create_group(api, {"max_connections": 555, "wait_timeout": 60})
    assert created["values"] == {"max_connections": 555, "wait_timeout": 60}
    assert created["instance_count"] == 0 and created["datastore_name"] == "mysql"
    assert created["datastore_version_name"] == "5.7"
    listed = ok(api.get(GROUPS))["configurations"]
    assert [g["id"] for g in listed] == [created["id"]] and "values" not in listed[0]
    shown = ok(api.get(f"{GROUPS}/{created['id']}"))["configuration"]
    assert shown["values"] == created["values"]
    assert api.delete(f"{GROUPS}/{created['id']}").status_code == 202
    fault_of(api.get(f"{GROUPS}/{created['id']}"), 404, "itemNotFound")


@pytest.mark.parametrize(("values", "message"), [
    ({"no_such": 1}, "The configuration parameter no_such is not supported for this "
                     "datastore: mysql 5.7."),
    ({"max_connections": "555"}, "The value provided for the configuration parameter "
                                 "max_connections is not of type integer."),
    ({"max_connections": 0}, "The value for the configuration parameter max_connections is "
                             "less than the minimum allowed: 1"),
    ({"max_connections": 100001}, "The value for the configuration parameter max_connections "
                                  "is greater than the maximum allowed: 100000"),
    ({"long_query_time": 2}, "The value provided for the configuration parameter "
                             "long_query_time is not of type float."),
])
def test_values_are_checked_as_trove_checks_them(values, message) -> None:
    mock, api, _ = make("openstack")
    body = {"configuration": {"name": "x", "values": values,
                              "datastore": {"type": "mysql", "version": "5.7"}}}
    assert fault_of(api.post(GROUPS, body), 422, "unprocessableEntity") == message
    assert ok(api.get(GROUPS))["configurations"] == []  # nothing stored


def test_trove_takes_true_for_an_integer_parameter() -> None:
    mock, api, _ = make("openstack")
    assert create_group(api, {"autocommit": True})["values"] == {"autocommit": True}


def test_put_replaces_the_values_and_patch_merges_them() -> None:
    mock, api, _ = make("openstack")
    group = create_group(api, {"max_connections": 555, "wait_timeout": 60})["id"]
    patch = {"configuration": {"values": {"max_connections": 600}}}
    assert api.request("PATCH", f"{GROUPS}/{group}", json_body=patch).status_code == 200
    assert ok(api.get(f"{GROUPS}/{group}"))["configuration"]["values"] == {
        "max_connections": 600, "wait_timeout": 60}
    put = {"configuration": {"values": {"wait_timeout": 30}, "name": "renamed"}}
    assert api.request("PUT", f"{GROUPS}/{group}", json_body=put).status_code == 202
    shown = ok(api.get(f"{GROUPS}/{group}"))["configuration"]
    assert shown["values"] == {"wait_timeout": 30} and shown["name"] == "renamed"


def test_attach_shows_on_the_instance_and_blocks_deleting_the_group() -> None:
    mock, api, _ = make("openstack")
    instance = seed_instance(mock)
    group = create_group(api)["id"]
    assert attach(api, instance, group).status_code == 202
    shown = ok(api.get(f"/instances/{instance}"))["instance"]
    assert shown["configuration"]["id"] == group and shown["status"] == "ACTIVE"
    users = ok(api.get(f"{GROUPS}/{group}/instances"))["instances"]
    assert users == [{"id": instance, "name": shown["name"]}]
    assert ok(api.get(f"{GROUPS}/{group}"))["configuration"]["instance_count"] == 1
    fault_of(api.delete(f"{GROUPS}/{group}"), 400, "badRequest")
    message = fault_of(attach(api, instance, group), 400, "badRequest")
    assert message == (f"Instance {instance} already has a Configuration Group attached: "
                       f"{group}.")
    assert attach(api, instance, None).status_code == 202
    assert "configuration" not in ok(api.get(f"/instances/{instance}"))["instance"]
    assert api.delete(f"{GROUPS}/{group}").status_code == 202


def test_a_restart_only_parameter_waits_for_a_restart() -> None:
    mock, api, _ = make("openstack")
    instance = seed_instance(mock)
    group = create_group(api, {"innodb_buffer_pool_size": 16 * 1024 * 1024})["id"]
    attach(api, instance, group)
    shown = ok(api.get(f"/instances/{instance}"))["instance"]
    assert (shown["status"], shown["operating_status"]) == ("RESTART_REQUIRED", "")
    fault_of(attach(api, instance, None), 400, "badRequest")  # a task is pending
    assert api.post(f"/instances/{instance}/action", {"restart": {}}).status_code == 202
    mock.clock.advance(mock.config.instance_action_seconds)
    shown = ok(api.get(f"/instances/{instance}"))["instance"]
    assert (shown["status"], shown["operating_status"]) == ("ACTIVE", "HEALTHY")


def test_a_group_of_another_datastore_version_is_refused() -> None:
    mock, api, _ = make("openstack")
    instance = seed_instance(mock, datastore=("postgresql", "12"))
    group = create_group(api)
    message = fault_of(attach(api, instance, group["id"]), 400, "badRequest")
    assert message.startswith("Datastore Version on Configuration")
    assert ok(api.get(f"/instances/{instance}"))["instance"]["fault"]["message"]


def test_a_create_may_name_a_group() -> None:
    mock, api, _ = make("openstack")
    group = create_group(api)["id"]
    body = {"instance": {"name": "tuned", "flavorRef": "1", "volume": {"size": 1},
                         "datastore": {"type": "mysql", "version": "5.7"},
                         "configuration": group}}
    created = ok(api.post("/instances", body))["instance"]
    assert created["configuration"]["id"] == group
    body["instance"]["configuration"] = "99999999-9999-4999-8999-999999999999"
    fault_of(api.post("/instances", body), 404, "itemNotFound")


def test_groups_belong_to_their_project() -> None:
    mock, api, _ = make("openstack")
    group = create_group(api)["id"]
    stranger = Api(mock, "p2")
    fault_of(stranger.get(f"{GROUPS}/{group}"), 404, "itemNotFound")
    assert ok(stranger.get(GROUPS))["configurations"] == []


def test_the_parameter_lists_give_types_ranges_and_restarts() -> None:
    mock, api, _ = make("openstack")
    listed = ok(api.get("/datastores/mysql/versions/5.7/parameters"))
    by_name = {p["name"]: p for p in listed["configuration-parameters"]}
    assert by_name["max_connections"] == {
        "name": "max_connections", "type": "integer", "min": 1, "max": 100000,
        "restart_required": False, "datastore_version_id": by_name["max_connections"][
            "datastore_version_id"]}
    assert by_name["innodb_buffer_pool_size"]["restart_required"] is True
    shown = ok(api.get("/datastores/postgresql/versions/12/parameters/max_connections"))
    assert shown["restart_required"] is True
    fault_of(api.get("/datastores/mysql/versions/5.7/parameters/nothing"), 404, "itemNotFound")


def test_the_rackspace_dialect_answers_501() -> None:
    mock, api, _ = make("rackspace")
    fault_of(api.get(GROUPS), 501, "notImplemented")
