"""Replicas: a create with `replica_of` takes the primary's flavor, datastore and volume;
`replicas` / `replica_of` in the views; promote, eject and detach; what a replica may not
name and what a primary with replicas may not do."""

from __future__ import annotations

import pytest
from helpers import fault_of, make, ok, seed_instance


def replica_of(api, source: str, **fields) -> dict:
    body = {"instance": {"name": "copy", "replica_of": source, **fields}}
    return api.post("/instances", body)


def settle(mock) -> None:
    mock.clock.advance(max(mock.config.instance_build_seconds,
                           mock.config.instance_action_seconds))


def test_a_replica_takes_its_primarys_shape_and_both_views_say_so() -> None:
    mock, api, _ = make("openstack")
    primary = seed_instance(mock, datastore=("mariadb", "10.4"), volume_size=3, flavor_id="4")
    made = ok(replica_of(api, primary))["instance"]
    assert made["status"] == "BUILD" and made["replica_of"]["id"] == primary
    assert made["flavor"]["id"] == "4" and made["volume"]["size"] == 3
    assert made["datastore"]["type"] == "mariadb"
    settle(mock)
    shown = ok(api.get(f"/instances/{primary}"))["instance"]
    assert [r["id"] for r in shown["replicas"]] == [made["id"]]
    listed = {i["id"]: i for i in ok(api.get("/instances"))["instances"]}
    assert listed[made["id"]]["replica_of"]["id"] == primary
    assert listed[primary]["replicas"][0]["id"] == made["id"]


@pytest.mark.parametrize(("fields", "message"), [
    ({"flavorRef": "2"}, "Cannot specify flavor when creating replicas."),
    ({"datastore": {"type": "mysql"}}, "Cannot specify datastore when creating replicas."),
    ({"volume": {"size": 4}}, "Cannot specify volume when creating replicas."),
    ({"databases": [{"name": "db"}]}, "Cannot create a replica with users or databases."),
])
def test_what_a_replica_may_not_name(fields, message) -> None:
    mock, api, _ = make("openstack")
    primary = seed_instance(mock)
    assert fault_of(replica_of(api, primary, **fields), 400, "badRequest") == message
    assert len(mock.instances()) == 1


def test_no_replica_of_a_replica_and_no_delete_of_a_primary_with_replicas() -> None:
    mock, api, _ = make("openstack")
    primary = seed_instance(mock)
    first = ok(replica_of(api, primary))["instance"]["id"]
    settle(mock)
    message = fault_of(replica_of(api, first), 403, "forbidden")
    assert message == f"Cannot create a replica of a replica {first}"
    fault_of(api.delete(f"/instances/{primary}"), 403, "forbidden")
    assert mock.instance_status(primary) == "ACTIVE"


def test_replica_count_makes_several_and_answers_the_last() -> None:
    mock, api, _ = make("openstack")
    primary = seed_instance(mock)
    made = ok(replica_of(api, primary, replica_count=3))["instance"]
    assert made["name"] == "copy-3" and "password" not in made
    settle(mock)
    replicas = ok(api.get(f"/instances/{primary}"))["instance"]["replicas"]
    assert len(replicas) == 3 and replicas[-1]["id"] == made["id"]


def test_promote_makes_the_replica_lead_and_the_rest_follow() -> None:
    mock, api, _ = make("openstack")
    primary = seed_instance(mock)
    first = ok(replica_of(api, primary))["instance"]["id"]
    second = ok(replica_of(api, primary))["instance"]["id"]
    settle(mock)
    action = {"promote_to_replica_source": {}}
    assert api.post(f"/instances/{first}/action", action).status_code == 202
    assert mock.instance_status(first) == "PROMOTE"
    settle(mock)
    shown = ok(api.get(f"/instances/{first}"))["instance"]
    assert "replica_of" not in shown
    assert {r["id"] for r in shown["replicas"]} == {primary, second}
    assert ok(api.get(f"/instances/{second}"))["instance"]["replica_of"]["id"] == first
    fault_of(api.post(f"/instances/{first}/action", action), 400, "badRequest")


def test_detach_makes_a_standalone_instance() -> None:
    mock, api, _ = make("openstack")
    primary = seed_instance(mock)
    replica = ok(replica_of(api, primary))["instance"]["id"]
    body = {"instance": {"replica_of": ""}}
    message = fault_of(api.request("PUT", f"/instances/{replica}", json_body=body), 422,
                       "unprocessableEntity")
    assert message == f"Instance {replica} is not ready."  # still building
    settle(mock)
    assert api.request("PUT", f"/instances/{replica}", json_body=body).status_code == 202
    settle(mock)
    assert "replica_of" not in ok(api.get(f"/instances/{replica}"))["instance"]
    assert "replicas" not in ok(api.get(f"/instances/{primary}"))["instance"]
    assert api.delete(f"/instances/{primary}").status_code == 202


def test_eject_waits_for_a_silent_primary() -> None:
    mock, api, _ = make("openstack")
    primary = seed_instance(mock)
    replica = ok(replica_of(api, primary))["instance"]["id"]
    settle(mock)
    eject = {"eject_replica_source": {}}
    message = fault_of(api.post(f"/instances/{primary}/action", eject), 400, "badRequest")
    assert message.endswith("cannot be ejected as it has a current heartbeat")
    mock.add_token("admin-token", "p1", roles=["admin"])
    reset = api.post(f"/instances/{primary}/action", {"reset_status": {}}, token="admin-token")
    assert reset.status_code == 202  # its guest agent's status is unknown until it answers
    assert api.post(f"/instances/{primary}/action", eject).status_code == 202
    settle(mock)
    assert "replica_of" not in ok(api.get(f"/instances/{replica}"))["instance"]


def test_replicas_survive_a_state_round_trip() -> None:
    mock, api, _ = make("openstack")
    primary = seed_instance(mock)
    replica = ok(replica_of(api, primary))["instance"]["id"]
    from trovemock import TroveMock

    copy = TroveMock()
    copy.import_state(mock.export_state())
    assert copy.instance(replica).replica_of == primary
