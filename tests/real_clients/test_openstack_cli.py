"""The openstack CLI (python-openstackclient + the troveclient plugin) against
`trovemock serve` as a subprocess, with a fixed token and with a keystone v3 password.

The CLI takes about a second to start, so this module runs it only seven times.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from serve_process import ServeProcess, assert_clean_exit

# End to end: real processes, sockets or installs (slow; `pytest -m "not e2e"` leaves them out).
pytestmark = pytest.mark.e2e

PROJECT = "proj1"
INSTANCE = "11111111-2222-3333-4444-555555555555"
OPENSTACK = Path(sys.executable).parent / "openstack"


@pytest.fixture(scope="module")
def server():
    with ServeProcess("--clock", "manual", "--no-seed-demo", "--user", "alice:s3cret") as served:
        seeded = served.control("POST", "instances", {"project_id": PROJECT, "id": INSTANCE})
        assert seeded.status_code == 201
        yield served
        assert_clean_exit(served)


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory) -> dict[str, str]:
    """No OS_* variables or clouds.yaml of the person running the tests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["HOME"] = str(tmp_path_factory.mktemp("home"))
    env["PYTHONWARNINGS"] = "ignore"
    return env


def token_args(server: ServeProcess) -> list[str]:
    endpoint = f"{server.url}/v1.0/{PROJECT}"
    return ["--os-auth-type", "admin_token", "--os-endpoint", endpoint, "--os-token", "tok-1"]


def password_args(server: ServeProcess, password: str = "s3cret") -> list[str]:
    return [
        "--os-auth-url", f"{server.url}/v3", "--os-identity-api-version", "3",
        "--os-username", "alice", "--os-password", password, "--os-project-name", PROJECT,
        "--os-user-domain-name", "Default", "--os-project-domain-name", "Default",
    ]  # fmt: skip


def start(env: dict[str, str], auth: list[str], *command: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(OPENSTACK), *auth, "database", "backup", *command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(env: dict[str, str], auth: list[str], *command: str) -> tuple[int, str, str]:
    proc = start(env, auth, *command)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def test_backup_create_list_show_delete_with_token_and_password(server, cli_env):
    code, out, err = run(
        cli_env, token_args(server), "create", "nightly", "--instance", INSTANCE,
        "--description", "from the openstack CLI", "-f", "json",
    )  # fmt: skip
    assert code == 0, err
    created = json.loads(out)
    assert created["name"] == "nightly" and created["status"] == "NEW"
    assert created["instance_id"] == INSTANCE

    assert server.control("POST", "clock", {"advance": 3600}).ok
    code, out, err = run(cli_env, token_args(server), "list", "-f", "json")
    assert code == 0, err
    assert [(row["ID"], row["Status"]) for row in json.loads(out)] == [(created["id"], "COMPLETED")]

    code, out, err = run(cli_env, password_args(server), "show", created["id"], "-f", "json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["status"] == "COMPLETED" and shown["datastore"] == "mysql"
    assert shown["description"] == "from the openstack CLI"

    code, out, err = run(cli_env, password_args(server), "delete", created["id"])
    assert code == 0, err
    gone = requests.get(
        f"{server.url}/v1.0/{PROJECT}/backups/{created['id']}",
        headers={"X-Auth-Token": "t"},
        timeout=5,
    )
    assert gone.status_code == 404


def test_errors_are_reported_with_rc_1(server, cli_env):
    missing = start(cli_env, token_args(server), "delete", "00000000-0000-0000-0000-000000000000")
    refused = start(cli_env, password_args(server, password="wrong"), "list")
    missing_output = "".join(missing.communicate(timeout=60))  # the CLI splits its messages
    refused_output = "".join(refused.communicate(timeout=60))  # over stdout and stderr
    assert missing.returncode == 1
    assert "cannot be found. (HTTP 404)" in missing_output
    assert "Unable to delete" in missing_output
    assert refused.returncode == 1
    assert "(HTTP 401)" in refused_output
