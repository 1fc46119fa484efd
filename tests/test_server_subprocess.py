"""`trovemock serve` as a real subprocess: banner, demo cloud, options, clean exit on signals.

`ServeProcess` is also used by the real-client tests (tests/test_real_clients_*.py).
"""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from werkzeug.test import Client

from trovemock import ManualClock, TroveMock

READY_TIMEOUT = 20.0
# serve() checks for its stop signal every 0.1 s; this bound only catches a server that hangs,
# with room for a loaded 2-core CI machine (it is not a speed target: see benchmarks/).
EXIT_TIMEOUT = 10.0


class ServeProcess:
    """Runs `python -m trovemock.cli serve --port 0 ARGS...` and reads the URL from its banner."""

    def __init__(self, *args: str) -> None:
        command = [sys.executable, "-m", "trovemock.cli", "serve", "--port", "0", "--quiet"]
        self.proc = subprocess.Popen(
            [*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0
        )
        try:
            self.banner = self._read_banner()
            match = re.search(r"on (http://127\.0\.0\.1:\d+)$", self.banner.splitlines()[0])
            assert match, self.banner
            self.url = match.group(1)
            self._wait_ready()
        except BaseException:
            self.proc.kill()
            self.proc.wait()
            raise

    def _read_banner(self) -> str:
        """Everything `serve` prints up to its last banner line (read unbuffered, so a
        select() on the pipe never misses lines already read into a buffer)."""
        output = b""
        deadline = time.monotonic() + READY_TIMEOUT
        with selectors.DefaultSelector() as selector:
            selector.register(self.proc.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not selector.select(timeout=0.1):
                    continue
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:  # the process ended before printing its banner
                    raise AssertionError(f"serve exited: {self.proc.stderr.read().decode()}")
                output += chunk
                if b"Press Ctrl-C" in output:
                    return output.decode()
        raise AssertionError(f"no banner within the timeout:\n{output.decode()}")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                if requests.get(self.url + "/_trovemock/clock", timeout=READY_TIMEOUT).ok:
                    return
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.05)

    def control(self, method: str, path: str, body=None) -> requests.Response:
        return requests.request(method, f"{self.url}/_trovemock/{path}", json=body, timeout=5)

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, float, str]:
        """Send `sig`; returns (exit code, seconds it took to exit, stderr)."""
        started = time.monotonic()
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=EXIT_TIMEOUT + 10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        elapsed = time.monotonic() - started
        return code, elapsed, self.proc.stderr.read().decode()

    def __enter__(self) -> ServeProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.stop()
        self.proc.stdout.close()
        self.proc.stderr.close()


def assert_clean_exit(server: ServeProcess, sig: int = signal.SIGTERM) -> None:
    code, elapsed, stderr = server.stop(sig)
    assert code == 0, stderr
    assert elapsed < EXIT_TIMEOUT
    assert "Traceback" not in stderr


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
