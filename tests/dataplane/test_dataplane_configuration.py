"""Configuration groups reach the real server: a dynamic parameter at once, a restart-only
one at the next restart (RESTART_REQUIRED until then), and detaching brings the server's own
value back, as OpenStack's own configuration tests check over SQL."""

from __future__ import annotations


def setting(api, instance_id: str, name: str) -> int:
    """The server's value (ON/OFF as 1/0)."""
    conn = api.mock.connect(instance_id)
    try:
        cursor = conn.cursor()
        if api.engine == "mariadb":
            cursor.execute("SHOW VARIABLES WHERE Variable_name IN (%s)", (name,))
            value = cursor.fetchone()[1]
            return {"ON": 1, "OFF": 0}.get(value, value) if not value.isdigit() else int(value)
        cursor.execute("SELECT setting FROM pg_settings WHERE name = %s", (name,))
        return int(cursor.fetchone()[0])
    finally:
        conn.close()


def restart(api, instance_id: str) -> None:
    api.call("POST", f"/instances/{instance_id}/action", {"restart": {}}, 202)
    api.mock.clock.advance(api.mock.config.instance_action_seconds)
    assert api.mock.instance_status(instance_id) == "ACTIVE"


def test_max_connections_follows_the_group_as_openstacks_tests_check(api) -> None:
    instance_id = api.create()
    kind, version = api.datastore
    needs_restart = api.engine == "postgresql"  # a postmaster parameter there
    original = setting(api, instance_id, "max_connections")
    group = api.call("POST", "/configurations", {"configuration": {
        "name": "tuned", "values": {"max_connections": 155},
        "datastore": {"type": kind, "version": version}}}, 200).json["configuration"]["id"]
    api.call("PUT", f"/instances/{instance_id}", {"instance": {"configuration": group}}, 202)
    if needs_restart:
        assert api.mock.instance_status(instance_id) == "RESTART_REQUIRED"
        assert setting(api, instance_id, "max_connections") == original
        restart(api, instance_id)
    assert setting(api, instance_id, "max_connections") == 155

    api.call("PATCH", f"/configurations/{group}",
             {"configuration": {"values": {"max_connections": 166}}}, 200)
    if needs_restart:
        restart(api, instance_id)
    assert setting(api, instance_id, "max_connections") == 166

    api.call("PUT", f"/instances/{instance_id}", {"instance": {"configuration": None}}, 202)
    if needs_restart:
        restart(api, instance_id)
    assert setting(api, instance_id, "max_connections") == original


def test_a_restart_only_parameter_applies_at_the_restart(api) -> None:
    instance_id = api.create()
    kind, version = api.datastore
    name, value = (("performance_schema", True) if api.engine == "mariadb"
                   else ("max_connections", 120))
    group = api.call("POST", "/configurations", {"configuration": {
        "name": "restart", "values": {name: value},
        "datastore": {"type": kind, "version": version}}}, 200).json["configuration"]["id"]
    api.call("PUT", f"/instances/{instance_id}", {"instance": {"configuration": group}}, 202)
    assert api.mock.instance_status(instance_id) == "RESTART_REQUIRED"
    before = setting(api, instance_id, name)
    restart(api, instance_id)
    after = setting(api, instance_id, name)
    assert before != after and after == int(value)


def test_a_create_that_names_a_group_starts_with_its_values(api) -> None:
    kind, version = api.datastore
    group = api.call("POST", "/configurations", {"configuration": {
        "name": "at-start", "values": {"max_connections": 133},
        "datastore": {"type": kind, "version": version}}}, 200).json["configuration"]["id"]
    body = {"instance": {"name": "tuned", "flavorRef": "1", "volume": {"size": 1},
                         "datastore": {"type": kind, "version": version},
                         "configuration": group}}
    instance_id = api.call("POST", "/instances", body, 200).json["instance"]["id"]
    api.mock.clock.advance(api.mock.config.instance_build_seconds)
    assert api.mock.instance_status(instance_id) == "ACTIVE"
    assert setting(api, instance_id, "max_connections") == 133
