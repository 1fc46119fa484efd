"""Trove `/backup_strategies` over HTTP, each answer checked against what the real Trove 26.0.0
API gives for the same request (run in-process from /work/shared/upstream-trove): codes,
bodies, messages, the upsert, the list filters, the admin rule, and the container
`POST /backups` picks (visible in `locationRef`).
"""

from __future__ import annotations

import pytest
from helpers import (
    OTHER_PROJECT,
    PROJECT,
    Api,
    completed_backup,
    fault_of,
    make,
    ok,
    random_id,
    seed_instance,
)

from trovemock import TroveMock

INSTANCE = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
def cloud() -> tuple[TroveMock, Api]:
    mock, api, _ = make("openstack")
    mock.add_instance(PROJECT, id=INSTANCE)
    return mock, api


def create(api: Api, swift_container: str, instance_id: str | None = None) -> dict:
    body: dict = {"swift_container": swift_container}
    if instance_id is not None:
        body["instance_id"] = instance_id
    return ok(api.post("/backup_strategies", {"backup_strategy": body}), 202)["backup_strategy"]


def listed(api: Api, **query) -> list[dict]:
    return ok(api.get("/backup_strategies", query=query))["backup_strategies"]


def test_create_project_wide_and_per_instance_and_list_them(cloud) -> None:
    _, api = cloud
    assert create(api, "proj-c") == {"project_id": PROJECT, "instance_id": "",
                                      "backend": "swift", "swift_container": "proj-c"}
    assert create(api, "inst-c", INSTANCE) == {"project_id": PROJECT, "instance_id": INSTANCE,
                                                "backend": "swift", "swift_container": "inst-c"}
    body = ok(api.get("/backup_strategies"))
    assert list(body) == ["backup_strategies"]  # no links, no paging
    assert [(s["instance_id"], s["swift_container"]) for s in body["backup_strategies"]] == [
        ("", "proj-c"), (INSTANCE, "inst-c")]


def test_create_again_overwrites_the_container_and_keeps_the_place(cloud) -> None:
    _, api = cloud
    create(api, "proj-c")
    create(api, "inst-c", INSTANCE)
    assert create(api, "inst-c2", INSTANCE)["swift_container"] == "inst-c2"
    assert create(api, "ok")["swift_container"] == "ok"
    assert [(s["instance_id"], s["swift_container"]) for s in listed(api)] == [
        ("", "ok"), (INSTANCE, "inst-c2")]


def test_the_instance_need_not_exist(cloud) -> None:
    _, api = cloud
    ghost = random_id()
    assert create(api, "c", ghost)["instance_id"] == ghost


def test_list_filters_by_instance_and_an_empty_filter_is_no_filter(cloud) -> None:
    _, api = cloud
    create(api, "proj-c")
    create(api, "inst-c", INSTANCE)
    assert [s["swift_container"] for s in listed(api, instance_id=INSTANCE)] == ["inst-c"]
    assert len(listed(api, instance_id="")) == 2
    assert listed(api, instance_id="zzz") == []


def test_another_project_needs_the_admin_role(cloud) -> None:
    mock, api = cloud
    create(api, "mine")
    for resp in (api.get("/backup_strategies", query={"project_id": OTHER_PROJECT}),
                 api.delete("/backup_strategies", query={"project_id": OTHER_PROJECT})):
        message = fault_of(resp, 403, "forbidden")
        assert message == f"Operation not allowed for tenant {PROJECT}."
    assert len(listed(api, project_id=PROJECT)) == 1  # one's own project is fine
    mock.add_token("admin-tok", PROJECT, roles=["admin"])
    admin = Api(mock, token="admin-tok")
    Api(mock, OTHER_PROJECT).post("/backup_strategies",
                                  {"backup_strategy": {"swift_container": "theirs"}})
    assert [s["swift_container"] for s in listed(admin, project_id=OTHER_PROJECT)] == ["theirs"]
    assert admin.delete("/backup_strategies",
                        query={"project_id": OTHER_PROJECT}).status_code == 202
    assert listed(admin, project_id=OTHER_PROJECT) == []
    assert [s["swift_container"] for s in listed(api)] == ["mine"]


def test_delete_takes_only_the_project_wide_row_or_one_instances_row(cloud) -> None:
    _, api = cloud
    create(api, "proj-c")
    create(api, "inst-c", INSTANCE)
    resp = api.delete("/backup_strategies")
    assert resp.status_code == 202 and resp.get_data() == b""
    assert [s["instance_id"] for s in listed(api)] == [INSTANCE]
    assert api.delete("/backup_strategies").status_code == 202  # absent: still 202
    assert api.delete("/backup_strategies", query={"instance_id": INSTANCE}).status_code == 202
    assert listed(api) == []


def test_strategies_belong_to_their_project(cloud) -> None:
    mock, api = cloud
    create(api, "mine")
    other = Api(mock, OTHER_PROJECT)
    assert listed(other) == []
    assert other.delete("/backup_strategies").status_code == 202
    assert len(listed(api)) == 1


