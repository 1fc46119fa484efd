"""A database user's own routes: show (`name` or `name@%`), rename, and the databases it may
use (list, grant, revoke), with Trove's errors, in both dialects."""

from __future__ import annotations

import pytest
from helpers import Api, fault_of, make, ok, random_id, seed_instance

from trovemock import TroveMock
from trovemock.config import DIALECTS


def cloud(dialect: str) -> tuple[TroveMock, Api, str]:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project, databases=("shop", "stats", "logs"),
                             users={"app": ("shop",)})
    return mock, api, f"/instances/{instance}/users"


def request(api: Api, method: str, path: str, body: dict):
    return api.request(method, path, json_body=body)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_show_a_user_by_name_or_name_at_host(dialect: str) -> None:
    _, api, users = cloud(dialect)
    expected = {"user": {"name": "app", "host": "%", "databases": [{"name": "shop"}]}}
    assert ok(api.get(f"{users}/app")) == expected
    assert ok(api.get(f"{users}/app@%25")) == expected
    message = fault_of(api.get(f"{users}/app@10.0.0.1"), 404, "itemNotFound")
    assert message == "User app@10.0.0.1 cannot be found on the instance."
    fault_of(api.get(f"{users}/nobody"), 404, "itemNotFound")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_grant_list_and_revoke_access(dialect: str) -> None:
    _, api, users = cloud(dialect)
    grant = {"databases": [{"name": "stats"}, {"name": "logs"}, {"name": "shop"}]}
    assert request(api, "PUT", f"{users}/app/databases", grant).status_code == 202
    assert ok(api.get(f"{users}/app/databases")) == {
        "databases": [{"name": "shop"}, {"name": "stats"}, {"name": "logs"}]}
    assert api.delete(f"{users}/app/databases/stats").status_code == 202
    listed = ok(api.get(users))["users"]
    assert listed == [{"name": "app", "host": "%",
                       "databases": [{"name": "shop"}, {"name": "logs"}]}]
    message = fault_of(api.delete(f"{users}/app/databases/stats"), 404, "itemNotFound")
    assert message == "Database stats cannot be found on the instance."


@pytest.mark.parametrize("dialect", DIALECTS)
def test_access_refusals_change_nothing(dialect: str) -> None:
    _, api, users = cloud(dialect)
    fault_of(request(api, "PUT", f"{users}/app/databases", {"databases": []}), 400,
             "badRequest")
    fault_of(request(api, "PUT", f"{users}/ghost/databases", {"databases": [{"name": "shop"}]}),
             404, "itemNotFound")
    fault_of(api.get(f"{users}/ghost/databases"), 404, "itemNotFound")
    assert ok(api.get(f"{users}/app/databases")) == {"databases": [{"name": "shop"}]}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_grant_of_a_database_that_does_not_exist_is_kept_as_mysql_keeps_it(
        dialect: str) -> None:
    _, api, users = cloud(dialect)
    later = {"databases": [{"name": "stats"}, {"name": "created_later"}]}
    assert request(api, "PUT", f"{users}/app/databases", later).status_code == 202
    assert ok(api.get(f"{users}/app/databases")) == {
        "databases": [{"name": "shop"}, {"name": "stats"}, {"name": "created_later"}]}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_rename_a_user_keeps_its_access(dialect: str) -> None:
    mock, api, users = cloud(dialect)
    other = {"users": [{"name": "reporting", "password": "pw"}]}
    assert api.post(users, other).status_code == 202
    taken = fault_of(request(api, "PUT", f"{users}/app", {"user": {"name": "reporting"}}),
                     400, "badRequest")
    assert taken == 'A user with the name "reporting" already exists.'
    moved = request(api, "PUT", f"{users}/app", {"user": {"name": "shop_app", "password": "n"}})
    assert moved.status_code == 202
    fault_of(api.get(f"{users}/app"), 404, "itemNotFound")
    assert ok(api.get(f"{users}/shop_app"))["user"]["databases"] == [{"name": "shop"}]
    assert request(api, "PUT", f"{users}/shop_app", {"user": {"password": "x"}}).status_code \
        == 202
    fault_of(request(api, "PUT", f"{users}/shop_app", {"user": {"host": "10.%"}}), 400,
             "badRequest")
    fault_of(request(api, "PUT", f"{users}/shop_app", {"user": {}}), 400, "badRequest")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_user_routes_of_an_unknown_instance_are_not_found(dialect: str) -> None:
    _, api, _ = make(dialect)
    users = f"/instances/{random_id()}/users"
    fault_of(api.get(f"{users}/app"), 404, "itemNotFound")
    fault_of(api.get(f"{users}/app/databases"), 404, "itemNotFound")
    fault_of(api.delete(f"{users}/app/databases/shop"), 404, "itemNotFound")


def test_access_changes_wait_for_an_available_instance() -> None:
    mock, api, users = cloud("openstack")
    instance = users.split("/")[2]
    # the instance is busy (status BACKUP) while a backup of it runs
    assert api.post("/backups", {"backup": {"name": "b", "instance": instance}}).status_code \
        == 202
    fault_of(request(api, "PUT", f"{users}/app/databases", {"databases": [{"name": "logs"}]}),
             422, "unprocessableEntity")
    assert ok(api.get(f"{users}/app/databases")) == {"databases": [{"name": "shop"}]}


def test_python_troveclient_drives_every_user_route(troveclient_on_a_server) -> None:
    client, mock, instance = troveclient_on_a_server
    client.users.grant(instance, "app", ["stats"])
    assert [d.name for d in client.users.list_access(instance, "app")] == ["shop", "stats"]
    assert [d.name for d in client.users.list_access(instance, "app", "%")] == ["shop", "stats"]
    client.users.revoke(instance, "app", "shop")
    client.users.update_attributes(instance, "app", {"name": "reader", "password": "n3w"})
    shown = client.users.get(instance, "reader")
    assert (shown.name, shown.databases) == ("reader", [{"name": "stats"}])
    client.users.change_passwords(instance, [{"name": "reader", "password": "again"}])
    with pytest.raises(Exception, match="cannot be found on the instance"):
        client.users.change_passwords(instance, [{"name": "ghost", "password": "x"}])
    assert mock.instance(instance).users == {"reader": ("stats",)}


@pytest.fixture
def troveclient_on_a_server():
    """python-troveclient v1 against a loopback server (fixed endpoint and token)."""
    session_module = pytest.importorskip("keystoneauth1.session")
    token_endpoint = pytest.importorskip("keystoneauth1.token_endpoint")
    client_module = pytest.importorskip("troveclient.v1.client")
    from trovemock.server import BackgroundServer

    mock = TroveMock()
    instance = mock.add_instance("p1", databases=["shop", "stats"], users={"app": ["shop"]}).id
    with BackgroundServer(mock) as server:
        auth = token_endpoint.Token(f"{server.url}/v1.0/p1", "t")
        yield client_module.Client(session=session_module.Session(auth=auth)), mock, instance
