"""The databases, users and root APIs act on the instance's real server: what they grant a
client can really use, what they revoke it really cannot, and the lists show what the server
holds (what was made over SQL included)."""

from __future__ import annotations

import pytest


def can_connect(api, instance_id: str, user: str, password: str, database: str) -> bool:
    try:
        conn = api.connect(instance_id, database, user, password)
    except Exception:  # noqa: BLE001 - any driver's refusal
        return False
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT 1")
        return [tuple(r) for r in cursor.fetchall()] == [(1,)]
    except Exception:  # noqa: BLE001 - MariaDB refuses a database at USE time
        return False
    finally:
        conn.close()


def test_the_create_bodys_user_logs_in_with_its_password_and_no_other(api) -> None:
    instance_id = api.create()
    assert can_connect(api, instance_id, "test_user", "PassW0rd", "test_db")
    assert not can_connect(api, instance_id, "test_user", "wrong", "test_db")
    shown = api.call("GET", f"/instances/{instance_id}", status=200).json["instance"]
    endpoint = api.mock.endpoint(instance_id)
    assert shown["ip"] == [endpoint.host]
    assert endpoint.host.startswith("127.77.") and endpoint.port in (3306, 5432)
    assert shown["datastore"]["version_number"] == endpoint.version


def test_lists_read_the_server_including_what_was_made_over_sql(api) -> None:
    instance_id = api.create()
    conn = api.mock.connect(instance_id)
    try:
        if api.engine == "postgresql":
            conn.autocommit = True
        conn.cursor().execute("CREATE DATABASE made_over_sql")
    finally:
        conn.close()
    names = [d["name"] for d in api.call(
        "GET", f"/instances/{instance_id}/databases", status=200).json["databases"]]
    assert names == sorted(["made_over_sql", "test_db"])
    users = api.call("GET", f"/instances/{instance_id}/users", status=200).json["users"]
    assert [(u["name"], [d["name"] for d in u["databases"]]) for u in users] == [
        ("test_user", ["test_db"])]  # the data plane's own admin account is not listed


def test_grant_and_revoke_decide_who_can_use_a_database(api) -> None:
    instance_id = api.create()
    api.call("POST", f"/instances/{instance_id}/databases",
             {"databases": [{"name": "foo"}, {"name": "bar"}]}, 202)
    api.call("POST", f"/instances/{instance_id}/users", {"users": [
        {"name": "foo_user", "password": "Secret1", "databases": [{"name": "foo"}]}]}, 202)
    assert can_connect(api, instance_id, "foo_user", "Secret1", "foo")
    api.call("DELETE", f"/instances/{instance_id}/users/foo_user/databases/foo", status=202)
    assert not can_connect(api, instance_id, "foo_user", "Secret1", "foo")
    api.call("PUT", f"/instances/{instance_id}/users/foo_user/databases",
             {"databases": [{"name": "bar"}]}, 202)
    assert can_connect(api, instance_id, "foo_user", "Secret1", "bar")
    access = api.call("GET", f"/instances/{instance_id}/users/foo_user/databases",
                      status=200).json["databases"]
    assert [d["name"] for d in access] == ["bar"]


def test_password_rename_and_delete_reach_the_server(api) -> None:
    instance_id = api.create()
    api.call("PUT", f"/instances/{instance_id}/users/test_user",
             {"user": {"password": "N3wSecret"}}, 202)
    assert not can_connect(api, instance_id, "test_user", "PassW0rd", "test_db")
    assert can_connect(api, instance_id, "test_user", "N3wSecret", "test_db")
    api.call("PUT", f"/instances/{instance_id}/users",
             {"users": [{"name": "test_user", "password": "Th1rd"}]}, 202)
    assert can_connect(api, instance_id, "test_user", "Th1rd", "test_db")
    api.call("PUT", f"/instances/{instance_id}/users/test_user",
             {"user": {"name": "renamed", "password": "Renamed1"}}, 202)
    assert can_connect(api, instance_id, "renamed", "Renamed1", "test_db")
    assert not can_connect(api, instance_id, "test_user", "Renamed1", "test_db")
    api.call("DELETE", f"/instances/{instance_id}/users/renamed", status=202)
    assert not can_connect(api, instance_id, "renamed", "Renamed1", "test_db")
    api.call("DELETE", f"/instances/{instance_id}/databases/test_db", status=202)
    assert "test_db" not in api.mock.dataplane.list_databases(instance_id)


def test_root_enable_gives_a_working_login_and_disable_takes_it_away(api) -> None:
    instance_id = api.create()
    root = api.call("POST", f"/instances/{instance_id}/root", status=200).json["user"]
    system = "mysql" if api.engine == "mariadb" else "postgres"
    assert can_connect(api, instance_id, "root", root["password"], system)
    again = api.call("POST", f"/instances/{instance_id}/root",
                     {"password": "Chosen1"}, 200).json["user"]
    assert again["password"] == "Chosen1"
    assert not can_connect(api, instance_id, "root", root["password"], system)
    assert can_connect(api, instance_id, "root", "Chosen1", system)
    api.call("DELETE", f"/instances/{instance_id}/root", status=204)
    assert not can_connect(api, instance_id, "root", "Chosen1", system)


def test_a_restore_brings_back_users_and_grants_and_ignores_what_exists(api) -> None:
    source = api.create()
    api.call("POST", f"/instances/{source}/users", {"users": [
        {"name": "app", "password": "AppPass1", "databases": [{"name": "test_db"}]}]}, 202)
    backup_id = api.backup(source)
    # the body names a user the backup holds already, as OpenStack's own tests do
    restored = api.create("restored", backup=backup_id)
    assert can_connect(api, restored, "app", "AppPass1", "test_db")
    assert can_connect(api, restored, "test_user", "PassW0rd", "test_db")


@pytest.mark.parametrize("engine", ["mariadb"], indirect=True)
def test_a_database_dropped_behind_the_apis_back_is_gone_from_the_api(api) -> None:
    instance_id = api.create()
    conn = api.mock.connect(instance_id)
    try:
        conn.cursor().execute("DROP DATABASE test_db")  # behind the API's back
    finally:
        conn.close()
    refused = api.call("DELETE", f"/instances/{instance_id}/databases/test_db").json
    assert "itemNotFound" in refused  # the list is read from the server first
