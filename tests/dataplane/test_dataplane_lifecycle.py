"""Nothing the data plane starts outlives it: deleting an instance, reset(), close(), the
pytest fixture's teardown and a `kill -9` of `trovemock serve` all stop the servers, which
are found by their own PID (and a PID's command line), never by name."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from dataplane_support import DATASTORE, make_plane, require, worker_network
from serve_process import ServeProcess

from trovemock import TroveMock
from trovemock.dataplane.processes import Registry


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def listening(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


def servers_of(mock: TroveMock) -> dict[str, dict]:
    return mock.dataplane_status()["servers"]


def test_delete_reset_and_close_stop_every_server(api) -> None:
    first, second, third = api.create("a"), api.create("b"), api.create("c")
    found = servers_of(api.mock)
    pids = {iid: info["pid"] for iid, info in found.items()}
    assert set(pids) == {first, second, third} and all(alive(p) for p in pids.values())
    api.call("DELETE", f"/instances/{first}", status=202)
    api.mock.wait_for_data()
    assert not alive(pids[first])
    address = (found[first]["address"], found[first]["port"])
    assert not listening(*address)
    backup_id = api.backup(second)
    path = Path(api.mock.backup_object(backup_id)["path"])
    api.mock.reset()
    assert not alive(pids[second]) and not path.exists()
    assert api.mock.dataplane_status()["servers"] == {}
    fourth = api.create("d")
    pid = servers_of(api.mock)[fourth]["pid"]
    directory = Path(api.mock.dataplane.root)
    api.mock.close()
    assert not alive(pid) and not alive(pids[third])
    assert not directory.exists()  # its own temporary directory is removed


def test_a_killed_serve_takes_its_servers_with_it(engine: str) -> None:
    kind, version = DATASTORE[engine]
    directory = tempfile.mkdtemp(prefix="trovemock-serve-")  # PostgreSQL's account enters it
    os.chmod(directory, 0o711)
    with ServeProcess("--dataplane", "servers", "--clock", "manual", "--no-seed-demo",
                      "--dataplane-net", worker_network(),
                      "--dataplane-dir", directory) as served:
        created = served_request(served, "POST", "/v1.0/p1/instances", {"instance": {
            "name": "a", "flavorRef": "1", "volume": {"size": 1},
            "datastore": {"type": kind, "version": version}}})
        served.control("POST", "dataplane/settle")
        status = served.control("GET", "dataplane").json()
        server = status["servers"][created["instance"]["id"]]
        assert server["state"] == "running", server
        pid = server["pid"]
        assert alive(pid)
        served.proc.kill()  # SIGKILL: no handler runs
        served.proc.wait()
        deadline = time.monotonic() + 5
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(pid), "the server outlived a killed emulator by 5 s"
    shutil.rmtree(directory, ignore_errors=True)


def served_request(served: ServeProcess, method: str, path: str, body=None) -> dict:
    import requests

    response = requests.request(method, served.url + path, json=body,
                                headers={"X-Auth-Token": "t"}, timeout=30)
    assert response.ok, response.text
    return response.json()


SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def test_the_registry_stops_what_a_dead_emulator_left_and_nothing_else(tmp_path) -> None:
    datadir = tmp_path / "servers" / "x" / "data"
    datadir.mkdir(parents=True)
    # stand-ins for servers: their command lines name a data directory, or not
    left = subprocess.Popen([*SLEEPER, str(datadir)])
    stranger = subprocess.Popen(SLEEPER)
    try:
        registry = Registry(tmp_path / "servers.json")
        registry.add("left", left.pid, datadir)
        registry.add("reused-pid", stranger.pid, tmp_path / "servers" / "y" / "data")
        assert registry.reap() == [left.pid]
        assert left.wait(10) == -signal.SIGTERM
        assert stranger.poll() is None  # its PID was recorded, its command line is not ours
        assert json.loads((tmp_path / "servers.json").read_text()) == {}
    finally:
        for process in (left, stranger):
            if process.poll() is None:
                process.kill()
                process.wait()


def test_a_plane_on_a_directory_reaps_its_predecessors_servers(tmp_path) -> None:
    directory = tmp_path / "plane"
    directory.mkdir()
    datadir = directory / "servers" / "old" / "data"
    datadir.mkdir(parents=True)
    left = subprocess.Popen([*SLEEPER, str(datadir)])
    try:
        Registry(directory / "servers.json").add("old", left.pid, datadir)
        plane = make_plane(tmp_path, directory=str(directory))
        try:
            assert left.wait(10) == -signal.SIGTERM
        finally:
            plane.close()
    finally:
        if left.poll() is None:
            left.kill()
            left.wait()


@pytest.mark.trove(dataplane="servers", engines=["mariadb"])
def test_the_trove_fixture_stops_its_servers_at_teardown(trove, request) -> None:
    require("mariadb")
    instance = trove.add_instance("p1", databases=["app"], users={"app": ["app"]},
                                  passwords={"app": "AppPass1"})
    conn = trove.connect(instance.id, "app", user="app", password="AppPass1")
    conn.close()
    pid = trove.dataplane_status()["servers"][instance.id]["pid"]
    request.config.stash.setdefault(FIXTURE_PIDS, []).append(pid)
    assert alive(pid)


FIXTURE_PIDS = pytest.StashKey[list]()


def test_after_the_fixture_test_its_server_is_gone(request) -> None:
    pids = request.config.stash.get(FIXTURE_PIDS, [])
    if not pids:
        pytest.skip("runs after test_the_trove_fixture_stops_its_servers_at_teardown")
    assert not any(alive(pid) for pid in pids)


def test_no_server_listens_beyond_loopback(api) -> None:
    instance_id = api.create()
    pid = servers_of(api.mock)[instance_id]["pid"]
    listening_on = _listening_addresses(pid)
    assert listening_on and all(host.startswith("127.") for host in listening_on)


def _listening_addresses(pid: int) -> set[str]:
    """The IPv4 addresses the process listens on, read from /proc/net/tcp by its sockets."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # LISTEN
                host_hex = fields[1].split(":")[0]
                if len(host_hex) == 8:
                    raw = bytes.fromhex(host_hex)[::-1]
                    found.add(".".join(str(b) for b in raw))
                else:
                    found.add("ipv6:" + host_hex)
    return found
