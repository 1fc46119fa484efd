"""Replicas with a data plane are real replicas: seeded from a backup of the primary, then
following it (MariaDB: GTID replication; PostgreSQL: streaming), so what is written on the
primary shows up on the replica, through the API's lists and over SQL; a promoted replica
takes writes and the old primary follows it; a detached replica stands alone."""

from __future__ import annotations

import time


def wait_for(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def names(api, instance_id: str) -> list[str]:
    listed = api.call("GET", f"/instances/{instance_id}/databases", status=200).json
    return [d["name"] for d in listed["databases"]]


def rows(api, instance_id: str) -> list[tuple]:
    conn = api.mock.connect(instance_id, "test_db")
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT id FROM persons ORDER BY id")
        return [tuple(r) for r in cursor.fetchall()]
    finally:
        conn.close()


def write(api, instance_id: str, statement: str) -> None:
    conn = api.mock.connect(instance_id, "test_db")
    try:
        conn.cursor().execute(statement)
        conn.commit()
    finally:
        conn.close()


def make_replica(api, primary: str) -> str:
    body = {"instance": {"name": "replica", "replica_of": primary}}
    replica = api.call("POST", "/instances", body, 200).json["instance"]["id"]
    api.mock.clock.advance(api.mock.config.instance_build_seconds)
    assert api.mock.instance_status(replica) == "ACTIVE", api.mock.instance(replica).fault
    return replica


def test_a_replica_follows_its_primary(api) -> None:
    primary = api.create()
    write(api, primary, "CREATE TABLE persons (id INT PRIMARY KEY)")
    write(api, primary, "INSERT INTO persons VALUES (1)")
    replica = make_replica(api, primary)
    assert rows(api, replica) == [(1,)]
    assert api.mock.endpoint(replica).host != api.mock.endpoint(primary).host
    api.call("POST", f"/instances/{primary}/databases",
             {"databases": [{"name": "db_for_replication"}]}, 202)
    write(api, primary, "INSERT INTO persons VALUES (2)")
    assert wait_for(lambda: "db_for_replication" in names(api, replica))
    assert wait_for(lambda: rows(api, replica) == [(1,), (2,)])
    shown = api.call("GET", f"/instances/{primary}", status=200).json["instance"]
    assert [r["id"] for r in shown["replicas"]] == [replica]


def test_promote_then_the_old_primary_follows_and_detach_stands_alone(api) -> None:
    primary = api.create()
    write(api, primary, "CREATE TABLE persons (id INT PRIMARY KEY)")
    replica = make_replica(api, primary)
    api.call("POST", f"/instances/{replica}/action", {"promote_to_replica_source": {}}, 202)
    api.mock.clock.advance(api.mock.config.instance_action_seconds)
    write(api, replica, "INSERT INTO persons VALUES (7)")
    assert wait_for(lambda: rows(api, primary) == [(7,)])
    api.call("PUT", f"/instances/{primary}", {"instance": {"replica_of": ""}}, 202)
    api.mock.clock.advance(api.mock.config.instance_action_seconds)
    write(api, primary, "INSERT INTO persons VALUES (8)")  # it takes writes again
    write(api, replica, "INSERT INTO persons VALUES (9)")
    time.sleep(0.5)
    assert rows(api, primary) == [(7,), (8,)] and rows(api, replica) == [(7,), (9,)]
