"""Rule 10: tokens and projects ."""

from __future__ import annotations

import pytest
from helpers import (
    DIALECTS,
    OTHER_PROJECT,
    PROJECT,
    Api,
    backup_body,
    completed_backup,
    fault_of,
    list_ids,
    make,
    ok,
    seed_instance,
)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    "method,path",
    [("GET", "/backups"), ("POST", "/backups"), ("GET", "/instances"), ("GET", "/flavors")],
)
def test_no_token_is_unauthorized(dialect: str, method: str, path: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    body = backup_body(instance) if method == "POST" else None
    resp = api.request(method, path, json_body=body, token=None)
    assert_unauthorized(dialect, resp)
    assert mock.backups() == []


def assert_unauthorized(dialect: str, resp) -> None:
    """openstack: keystonemiddleware's 401 (its body, WWW-Authenticate naming the identity
    service); rackspace: the documents' fault format."""
    if dialect == "rackspace":
        fault_of(resp, 401, "unauthorized")
        return
    assert resp.status_code == 401
    assert resp.json == {"error": {"code": 401, "title": "Unauthorized",
                                   "message": "The request you have made requires "
                                              "authentication."}}
    assert resp.headers["WWW-Authenticate"] == 'Keystone uri="http://localhost/v3"'


@pytest.mark.parametrize("dialect", DIALECTS)
def test_empty_token_is_unauthorized(dialect: str) -> None:
    _, api, _ = make(dialect)
    assert_unauthorized(dialect, api.get("/backups", headers={"X-Auth-Token": ""}))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_strict_tokens_refuse_made_up_tokens(dialect: str) -> None:
    """with `strict_tokens`, only tokens the identity service issued or that were
    registered work; the default accepts any token as a member of the URL's project."""
    mock, _, _ = make(dialect)
    mock.add_token("known", PROJECT)
    made_up = Api(mock, PROJECT, token="made-up")
    assert made_up.get("/backups").status_code == 200
    mock.config.update({"strict_tokens": True})
    assert_unauthorized(dialect, made_up.get("/backups"))
    assert Api(mock, PROJECT, token="known").get("/backups").status_code == 200


@pytest.mark.parametrize("dialect", DIALECTS)
def test_an_unregistered_token_acts_as_the_urls_project(dialect: str) -> None:
    mock, _, _ = make(dialect)
    p1 = Api(mock, PROJECT, token="anything-goes")
    p2 = Api(mock, OTHER_PROJECT, token="anything-goes")
    b1 = completed_backup(p1, seed_instance(mock, PROJECT))
    b2 = completed_backup(p2, seed_instance(mock, OTHER_PROJECT))
    assert list_ids(p1) == [b1["id"]]
    assert list_ids(p2) == [b2["id"]]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_registered_token_is_bound_to_its_project(dialect: str) -> None:
    mock, _, _ = make(dialect)
    mock.add_token("tok-p1", PROJECT)
    own = Api(mock, PROJECT, token="tok-p1")
    backup = completed_backup(own, seed_instance(mock, PROJECT))
    assert list_ids(own) == [backup["id"]]
    foreign = Api(mock, OTHER_PROJECT, token="tok-p1")
    fault_of(foreign.get("/backups"), 403, "forbidden")
    instance = seed_instance(mock, OTHER_PROJECT)
    fault_of(foreign.post("/backups", backup_body(instance)), 403, "forbidden")
    fault_of(foreign.get(f"/instances/{instance}"), 403, "forbidden")
    assert mock.backups(OTHER_PROJECT) == []


def test_openstack_admin_can_list_all_projects_and_filter_by_project() -> None:
    mock, _, _ = make("openstack")
    mock.add_token("admin-tok", PROJECT, roles=("admin",))
    admin = Api(mock, PROJECT, token="admin-tok")
    mine = completed_backup(admin, seed_instance(mock, PROJECT))
    theirs = completed_backup(Api(mock, OTHER_PROJECT), seed_instance(mock, OTHER_PROJECT))
    assert list_ids(admin) == [mine["id"]]
    assert list_ids(admin, all_projects="True") == [theirs["id"], mine["id"]]
    assert list_ids(admin, project_id=OTHER_PROJECT) == [theirs["id"]]
    listed = ok(admin.get("/backups", query={"all_projects": "true"}))["backups"]
    assert {b["project_id"] for b in listed} == {PROJECT, OTHER_PROJECT}


@pytest.mark.parametrize(
    "query", [{"all_projects": "True"}, {"all_projects": "1"}, {"project_id": OTHER_PROJECT},
              {"project_id": PROJECT}],
    ids=["all_projects=True", "all_projects=1", "project_id=other", "project_id=own"],
)
@pytest.mark.parametrize("token", ["unregistered", "member"])
def test_openstack_non_admin_cannot_use_admin_filters(query: dict, token: str) -> None:
    mock, _, _ = make("openstack")
    mock.add_token("member", PROJECT, roles=("member",))
    api = Api(mock, PROJECT, token=token)
    message = fault_of(api.get("/backups", query=query), 403, "forbidden")
    assert message == "Policy doesn't allow backup:index:all_projects to be performed."


def test_openstack_all_projects_false_is_an_ordinary_list() -> None:
    mock, api, project = make("openstack")
    mine = completed_backup(api, seed_instance(mock, project))
    completed_backup(Api(mock, OTHER_PROJECT), seed_instance(mock, OTHER_PROJECT))
    assert list_ids(api, all_projects="False") == [mine["id"]]
