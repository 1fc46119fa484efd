"""python-troveclient's `backup_strategies` manager and the openstack CLI's
`database backup strategy create/list/delete`, unchanged, against `trovemock serve` as a
subprocess; a backup made afterwards lands in the strategy's container.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from serve_process import ServeProcess, assert_clean_exit
from troveclient.apiclient import exceptions as trove_exceptions
from troveclient.v1 import client as trove_client

# End to end: real processes, sockets or installs (slow; `pytest -m "not e2e"` leaves them out).
pytestmark = pytest.mark.e2e

PROJECT = "proj1"
INSTANCE = "11111111-2222-3333-4444-555555555555"
SECOND = "11111111-2222-3333-4444-666666666666"
OPENSTACK = Path(sys.executable).parent / "openstack"


@pytest.fixture(scope="module")
def server():
    with ServeProcess("--clock", "manual", "--no-seed-demo") as served:
        yield served
        assert_clean_exit(served)


@pytest.fixture
def cloud(server):
    assert server.control("POST", "reset").status_code == 204
    for instance_id in (INSTANCE, SECOND):
        seeded = server.control("POST", "instances", {"project_id": PROJECT, "id": instance_id})
        assert seeded.status_code == 201
    return server


def token_client(server: ServeProcess) -> trove_client.Client:
    auth = token_endpoint.Token(f"{server.url}/v1.0/{PROJECT}", "tok-123")
    return trove_client.Client(session=ks_session.Session(auth=auth))


def test_the_troveclient_manager_creates_lists_and_deletes(cloud) -> None:
    trove = token_client(cloud)
    project_wide = trove.backup_strategies.create(swift_container="proj-c")
    assert (project_wide.project_id, project_wide.instance_id) == (PROJECT, "")
    assert (project_wide.backend, project_wide.swift_container) == ("swift", "proj-c")
    trove.backup_strategies.create(instance_id=INSTANCE, swift_container="inst-c")
    trove.backup_strategies.create(instance_id=INSTANCE, swift_container="inst-c2")
    rows = [(s.instance_id, s.swift_container) for s in trove.backup_strategies.list()]
    assert rows == [("", "proj-c"), (INSTANCE, "inst-c2")]
    only = trove.backup_strategies.list(instance_id=INSTANCE)
    assert [s.swift_container for s in only] == ["inst-c2"]

    backup = trove.backups.create("nightly", INSTANCE)
    other = trove.backups.create("nightly", SECOND)
    assert cloud.control("POST", "clock", {"advance": 3600}).ok
    assert "/inst-c2/" in trove.backups.get(backup.id).locationRef
    assert "/proj-c/" in trove.backups.get(other.id).locationRef

    trove.backup_strategies.delete()  # the project-wide one
    assert [s.instance_id for s in trove.backup_strategies.list()] == [INSTANCE]
    trove.backup_strategies.delete(instance_id=INSTANCE)
    assert trove.backup_strategies.list() == []
    with pytest.raises(trove_exceptions.Forbidden, match="Operation not allowed"):
        trove.backup_strategies.list(project_id="someone-else")
    with pytest.raises(trove_exceptions.BadRequest, match="swift_container"):
        trove.backup_strategies.create(instance_id=INSTANCE)  # sends no container


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["HOME"] = str(tmp_path_factory.mktemp("home"))
    env["PYTHONWARNINGS"] = "ignore"
    return env


def cli(server: ServeProcess, env: dict[str, str], *command: str) -> str:
    auth = ["--os-auth-type", "admin_token", "--os-endpoint", f"{server.url}/v1.0/{PROJECT}",
            "--os-token", "tok-1"]
    done = subprocess.run([str(OPENSTACK), *auth, "database", "backup", "strategy", *command],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_openstack_cli_creates_lists_and_deletes(cloud, cli_env) -> None:
    created = json.loads(cli(cloud, cli_env, "create", "--instance-id", INSTANCE,
                             "--swift-container", "cli-c", "-f", "json"))
    assert created == {"backend": "swift", "instance_id": INSTANCE, "project_id": PROJECT,
                       "swift_container": "cli-c"}
    listed = json.loads(cli(cloud, cli_env, "list", "-f", "json"))
    assert listed == [{"Project ID": PROJECT, "Instance ID": INSTANCE,
                       "Swift Container": "cli-c"}]
    cli(cloud, cli_env, "delete", "--instance-id", INSTANCE)
    assert json.loads(cli(cloud, cli_env, "list", "-f", "json")) == []
