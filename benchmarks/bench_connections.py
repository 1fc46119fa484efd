"""Benchmark 10: a normal client among idle connections beyond the descriptor limit.

`trovemock serve` runs with a limit of 1,024 file descriptors (the common default); 1,100
connections are opened to it and send nothing; then a normal client's request is timed from
connect to answer. Target: answered within a second (the server sheds the oldest idle
connections and never spins on EMFILE). The benchmark raises its own descriptor limit to hold
the 1,100 sockets.
"""

from __future__ import annotations

import re
import resource
import socket
import subprocess
import sys
import time

import requests
from _common import QUICK, Row, emit

LIMIT = 1024
IDLE = 600 if QUICK else 1100


def start_server() -> tuple[subprocess.Popen, str]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (LIMIT, LIMIT))

    proc = subprocess.Popen(
        [sys.executable, "-m", "trovemock.cli", "serve", "--port", "0", "--quiet",
         "--no-seed-demo"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, preexec_fn=limit, text=True,
    )
    assert proc.stdout is not None
    url = None
    deadline = time.monotonic() + 30
    while url is None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        match = re.search(r"on (http://127\.0\.0\.1:\d+)", line)
        url = match.group(1) if match else None
    assert url, "serve printed no address"
    while True:
        try:
            if requests.get(f"{url}/_trovemock/clock", timeout=5).ok:
                return proc, url
        except requests.ConnectionError:
            time.sleep(0.05)


def answered_after_idle_connections() -> float:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    proc, url = start_server()
    host, port = url.removeprefix("http://").split(":")
    idle: list[socket.socket] = []
    try:
        for _ in range(IDLE):
            idle.append(socket.create_connection((host, int(port)), timeout=5))
        started = time.perf_counter()
        answer = requests.get(f"{url}/v1.0/p1/backups", headers={"X-Auth-Token": "t"},
                              timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        assert answer.status_code == 200
        return elapsed
    finally:
        for sock in idle:
            sock.close()
        proc.terminate()
        proc.wait(10)


def main() -> list[Row]:
    elapsed = answered_after_idle_connections()
    return [
        Row(
            "10",
            f"a request after {IDLE:,} idle connections, server limited to {LIMIT:,} "
            "descriptors",
            "ms",
            elapsed,
            target="< 1000 ms",
            met=elapsed < 1000,
            note=f"`trovemock serve` in a process with RLIMIT_NOFILE {LIMIT}",
        )
    ]


if __name__ == "__main__":
    emit(main())
