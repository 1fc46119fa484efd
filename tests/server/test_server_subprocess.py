"""`trovemock serve` as a real subprocess: banner, demo cloud, options, clean exit on signals.

`ServeProcess` is also used by the real-client tests (tests/real_clients/).
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from serve_process import ServeProcess, assert_clean_exit
from werkzeug.test import Client

from trovemock import ManualClock, TroveMock

# End to end: real processes, sockets or installs (slow; `pytest -m "not e2e"` leaves them out).
pytestmark = pytest.mark.e2e


def test_default_serve_is_a_demo_cloud_and_exits_cleanly_on_sigterm():
    with ServeProcess() as server:
        url = server.url
        for expected in (
            f"{url}/v1.0/demo",
            f"{url}/v3",
            f"{url}/v2.0",
            f"{url}/_trovemock/",
            "openstack --os-auth-type admin_token",
            "troveclient",
            "curl",
        ):
            assert expected in server.banner
        token = {"X-Auth-Token": "anything"}
        backups = requests.get(f"{url}/v1.0/demo/backups", headers=token, timeout=5).json()
        assert [b["status"] for b in backups["backups"]] == ["COMPLETED"]
        instances = requests.get(f"{url}/v1.0/demo/instances", headers=token, timeout=5).json()
        assert [i["status"] for i in instances["instances"]] == ["ACTIVE", "ACTIVE"]
        assert server.control("GET", "clock").json()["manual"] is False
        assert_clean_exit(server)


def test_ctrl_c_exits_cleanly():
    with ServeProcess("--no-seed-demo") as server:
        assert_clean_exit(server, signal.SIGINT)


def test_rackspace_region_and_manual_clock():
    args = ("--dialect", "rackspace", "--region", "iad", "--clock", "manual")
    with ServeProcess(*args, "--no-seed-demo") as server:
        url = server.url
        # no demo project is seeded: the banner shows a PROJECT placeholder
        assert re.search(rf"IAD\s+{url}/v1\.0/PROJECT$", server.banner, re.M)
        assert re.search(rf"DFW\s+{url}/regions/DFW/v1\.0/PROJECT$", server.banner, re.M)
        seeded = server.control("POST", "instances", {"project_id": "p1", "region": "IAD"})
        instance_id = seeded.json()["instance"]["id"]
        member = {"X-Auth-Token": "member"}
        here = requests.get(f"{url}/v1.0/p1/instances/{instance_id}", headers=member, timeout=5)
        there = requests.get(
            f"{url}/regions/DFW/v1.0/p1/instances/{instance_id}", headers=member, timeout=5
        )
        assert (here.status_code, there.status_code) == (200, 404)
        assert requests.get(f"{url}/v1.0/demo/backups", headers=member, timeout=5).json() == {
            "backups": []
        }
        moved = server.control("POST", "clock", {"advance": 60})
        assert moved.json()["now"] == "2014-02-13T21:48:16"
        assert_clean_exit(server)


def test_state_file_is_loaded_at_start_with_the_clock_where_it_was(tmp_path: Path):
    """Also: --admin-token registers an admin token next to the state's tokens."""
    mock = TroveMock(clock=ManualClock("2030-05-05T10:00:00"))
    instance = mock.add_instance("p1")
    local = Client(mock)
    token = {"X-Auth-Token": "t"}
    created = local.post(
        "/v1.0/p1/backups", headers=token, json={"backup": {"name": "b", "instance": instance.id}}
    )
    assert created.status_code == 202
    state_file = tmp_path / "cloud.json"
    state_file.write_text(json.dumps(mock.export_state()))
    expected = local.get("/v1.0/p1/backups", headers=token).get_json()

    args = ("--state", str(state_file), "--clock", "manual", "--admin-token", "root")
    with ServeProcess(*args) as server:
        served = requests.get(f"{server.url}/v1.0/p1/backups", headers=token, timeout=5)
        assert served.json() == expected
        assert server.control("GET", "clock").json()["now"] == "2030-05-05T10:00:00"
        assert (
            requests.get(f"{server.url}/v1.0/demo/instances", headers=token, timeout=5).json()[
                "instances"
            ]
            == []
        )  # a state replaces the demo seed
        assert_clean_exit(server)


def test_console_script_prints_the_version():
    script = Path(sys.executable).parent / "trovemock"
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0
    assert re.fullmatch(r"trovemock \d+\.\d+\.\d+\S*\n", done.stdout)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--state", "/nonexistent/cloud.json"), "cloud.json"),
        (("--dialect", "rackspace", "--region", "MOON"), "MOON"),
    ],
)
def test_bad_start_options_exit_2_with_a_message(args, message):
    command = [sys.executable, "-m", "trovemock.cli", "serve", "--port", "0", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_idle_connections_beyond_the_descriptor_limit_do_not_lock_out_a_client():
    import socket

    server = ServeProcess("--no-seed-demo", descriptor_limit=128)
    host, port = server.url.removeprefix("http://").split(":")
    idle = []
    try:
        for _ in range(150):  # more than the server has descriptors for, sending nothing
            sock = socket.create_connection((host, int(port)), timeout=5)
            idle.append(sock)
        answer = requests.get(f"{server.url}/v1.0/p1/backups",
                              headers={"X-Auth-Token": "t"}, timeout=10)
        assert answer.status_code == 200
    finally:
        for sock in idle:
            sock.close()
        assert_clean_exit(server)
