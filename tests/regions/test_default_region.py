"""The default region of a rackspace cloud: refused when unknown, canonical in any case,
fixed for openstack once the cloud exists."""

from __future__ import annotations

from werkzeug.test import Client

from trovemock import ManualClock, TroveMock

PROJECT = "p1"
TOKEN = {"X-Auth-Token": "t"}


# -- regions in the config ------------------------------------------------------------------------
def test_an_invalid_default_region_is_refused():
    mock = TroveMock(dialect="rackspace")
    client = Client(mock)
    answer = client.put("/_trovemock/config", json={"default_region": "XYZ"})
    assert answer.status_code == 400
    assert "default_region" in answer.get_json()["badRequest"]["message"]
    assert mock.default_region == "DFW"


def test_a_default_region_in_any_case_is_canonical_and_state_still_round_trips():
    mock = TroveMock(dialect="rackspace", clock=ManualClock("2030-01-01T00:00:00"))
    client = Client(mock)
    assert client.put("/_trovemock/config", json={"default_region": "iad"}).get_json()[
        "default_region"] == "IAD"
    instance = mock.add_instance(PROJECT).id  # in the default region
    created = client.post(f"/v1.0/{PROJECT}/backups", headers=TOKEN,
                          json={"backup": {"name": "b", "instance": instance}})
    assert created.status_code == 202
    state = client.get("/_trovemock/state").get_json()
    assert {b["region"] for b in state["backups"]} == {"IAD"}
    assert client.put("/_trovemock/state", json=state).status_code == 204


def test_the_openstack_region_is_fixed_once_the_cloud_exists():
    mock = TroveMock()
    answer = Client(mock).put("/_trovemock/config", json={"openstack_region": "Elsewhere"})
    assert answer.status_code == 400
    assert mock.config.openstack_region == "RegionOne"
