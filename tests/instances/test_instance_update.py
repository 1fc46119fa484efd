"""`PUT`/`PATCH /instances/{id}`: a new name and a new `access` (a public address comes and
goes with `is_public`), Trove's one-attribute rule, and the create body's `access`."""

from __future__ import annotations

import pytest
from helpers import fault_of, make, ok, random_id, seed_instance

from trovemock import TroveMock


def view(api, instance: str) -> dict:
    return ok(api.get(f"/instances/{instance}"))["instance"]


def address_types(shown: dict) -> list[str]:
    return [a["type"] for a in shown["addresses"]]


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_access_turns_the_public_address_on_and_off(method: str) -> None:
    mock, api, project = make("openstack")
    instance = seed_instance(mock, project)
    assert view(api, instance)["access"] == {"is_public": False}
    public = {"instance": {"access": {"is_public": True, "allowed_cidrs": ["10.0.0.0/8"]}}}
    assert api.request(method, f"/instances/{instance}", json_body=public).status_code == 202
    shown = view(api, instance)
    assert shown["access"] == {"is_public": True, "allowed_cidrs": ["10.0.0.0/8"]}
    assert address_types(shown) == ["private", "public"]
    assert len(shown["ip"]) == 2
    private = {"instance": {"access": {"is_public": False}}}
    assert api.request(method, f"/instances/{instance}", json_body=private).status_code == 202
    shown = view(api, instance)
    assert shown["access"] == {"is_public": False, "allowed_cidrs": []}
    assert "public" not in address_types(shown) and shown["operating_status"] == "HEALTHY"


def test_a_create_body_sets_access_as_troves_own_tests_send_it() -> None:
    mock, api, _ = make("openstack")
    body = {"instance": {"name": "pub", "flavorRef": "1", "volume": {"size": 1},
                         "datastore": {"type": "mysql", "version": "5.7"},
                         "access": {"is_public": True}}}
    created = ok(api.post("/instances", body))["instance"]
    mock.clock.advance(60)
    shown = view(api, created["id"])
    assert shown["access"] == {"is_public": True, "allowed_cidrs": []}
    assert "public" in address_types(shown)


def test_rename_with_or_without_another_attribute() -> None:
    mock, api, project = make("openstack")
    instance = seed_instance(mock, project)
    both = {"instance": {"name": "renamed", "access": {"is_public": True}}}
    assert api.request("PUT", f"/instances/{instance}", json_body=both).status_code == 202
    assert view(api, instance)["name"] == "renamed"
    assert api.request("PUT", f"/instances/{instance}",
                       json_body={"instance": {}}).status_code == 202  # nothing to change


def test_refusals_change_nothing() -> None:
    mock, api, project = make("openstack")
    instance = seed_instance(mock, project)
    path = f"/instances/{instance}"
    two = {"instance": {"access": {"is_public": True}, "replica_of": ""}}
    message = fault_of(api.request("PUT", path, json_body=two), 400, "badRequest")
    assert message == "Only one attribute (except 'name') is allowed to update."
    for bad in ({"is_public": "yes"}, {"allowed_cidrs": ["nope"]}, {"colour": 1}):
        body = {"instance": {"access": bad}}
        fault_of(api.request("PUT", path, json_body=body), 400, "badRequest")
    fault_of(api.request("PUT", path, json_body={"instance": {"datastore_version": "8.0"}}),
             501, "notImplemented")
    fault_of(api.request("PUT", path, json_body={"instance": {"configuration": "c"}}), 404,
             "itemNotFound")
    fault_of(api.request("PUT", f"/instances/{random_id()}",
                         json_body={"instance": {"name": "x"}}), 404, "itemNotFound")
    shown = view(api, instance)
    assert shown["access"] == {"is_public": False} and shown["name"] != "x"


def test_access_survives_a_state_round_trip() -> None:
    mock, api, project = make("openstack")
    instance = seed_instance(mock, project)
    api.request("PUT", f"/instances/{instance}",
                json_body={"instance": {"access": {"is_public": True}}})
    copy = TroveMock()
    copy.import_state(mock.export_state())
    assert copy.instance(instance).access == mock.instance(instance).access
    assert copy.instance(instance).access is not None
