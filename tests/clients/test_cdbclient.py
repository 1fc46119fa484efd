"""cdbclient 1.0.9 (`cdb-cli`, Rackspace's CLI) against `trovemock serve --dialect rackspace`,
logged in with an API key (`--os-auth-system rax`) through the emulated Rackspace identity."""

from __future__ import annotations

import time

import pytest
from conftest import run, run_json, serve, venv_bin

VENV = "cdbclient"
ACCOUNT = "123456"
INSTANCE = "11111111-2222-3333-4444-555555555555"


@pytest.fixture(scope="module")
def server():
    yield from serve("--dialect", "rackspace", "--user", f"alice:key-1:{ACCOUNT}")


@pytest.fixture(scope="module")
def seeded(server) -> dict[str, str]:
    assert server.control("POST", "instances", {"project_id": ACCOUNT, "id": INSTANCE}).ok
    ha = server.control("POST", "ha", {"project_id": ACCOUNT, "name": "ha-1"}).json()["ha"]
    return {"instance": INSTANCE, "ha": ha["id"]}


def cdb(server, *args: str) -> list[str]:
    return [
        str(venv_bin(VENV, "cdb-cli")), "--os-auth-system", "rax",
        "--os-auth-url", f"{server.url}/v2.0", "--os-username", "alice",
        "--os-password", "key-1", "--os-tenant-id", ACCOUNT, "--os-region-name", "DFW",
        *args,
    ]  # fmt: skip


def cdb_json(server, env, *args: str):
    return run_json(cdb(server, "--json", *args), env)


def wait_completed(server, env, backup_id: str) -> dict:
    """Poll `backup-show` until COMPLETED (the server runs on the wall clock, fast)."""
    for _ in range(100):
        shown = cdb_json(server, env, "backup-show", backup_id)
        if shown["status"] == "COMPLETED":
            return shown
        time.sleep(0.1)
    raise AssertionError(f"{backup_id} never completed: {shown}")


def test_backups_and_copies_with_and_without_a_name(server, seeded, cli_env) -> None:
    created = cdb_json(server, cli_env, "backup-create", "nightly",
                       "--instance", seeded["instance"], "--description", "from cdb-cli")
    assert created["status"] == "NEW" and created["source"]["type"] == "instance"
    listed = cdb_json(server, cli_env, "backup-list")
    assert [b["id"] for b in listed] == [created["id"]]
    wait_completed(server, cli_env, created["id"])

    code, out, err = run(cdb(server, "backup-copy", created["id"], "ORD"), cli_env)
    assert code == 0, out + err  # sends "name": null
    code, out, err = run(cdb(server, "backup-copy", created["id"], "IAD",
                             "--name", "named-copy"), cli_env)
    assert code == 0, out + err
    copies = server.control("GET", "journal?route=backups.action").json()["journal"]
    assert [e["request_json"]["copy-backup"]["name"] for e in copies] == [None, "named-copy"]
    assert [e["status"] for e in copies] == [202, 202]

    code, out, err = run(cdb(server, "backup-delete", created["id"]), cli_env)
    assert code == 0, out + err
    code, out, err = run(cdb(server, "backup-show", created["id"]), cli_env)
    assert code == 1 and "(HTTP 404)" in out + err


def test_ha_backups_and_the_ha_list(server, seeded, cli_env) -> None:
    ha = seeded["ha"]
    listed = cdb_json(server, cli_env, "ha-mysql-list")
    assert listed == [{"id": ha, "name": "ha-1", "state": "ACTIVE",
                       "datastore": {"type": "mysql", "version": "5.6"}}]
    code, out, err = run(cdb(server, "ha-mysql-show", ha), cli_env)  # reads flavor.name
    assert code == 0, out + err
    assert "512MB Instance" in out and "servicenet" in out and "ha-1-source" in out

    backup = cdb_json(server, cli_env, "backup-create", "ha-nightly", "--ha_instance", ha)
    assert backup["source"] == {"type": "ha", "id": ha} and backup["instance_id"] is None
    of_ha = cdb_json(server, cli_env, "ha-mysql-backup-list", ha)
    assert [b["id"] for b in of_ha] == [backup["id"]]


def test_datastore_commands(server, seeded, cli_env) -> None:
    names = {d["name"] for d in cdb_json(server, cli_env, "datastore-list")}
    assert {"mysql", "percona", "mariadb"} <= names
    # these two index each version's flavors (id, name, ram, links): a KeyError otherwise
    for command in (["datastore-show", "mysql"],
                    ["datastore-version-show", "5.7", "--datastore", "mysql"]):
        code, out, err = run(cdb(server, *command), cli_env)
        assert code == 0, out + err
        assert "scheduled_backup_supported" in out
    versions = cdb_json(server, cli_env, "datastore-version-list", "mysql")
    assert {"5.6", "5.7", "8.0"} <= {v["name"] for v in versions}


def test_root_commands(server, seeded, cli_env) -> None:
    enabled = cdb_json(server, cli_env, "root-enable", seeded["instance"])
    assert enabled["name"] == "root" and enabled["password"]
    shown = cdb_json(server, cli_env, "root-show", seeded["instance"])
    assert shown["is_root_enabled"] is True


# Schedules (`schedule-create-backup`, `schedule-list`, `schedule-show`, `schedule-update`,
# `schedule-delete`) belong to issue 12: add their cdb-cli tests here, with `cdb(...)` above.
