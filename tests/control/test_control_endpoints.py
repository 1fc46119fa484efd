"""The control API (/_trovemock/...) over HTTP: each endpoint changes what the Trove API
answers, and bad control requests are refused whole with a 400 naming the field."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from trovemock import Config, ManualClock, SystemClock, TroveMock

PROJECT = "p1"
INSTANCE = "11111111-2222-3333-4444-555555555555"
TOKEN = {"X-Auth-Token": "tok"}


@pytest.fixture
def mock():
    return TroveMock(dialect="openstack", clock=ManualClock("2030-01-01T00:00:00"))


@pytest.fixture
def client(mock):
    return Client(mock)


def seed_instance(client, **extra):
    answer = client.post(
        "/_trovemock/instances", json={"project_id": PROJECT, "id": INSTANCE, **extra}
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["instance"]


def create_backup(client, name="b1", project=PROJECT):
    answer = client.post(
        f"/v1.0/{project}/backups",
        headers=TOKEN,
        json={"backup": {"name": name, "instance": INSTANCE}},
    )
    assert answer.status_code == 202, answer.get_json()
    return answer.get_json()["backup"]


def show_backup(client, backup_id):
    return client.get(f"/v1.0/{PROJECT}/backups/{backup_id}", headers=TOKEN)


def bad_request_message(answer):
    assert answer.status_code == 400
    assert answer.content_type == "application/json"
    fault = answer.get_json()["badRequest"]
    assert fault["code"] == 400
    return fault["message"]


# --- index, unknown paths ---------------------------------------------------------------------


def test_index_lists_the_endpoints(client):
    body = client.get("/_trovemock/").get_json()
    assert body["dialect"] == "openstack"
    assert "POST /_trovemock/clock" in body["endpoints"]
    assert "PUT /_trovemock/state" in body["endpoints"]


def test_unknown_control_path_is_404_and_wrong_method_405(client):
    missing = client.get("/_trovemock/nope")
    assert missing.status_code == 404
    assert "/_trovemock/nope" in missing.get_json()["itemNotFound"]["message"]
    wrong = client.delete("/_trovemock/clock")
    assert wrong.status_code == 405
    assert set(wrong.headers["Allow"].split(", ")) >= {"GET", "POST"}


# --- instances and HA groups ------------------------------------------------------------------


def test_seeded_instance_is_visible_through_the_trove_api(client):
    created = seed_instance(
        client,
        name="db1",
        datastore={"type": "mysql", "version": "5.7"},
        volume_size=5,
        databases=["shop"],
        users=["app"],
    )
    assert created["id"] == INSTANCE and created["status"] == "ACTIVE"
    assert created["databases"] == ["shop"] and created["users"] == ["app"]
    shown = client.get(f"/v1.0/{PROJECT}/instances/{INSTANCE}", headers=TOKEN)
    assert shown.status_code == 200
    assert shown.get_json()["instance"]["name"] == "db1"
    assert shown.get_json()["instance"]["volume"]["size"] == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "project_id"),
        ({"project_id": ""}, "project_id"),
        ({"project_id": PROJECT, "volume_size": "big"}, "volume_size"),
        ({"project_id": PROJECT, "volume_size": 1.5}, "volume_size"),
        ({"project_id": PROJECT, "databases": "shop"}, "databases"),
        ({"project_id": PROJECT, "datastore": {"type": "mysql"}}, "datastore"),
        ({"project_id": PROJECT, "colour": "red"}, "colour"),
        ({"project_id": PROJECT, "id": "not-a-uuid"}, "id"),
        ({"project_id": PROJECT, "flavor_id": "999"}, "flavor_id"),
        ({"project_id": PROJECT, "region": "MOON"}, "MOON"),
    ],
)
def test_bad_instance_seed_is_400_naming_the_field_and_seeds_nothing(mock, client, body, field):
    assert field in bad_request_message(client.post("/_trovemock/instances", json=body))
    assert mock.instances() == []


def test_body_that_is_not_a_json_object_is_400(client):
    not_json = client.post("/_trovemock/instances", data="{oops", content_type="application/json")
    assert "JSON" in bad_request_message(not_json)
    a_list = client.post("/_trovemock/instances", json=[1])
    assert "object" in bad_request_message(a_list)


def test_ha_group_seeding_in_the_rackspace_dialect():
    client = Client(TroveMock(dialect="rackspace"))
    answer = client.post(
        "/_trovemock/ha", json={"project_id": PROJECT, "replicas": 1, "name": "pair"}
    )
    assert answer.status_code == 201
    group = answer.get_json()["ha"]
    assert group["name"] == "pair" and len(group["members"]) == 2
    listed = client.get(f"/v1.0/{PROJECT}/ha/{group['id']}/backups", headers=TOKEN)
    assert listed.status_code == 200 and listed.get_json()["backups"] == []


def test_ha_group_in_the_openstack_dialect_is_refused(client):
    answer = client.post("/_trovemock/ha", json={"project_id": PROJECT})
    assert "rackspace" in bad_request_message(answer)


# --- clock ------------------------------------------------------------------------------------


def test_clock_advance_moves_backups_along(client, mock):
    seed_instance(client)
    backup = create_backup(client)
    assert client.get("/_trovemock/clock").get_json() == {
        "now": "2030-01-01T00:00:00",
        "manual": True,
        "next_due": "2030-01-01T00:00:01",  # the backup's NEW ends
    }
    moved = client.post("/_trovemock/clock", json={"advance": 3600})
    assert moved.get_json()["now"] == "2030-01-01T01:00:00"
    assert show_backup(client, backup["id"]).get_json()["backup"]["status"] == "COMPLETED"


def test_clock_set(client, mock):
    answer = client.post("/_trovemock/clock", json={"set": "2031-06-01T12:00:00Z"})
    assert answer.status_code == 200
    assert answer.get_json()["now"] == "2031-06-01T12:00:00"
    assert mock.clock.now().year == 2031


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "advance"),
        ({"advance": -1}, "advance"),
        ({"advance": "soon"}, "advance"),
        ({"set": "yesterday"}, "set"),
        ({"advance": 1, "set": "2030-01-01T00:00:00"}, "exactly one"),
    ],
)
def test_bad_clock_requests_are_400_and_leave_the_clock_alone(client, mock, body, field):
    assert field in bad_request_message(client.post("/_trovemock/clock", json=body))
    assert mock.clock.now().isoformat() == "2030-01-01T00:00:00"


def test_clock_cannot_move_on_a_system_clock():
    client = Client(TroveMock(clock=SystemClock()))
    answer = client.post("/_trovemock/clock", json={"advance": 10})
    assert answer.status_code == 409
    assert "--clock manual" in answer.get_json()["conflict"]["message"]
    assert client.get("/_trovemock/clock").get_json()["manual"] is False


# --- config -----------------------------------------------------------------------------------


def test_config_put_changes_paging(client):
    seed_instance(client)
    for n in range(3):
        created = create_backup(client, name=f"b{n}")
        client.post(f"/_trovemock/backups/{created['id']}/status", json={"status": "COMPLETED"})
    answer = client.put("/_trovemock/config", json={"page_size": 2})
    assert answer.status_code == 200 and answer.get_json()["page_size"] == 2
    page = client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN).get_json()
    assert len(page["backups"]) == 2
    assert any(link["rel"] == "next" for link in page["links"])


def test_config_put_is_all_or_nothing(client, mock):
    answer = client.put("/_trovemock/config", json={"page_size": 5, "backup_quota": "lots"})
    assert "backup_quota" in bad_request_message(answer)
    assert client.get("/_trovemock/config").get_json() == Config().to_dict()


def test_config_quota_is_enforced(client):
    seed_instance(client)
    client.put("/_trovemock/config", json={"backup_quota": 0})
    answer = client.post(
        f"/v1.0/{PROJECT}/backups",
        headers=TOKEN,
        json={"backup": {"name": "b", "instance": INSTANCE}},
    )
    assert answer.status_code == 413


# --- tokens -----------------------------------------------------------------------------------


def test_registered_token_is_bound_to_its_project(client):
    answer = client.post("/_trovemock/tokens", json={"token": "t1", "project_id": "p9"})
    assert answer.status_code == 201
    assert answer.get_json() == {"token": {"id": "t1", "project_id": "p9", "roles": []}}
    own = client.get("/v1.0/p9/backups", headers={"X-Auth-Token": "t1"})
    other = client.get("/v1.0/p8/backups", headers={"X-Auth-Token": "t1"})
    assert (own.status_code, other.status_code) == (200, 403)


def test_admin_token_unlocks_all_projects(client):
    member = client.get(f"/v1.0/{PROJECT}/backups?all_projects=True", headers=TOKEN)
    assert member.status_code == 403
    client.post("/_trovemock/tokens", json={"token": "root", "roles": ["admin"]})
    admin = client.get(
        f"/v1.0/{PROJECT}/backups?all_projects=True", headers={"X-Auth-Token": "root"}
    )
    assert admin.status_code == 200


def test_bad_token_request_names_the_field(client):
    assert "token" in bad_request_message(client.post("/_trovemock/tokens", json={}))
    assert "roles" in bad_request_message(
        client.post("/_trovemock/tokens", json={"token": "t", "roles": "admin"})
    )


# --- backup status and durations --------------------------------------------------------------


@pytest.mark.parametrize("status", ["COMPLETED", "FAILED", "BUILDING", "DELETE_FAILED"])
def test_forced_backup_status_shows_in_the_api(client, status):
    seed_instance(client)
    backup = create_backup(client)
    answer = client.post(f"/_trovemock/backups/{backup['id']}/status", json={"status": status})
    assert answer.status_code == 200
    assert answer.get_json()["backup"]["status"] == status
    assert show_backup(client, backup["id"]).get_json()["backup"]["status"] == status


def test_status_of_an_unknown_backup_is_404(client):
    answer = client.post("/_trovemock/backups/nope/status", json={"status": "COMPLETED"})
    assert answer.status_code == 404
    assert "nope" in answer.get_json()["itemNotFound"]["message"]


def test_unknown_status_is_400_and_changes_nothing(client):
    seed_instance(client)
    backup = create_backup(client)
    answer = client.post(f"/_trovemock/backups/{backup['id']}/status", json={"status": "DONE"})
    assert "status" in bad_request_message(answer)
    assert show_backup(client, backup["id"]).get_json()["backup"]["status"] == "NEW"


def test_per_backup_durations(client):
    seed_instance(client)
    backup = create_backup(client)
    answer = client.post(
        f"/_trovemock/backups/{backup['id']}/durations",
        json={"new_seconds": 100, "building_seconds": 100},
    )
    assert answer.status_code == 200
    client.post("/_trovemock/clock", json={"advance": 50})
    assert show_backup(client, backup["id"]).get_json()["backup"]["status"] == "NEW"
    client.post("/_trovemock/clock", json={"advance": 100})
    assert show_backup(client, backup["id"]).get_json()["backup"]["status"] == "BUILDING"
    client.post("/_trovemock/clock", json={"advance": 100})
    assert show_backup(client, backup["id"]).get_json()["backup"]["status"] == "COMPLETED"


def test_bad_durations_are_400(client):
    seed_instance(client)
    backup = create_backup(client)
    url = f"/_trovemock/backups/{backup['id']}/durations"
    assert "new_seconds" in bad_request_message(client.post(url, json={"new_seconds": -1}))
    assert (
        client.post("/_trovemock/backups/nope/durations", json={"new_seconds": 1}).status_code
        == 404
    )


# --- reset ------------------------------------------------------------------------------------


def test_reset_empties_the_cloud_and_keeps_clock_and_config(client, mock):
    seed_instance(client)
    create_backup(client)
    client.put("/_trovemock/config", json={"page_size": 7})
    client.post("/_trovemock/clock", json={"advance": 60})
    assert client.post("/_trovemock/reset").status_code == 204
    assert client.get(f"/v1.0/{PROJECT}/backups", headers=TOKEN).get_json()["backups"] == []
    assert mock.instances() == []
    assert client.get("/_trovemock/config").get_json()["page_size"] == 7
    assert client.get("/_trovemock/clock").get_json()["now"] == "2030-01-01T00:01:00"


# --- openapi ----------------------------------------------------------------------------------


def test_openapi_document_is_served(client):
    answer = client.get("/_trovemock/openapi.json")
    assert answer.status_code == 200
    document = answer.get_json()
    assert document["openapi"].startswith("3.")
    assert any("/backups" in path for path in document["paths"])


def test_identity_users_are_configured_through_the_control_api(client):
    made = client.post(
        "/_trovemock/users",
        json={"name": "alice", "password": "s3cret", "project_id": PROJECT, "roles": ["admin"]},
    )
    assert made.status_code == 201
    assert made.json["user"] == {
        "name": "alice",
        "project_id": PROJECT,
        "roles": ["admin"],
        "api_key": False,
    }

    def login(password):
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": "alice",
                            "password": password,
                            "domain": {"name": "Default"},
                        }
                    },
                },
                "scope": {"project": {"name": PROJECT, "domain": {"name": "Default"}}},
            }
        }
        return client.post("/v3/auth/tokens", json=body)

    assert login("s3cret").status_code == 201
    assert login("wrong").status_code == 401


def test_bad_identity_user_is_400_naming_the_field(client):
    answer = client.post("/_trovemock/users", json={"name": "bob"})
    assert "password" in bad_request_message(answer)
    answer = client.post("/_trovemock/users", json={"name": "bob", "password": "x", "roles": "a"})
    assert "roles" in bad_request_message(answer)


def test_pretty_answers_are_indented_and_otherwise_the_same() -> None:
    from werkzeug.test import Client

    from trovemock import TroveMock

    client = Client(TroveMock())
    client.get("/v1.0/p1/backups", headers={"X-Auth-Token": "t"})
    paths = ("/_trovemock/clock", "/_trovemock/journal", "/_trovemock/journal?route=backups.list")
    for path in paths:
        plain = client.get(path)
        pretty = client.get(path + ("&" if "?" in path else "?") + "pretty")
        assert pretty.status_code == plain.status_code == 200
        assert pretty.json == plain.json
        assert pretty.get_data(as_text=True).startswith("{\n  ")
