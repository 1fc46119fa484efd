"""cdbclient 1.0.9 (`cdb-cli`, Rackspace's CLI) against `trovemock serve --dialect rackspace`,
logged in with an API key (`--os-auth-system rax`) through the emulated Rackspace identity."""

from __future__ import annotations

import json
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


SCHEDULED = "22222222-3333-4444-5555-666666666666"
# What `cdb-cli schedule-list` prints for each row (reference/neighbour-apis.md §1.6).
SCHEDULE_LIST_COLUMNS = {
    "id", "instance_id", "action", "minute", "hour", "day_of_month", "month", "day_of_week",
    "last_scheduled", "full_backup_retention", "next_run",
}


@pytest.fixture(scope="module")
def schedule_server():
    """A server of their own: a run_now run makes an automated backup, which the backup
    tests above must not see."""
    yield from serve("--dialect", "rackspace", "--user", f"alice:key-1:{ACCOUNT}")


@pytest.fixture(scope="module")
def schedule_env(cli_env, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A HOME of its own: cdb-cli caches its login (the whole service catalog, so the other
    server's port) in ~/.cdbclient/<tenant>."""
    return {**cli_env, "HOME": str(tmp_path_factory.mktemp("schedule-home"))}


def requests_of(server, route: str) -> list[dict]:
    return server.control("GET", f"journal?route={route}").json()["journal"]


def test_schedule_commands(schedule_server, schedule_env) -> None:
    cli_env = schedule_env
    server = schedule_server
    assert server.control("POST", "instances", {"project_id": ACCOUNT, "id": SCHEDULED}).ok
    created = cdb_json(server, cli_env, "schedule-create-backup", "--instance_id", SCHEDULED,
                       "--day", "0", "--hour", "14", "--minute", "30", "--copy-to", "IAD,ORD")
    assert created["instance_id"] == SCHEDULED and created["copy_to"] == ["IAD", "ORD"]
    assert (created["day_of_week"], created["hour"], created["minute"]) == (0, 14, 30)
    assert created["full_backup_retention"] == 2
    (sent,) = requests_of(server, "schedules.create")
    assert sent["request_json"] == {"schedule": {
        "action": "backup", "instance_id": SCHEDULED, "source_id": None, "source_type": None,
        "copy_to": ["IAD", "ORD"], "day_of_week": 0, "hour": 14, "minute": 30}}

    listed = cdb_json(server, cli_env, "schedule-list")
    assert [s["id"] for s in listed] == [created["id"]]
    assert SCHEDULE_LIST_COLUMNS <= set(listed[0])
    assert requests_of(server, "schedules.show") == []  # no extra GET per row
    assert cdb_json(server, cli_env, "schedule-show", created["id"])["next_run"] \
        == created["next_run"]

    code, out, err = run(cdb(server, "schedule-update", created["id"],
                             "--full-backup-retention", "3", "--day", "2", "--hour", "6",
                             "--minute", "19", "--copy-to", "IAD"), cli_env)
    assert code == 0, out + err
    (update,) = requests_of(server, "schedules.update")
    assert update["status"] == 202
    assert update["request_json"]["schedule"]["copy_to"] == "IAD"  # the raw comma string
    shown = cdb_json(server, cli_env, "schedule-show", created["id"])
    assert (shown["full_backup_retention"], shown["day_of_week"], shown["hour"],
            shown["minute"], shown["copy_to"]) == (3, 2, 6, 19, ["IAD"])

    code, out, err = run(cdb(server, "schedule-update", created["id"], "--run-now"), cli_env)
    assert code == 0, out + err
    automated = cdb_json(server, cli_env, "backup-list")  # this look runs the schedule
    assert [(b["instance_id"], b["is_automated"]) for b in automated] == [(SCHEDULED, 1)]

    code, out, err = run(cdb(server, "schedule-delete", created["id"]), cli_env)
    assert code == 0, out + err
    code, out, err = run(cdb(server, "schedule-show", created["id"]), cli_env)
    assert code == 1 and "(HTTP 404)" in out + err


def test_an_ha_schedule(schedule_server, schedule_env) -> None:
    cli_env = schedule_env
    server = schedule_server
    ha = server.control("POST", "ha", {"project_id": ACCOUNT, "name": "ha-s"}).json()["ha"]
    created = cdb_json(server, cli_env, "schedule-create-backup", "--source_type", "ha",
                       "--source_id", ha["id"], "--day", "7", "--hour", "2", "--minute", "0")
    assert created["source"] == {"type": "ha", "id": ha["id"]}
    assert created["instance_id"] is None and created["day_of_week"] == 7
    code, out, err = run(cdb(server, "ha-mysql-show", ha["id"]), cli_env)
    assert code == 0, out + err


GROUPED = "33333333-4444-5555-6666-777777777777"


def values_of(printed: dict) -> dict:
    """cdb-cli --json prints a group's values as the JSON text of them."""
    values = printed["values"]
    return json.loads(values) if isinstance(values, str) else values


def test_configuration_group_and_replica_commands(server, cli_env) -> None:
    assert server.control("POST", "instances", {
        "project_id": ACCOUNT, "id": GROUPED, "datastore": {"type": "mysql", "version": "5.6"},
    }).ok
    made = cdb_json(server, cli_env, "configuration-create", "tuned",
                    '{"max_connections": 300}', "--datastore", "mysql",
                    "--datastore_version", "5.6")
    assert made["name"] == "tuned" and values_of(made) == {"max_connections": 300}
    listed = cdb_json(server, cli_env, "configuration-list")
    assert [g["id"] for g in listed] == [made["id"]]
    code, _, err = run(cdb(server, "configuration-attach", GROUPED, made["id"]), cli_env)
    assert code == 0, err
    users = cdb_json(server, cli_env, "configuration-instances", made["id"])
    assert [u["id"] for u in users] == [GROUPED]
    code, _, err = run(cdb(server, "configuration-patch", made["id"], '{"wait_timeout": 60}'),
                       cli_env)
    assert code == 0, err
    shown = cdb_json(server, cli_env, "configuration-show", made["id"])
    assert values_of(shown) == {"max_connections": 300, "wait_timeout": 60}
    code, _, err = run(cdb(server, "configuration-detach", GROUPED), cli_env)
    assert code == 0, err
    code, _, err = run(cdb(server, "configuration-delete", made["id"]), cli_env)
    assert code == 0, err

    replica = cdb_json(server, cli_env, "create", "reader", "2", "--size", "3",
                       "--replica_of", GROUPED)
    assert replica["name"] == "reader" and replica["flavor"] == "2"
    replicas = cdb_json(server, cli_env, "replica-list", GROUPED)
    assert [r["id"] for r in replicas] == [replica["id"]]
