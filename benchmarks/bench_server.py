"""Benchmark 5: server start to first successful response, and stop. Target: < 100 ms each.
Also what the pytest plugin costs every pytest session once trovemock is installed.

In this process: `BackgroundServer(mock).start()` until a GET /backups answers 200, then
`stop()`; moto's `ThreadedMotoServer` the same way (an RDS DescribeDBSnapshots). As a
subprocess: `trovemock serve --port 0` from `Popen` until the first 200 (the port is read from
its banner; the request goes over a fresh connection, no `requests` import in the timing), and
SIGTERM until the process has exited; `moto_server` the same way. The `trovemock serve` and
plugin figures come from a venv with trovemock installed from its wheel (`_wheelenv.py`), as
users install it: no editable-install finder, bytecode compiled.
"""

from __future__ import annotations

import http.client
import logging
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import _moto
import requests
from _common import HEADERS, PROJECT, Row, emit, reps
from _wheelenv import wheel_venv

from trovemock import TroveMock
from trovemock.server import BackgroundServer

BIN = Path(sys.executable).parent
RDS_DESCRIBE = {"Action": "DescribeDBSnapshots", "Version": "2014-10-31"}
RDS_AUTH = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/rds/aws4_request, "
    "SignedHeaders=host, Signature=00"
}
TARGET_MS = 100
logging.getLogger("werkzeug").setLevel(logging.ERROR)


def _trovemock_ok(url: str) -> bool:
    return requests.get(f"{url}/v1.0/{PROJECT}/backups", headers=HEADERS).status_code == 200


def _moto_ok(url: str) -> bool:
    return requests.post(url + "/", data=RDS_DESCRIBE, headers=RDS_AUTH).status_code == 200


def _median_pair(run: Callable[[], tuple[float, float]], count: int) -> tuple[float, float]:
    run()  # warm-up: imports, first-use caches
    starts, stops = zip(*(run() for _ in range(count)), strict=True)
    return sorted(starts)[len(starts) // 2], sorted(stops)[len(stops) // 2]


def background_server() -> tuple[float, float]:
    mock = TroveMock()
    started = time.perf_counter()
    server = BackgroundServer(mock).start()
    assert _trovemock_ok(server.url)
    up = time.perf_counter()
    server.stop()
    return (up - started) * 1000, (time.perf_counter() - up) * 1000


def threaded_moto() -> tuple[float, float]:
    from moto.server import ThreadedMotoServer

    started = time.perf_counter()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    assert _moto_ok(f"http://{host}:{port}")
    up = time.perf_counter()
    server.stop()
    return (up - started) * 1000, (time.perf_counter() - up) * 1000


def _first_get(url: str) -> int:
    host, port = url.rsplit("/", 1)[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("GET", f"/v1.0/{PROJECT}/backups", headers=HEADERS)
    status = connection.getresponse().status
    connection.close()
    return status


def trovemock_serve(bin_dir: Path) -> tuple[float, float]:
    command = [str(bin_dir / "trovemock"), "serve", "--port", "0", "--quiet"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    url = process.stdout.readline().split(" on ", 1)[1].strip()  # printed once listening
    assert _first_get(url) == 200
    up = time.perf_counter()
    process.send_signal(signal.SIGTERM)
    assert process.wait(10) == 0
    return (up - started) * 1000, (time.perf_counter() - up) * 1000


def moto_server() -> tuple[float, float]:
    port = _moto.free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            if _moto_ok(url):
                break
        except requests.ConnectionError:
            time.sleep(0.005)
    up = time.perf_counter()
    process.send_signal(signal.SIGTERM)
    process.wait(10)
    return (up - started) * 1000, (time.perf_counter() - up) * 1000


def _process_ms(python: Path, code: str) -> float:
    """Median time of `python -c code` in a new process."""
    runs = []
    for _ in range(reps(5, 1)):
        started = time.perf_counter()
        subprocess.run([str(python), "-c", code], check=True)
        runs.append((time.perf_counter() - started) * 1000)
    return sorted(runs)[len(runs) // 2]


PLUGIN_PROBE = """
import sys, time
import pytest  # what any pytest session has imported before it loads plugins
started = time.perf_counter()
from importlib.metadata import entry_points
(ep,) = [ep for ep in entry_points(group="pytest11") if ep.name == "trovemock"]
ep.load()
took = time.perf_counter() - started
heavy = [m for m in ("trovemock.mock", "werkzeug", "jsonschema", "requests") if m in sys.modules]
assert not heavy, heavy
print(took * 1000)
"""


def plugin_import_ms(bin_dir: Path) -> float:
    """What loading trovemock's pytest11 entry point costs a pytest session (pytest already
    imported), in a new process each time; the probe also checks that nothing heavy loads."""
    runs = []
    for _ in range(reps(9, 2)):
        done = subprocess.run(
            [str(bin_dir / "python"), "-c", PLUGIN_PROBE],
            capture_output=True, text=True, check=True, cwd=bin_dir,
        )
        runs.append(float(done.stdout))
    return sorted(runs)[len(runs) // 2]


def main() -> list[Row]:
    wheel_bin = wheel_venv()
    bare = _process_ms(wheel_bin / "python", "pass")
    imports = _process_ms(wheel_bin / "python", "import trovemock.cli, trovemock.mock")
    ours_in = _median_pair(background_server, reps(20, 2))
    theirs_in = _median_pair(threaded_moto, reps(5, 1))
    ours_sub = _median_pair(lambda: trovemock_serve(wheel_bin), reps(7, 1))
    theirs_sub = _median_pair(moto_server, reps(3, 1))
    plugin = plugin_import_ms(wheel_bin)
    target = f"< {TARGET_MS} ms"
    return [
        Row(
            "5",
            "start to first response: `BackgroundServer` vs `ThreadedMotoServer`",
            "ms",
            ours_in[0],
            theirs_in[0],
            target=target,
            met=ours_in[0] < TARGET_MS,
        ),
        Row(
            "5",
            "stop: `BackgroundServer.stop()` vs `ThreadedMotoServer.stop()`",
            "ms",
            ours_in[1],
            theirs_in[1],
            target=target,
            met=ours_in[1] < TARGET_MS,
        ),
        Row(
            "5",
            "start to first response: `trovemock serve` vs `moto_server` (new process)",
            "ms",
            ours_sub[0],
            theirs_sub[0],
            target=target,
            met=ours_sub[0] < TARGET_MS,
            note=f"installed from the wheel; a new Python process: `python -c pass` takes "
            f"{bare:.0f} ms and `python -c 'import trovemock.cli, trovemock.mock'` "
            f"{imports:.0f} ms (werkzeug's import is half of it)",
        ),
        Row(
            "5",
            "stop: SIGTERM until the process has exited",
            "ms",
            ours_sub[1],
            theirs_sub[1],
            target=target,
            met=ours_sub[1] < TARGET_MS,
        ),
        Row(
            "5",
            "pytest plugin: loading its entry point, in every pytest session",
            "ms",
            plugin,
            target="< 20 ms",
            met=plugin < 20,
            note="in the wheel venv, a new process with pytest imported times "
            "`entry_points(group='pytest11')` and the load of trovemock's entry point (its "
            "conftest_plugin package); it imports no emulator, werkzeug, jsonschema or requests",
        ),
    ]


if __name__ == "__main__":
    emit(main())