@pytest.mark.parametrize(("body", "message"), [
    ({"backup_strategy": {}},
     "Validation error: backup_strategy 'swift_container' is a required property"),
    ({"backup_strategy": {"swift_container": "a", "x": 1}},
     "Validation error: backup_strategy Additional properties are not allowed "
     "('x' was unexpected)"),
    ({"backup_strategy": {"swift_container": "a", "instance_id": None}},
     "Validation error: backup_strategy['instance_id'] None is not of type 'string'"),
    ({"backup_strategy": {"swift_container": "a", "instance_id": "abc"}},
     "Validation error: backup_strategy['instance_id'] 'abc' does not match "
     "'^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$'"),
    ({"backup_strategy": {"swift_container": "---"}},
     "Validation error: backup_strategy['swift_container'] '---' does not match "
     "'^.*[0-9a-zA-Z]+.*$'"),
    ({"backup_strategy": {"swift_container": "a" * 256}}, "is too long"),
    ({"backup_strategy": {"swift_container": 5}},
     "Validation error: backup_strategy['swift_container'] 5 is not of type 'string'"),
    ({"backup_strategy": "x"}, "Validation error: backup_strategy 'x' is not of type 'object'"),
    ({}, "'backup_strategy' is a required property"),
])
def test_bad_bodies_are_400_with_troves_validation_text(cloud, body, message) -> None:
    _, api = cloud
    text = fault_of(api.post("/backup_strategies", body), 400, "badRequest")
    assert text.startswith(message) if message.startswith("Validation") else message in text
    assert listed(api) == []


def test_a_container_trove_would_refuse_on_a_backup_is_accepted_in_a_strategy(cloud) -> None:
    """Trove checks only a request's own swift_container with shlex; the strategy's passes."""
    mock, api = cloud
    create(api, "a b;rm")
    backup = completed_backup(api, INSTANCE)
    assert "/a b;rm/" in backup["locationRef"]


def test_unknown_keys_next_to_backup_strategy_are_ignored(cloud) -> None:
    _, api = cloud
    resp = api.post("/backup_strategies", {"backup_strategy": {"swift_container": "ok"},
                                           "other": 1})
    assert ok(resp, 202)["backup_strategy"]["swift_container"] == "ok"


# -- POST /backups picks the container ---------------------------------------------------------
def test_backups_go_to_the_instance_strategy_then_the_projects_then_the_default(cloud) -> None:
    mock, api = cloud
    other = seed_instance(mock)
    default = completed_backup(api, INSTANCE, "before")
    assert f"/AUTH_{PROJECT}/database_backups/{default['id']}" in default["locationRef"]
    create(api, "proj-c")
    create(api, "inst-c", INSTANCE)
    assert "/proj-c/" in completed_backup(api, other, "project's")["locationRef"]
    assert "/inst-c/" in completed_backup(api, INSTANCE, "instance's")["locationRef"]
    named = completed_backup(api, INSTANCE, "named", swift_container="own")
    assert "/own/" in named["locationRef"]  # the request's own container wins
    api.delete("/backup_strategies", query={"instance_id": INSTANCE})
    assert "/proj-c/" in completed_backup(api, INSTANCE, "after")["locationRef"]


def test_a_deleted_instance_keeps_its_strategy(cloud) -> None:
    _, api = cloud
    create(api, "inst-c", INSTANCE)
    assert api.delete(f"/instances/{INSTANCE}").status_code == 202
    assert [s["instance_id"] for s in listed(api)] == [INSTANCE]


# -- dialect, auth, methods, state ---------------------------------------------------------------
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_the_rackspace_dialect_answers_501(method) -> None:
    _, api, _ = make("rackspace")
    body = {"backup_strategy": {"swift_container": "c"}} if method == "POST" else None
    message = fault_of(api.request(method, "/backup_strategies", json_body=body), 501,
                       "notImplemented")
    assert "openstack" in message


def test_no_token_is_401_and_other_methods_405(cloud) -> None:
    _, api = cloud
    no_token = api.get("/backup_strategies", token=None)  # keystonemiddleware's 401
    assert no_token.status_code == 401 and no_token.json["error"]["code"] == 401
    fault_of(api.request("PUT", "/backup_strategies", json_body={}), 405, "badMethod")


def test_strategies_survive_export_import_and_reset_clears_them(cloud) -> None:
    mock, api = cloud
    create(api, "proj-c")
    create(api, "inst-c", INSTANCE)
    again = TroveMock()
    again.import_state(mock.export_state())
    assert listed(Api(again)) == listed(api)
    mock.reset()
    assert listed(api) == []


def test_python_api(cloud) -> None:
    mock, api = cloud
    strategy = mock.add_backup_strategy(PROJECT, "py-c", instance_id=INSTANCE)
    assert mock.backup_strategies(PROJECT) == [strategy] and mock.backup_strategies("x") == []
    assert listed(api)[0]["swift_container"] == "py-c"
    with pytest.raises(ValueError, match="openstack"):
        TroveMock("rackspace").add_backup_strategy(PROJECT, "c")
    with pytest.raises(ValueError, match="swift_container"):
        mock.add_backup_strategy(PROJECT, "")
