"""Benchmark 2: create one backup, in-process and over HTTP (keep-alive connections).

trovemock in-process: POST /backups through werkzeug's test client. Over HTTP: a
`requests.Session` against `BackgroundServer` (in this process) and against a `trovemock serve`
subprocess. moto: `create_db_snapshot` in-process (`mock_aws`), through `ThreadedMotoServer`
(in this process) and a `moto_server` subprocess, with a boto3 client, and also with plain
`requests` so that boto3's own cost is left out. Each call is timed alone; medians.
Targets: in-process >= 5x faster than moto; over HTTP at least on par.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import _moto
import requests
from _common import HEADERS, PROJECT, Api, Row, emit, fast_lifecycle, median_each_ms, reps

from trovemock import TroveMock
from trovemock.server import BackgroundServer

BIN = Path(sys.executable).parent
RDS_AUTH = {  # enough of a SigV4 header for moto's server to pick the RDS backend
    "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/rds/aws4_request, "
    "SignedHeaders=host, Signature=00"
}
logging.getLogger("werkzeug").setLevel(logging.ERROR)


# -- trovemock -------------------------------------------------------------------------------
def trovemock_in_process(count: int) -> float:
    mock = fast_lifecycle(TroveMock())
    instance = mock.add_instance(PROJECT)
    api = Api(mock)
    api.create_backup(instance.id)
    return median_each_ms(lambda n: api.create_backup(instance.id, f"b{n}"), count)


def trovemock_http(url: str, instance_id: str, count: int) -> float:
    session = requests.Session()
    endpoint = f"{url}/v1.0/{PROJECT}/backups"

    def create(n: int) -> None:
        body = {"backup": {"name": f"b{n}", "instance": instance_id}}
        response = session.post(endpoint, json=body, headers=HEADERS)
        assert response.status_code == 202, response.text

    create(-1)
    return median_each_ms(create, count)


def trovemock_background(count: int) -> float:
    mock = fast_lifecycle(TroveMock())
    instance = mock.add_instance(PROJECT)
    with BackgroundServer(mock) as server:
        return trovemock_http(server.url, instance.id, count)


def trovemock_subprocess(count: int) -> float:
    command = [str(BIN / "trovemock"), "serve", "--port", "0", "--clock", "manual"]
    command += ["--no-seed-demo", "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().split(" on ", 1)[1].strip()
        control = f"{url}/_trovemock"
        config = {"backup_new_seconds": 0, "backup_building_seconds": 0, "backup_quota": -1}
        requests.put(f"{control}/config", json=config).raise_for_status()
        created = requests.post(f"{control}/instances", json={"project_id": PROJECT})
        created.raise_for_status()
        return trovemock_http(url, created.json()["instance"]["id"], count)
    finally:
        process.terminate()
        process.wait(10)


# -- moto ------------------------------------------------------------------------------------
def moto_in_process(fast: bool, count: int) -> float:
    with _moto.settings(fast), _moto.mock(fast):
        rds = _moto.client()
        _moto.create_db(rds)
        rds.create_db_snapshot(DBSnapshotIdentifier="warm", DBInstanceIdentifier="db1")
        return median_each_ms(
            lambda n: rds.create_db_snapshot(
                DBSnapshotIdentifier=f"s{n}", DBInstanceIdentifier="db1"
            ),
            count,
        )


def moto_http(url: str, count: int) -> tuple[float, float]:
    """(boto3 client, plain requests) medians against a running moto server."""
    rds = _moto.client(endpoint_url=url)
    _moto.create_db(rds)
    boto = median_each_ms(
        lambda n: rds.create_db_snapshot(DBSnapshotIdentifier=f"s{n}", DBInstanceIdentifier="db1"),
        count,
    )
    session = requests.Session()

    def create(n: int) -> None:
        form = {
            "Action": "CreateDBSnapshot",
            "Version": "2014-10-31",
            "DBSnapshotIdentifier": f"r{n}",
            "DBInstanceIdentifier": "db1",
        }
        response = session.post(url + "/", data=form, headers=RDS_AUTH)
        assert response.status_code == 200, response.text

    create(-1)
    return boto, median_each_ms(create, count)


def moto_threaded(count: int) -> tuple[float, float]:
    from moto.server import ThreadedMotoServer

    with _moto.settings(fast=True):
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            return moto_http(f"http://{host}:{port}", count)
        finally:
            server.stop()


def moto_subprocess(count: int) -> tuple[float, float]:
    port = _moto.free_port()
    env = {"MOTO_EC2_LOAD_DEFAULT_AMIS": "false", "MOTO_RDS_SNAPSHOT_LIMIT": "1000000"}
    process = subprocess.Popen(
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url)
        return moto_http(url, count)
    finally:
        process.terminate()
        process.wait(10)


def _wait_until_up(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/moto-api/", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.02)
    raise RuntimeError(f"{url} did not come up")


def main() -> list[Row]:
    n_fast, n_slow = reps(1000, 50), reps(200, 20)
    in_process = trovemock_in_process(n_fast)
    moto_fast_ip = moto_in_process(True, n_slow)
    moto_default_ip = moto_in_process(False, n_slow)
    background = trovemock_background(n_fast)
    threaded_boto, threaded_raw = moto_threaded(n_slow)
    serve = trovemock_subprocess(n_fast)
    sub_boto, sub_raw = moto_subprocess(n_slow)
    return [
        Row(
            "2",
            "create, in-process (werkzeug client vs `mock_aws` boto3)",
            "ms",
            in_process,
            moto_fast_ip,
            moto_default_ip,
            ">= 5x moto",
            moto_fast_ip / in_process >= 5,
        ),
        Row(
            "2",
            "create over HTTP: `BackgroundServer` + requests vs `ThreadedMotoServer` + boto3",
            "ms",
            background,
            threaded_boto,
            target=">= 1x (on par)",
            met=threaded_boto / background >= 1,
        ),
        Row(
            "2",
            "create over HTTP: `BackgroundServer` vs `ThreadedMotoServer`, both plain requests",
            "ms",
            background,
            threaded_raw,
            target=">= 1x (on par)",
            met=threaded_raw / background >= 1,
        ),
        Row(
            "2",
            "create over HTTP: `trovemock serve` vs `moto_server` subprocess, boto3 for moto",
            "ms",
            serve,
            sub_boto,
            target=">= 1x (on par)",
            met=sub_boto / serve >= 1,
        ),
        Row(
            "2",
            "create over HTTP: `trovemock serve` vs `moto_server` subprocess, both plain requests",
            "ms",
            serve,
            sub_raw,
            target=">= 1x (on par)",
            met=sub_raw / serve >= 1,
            note="one `requests.Session` per server, but werkzeug's server (under trovemock "
            "and moto alike) answers `Connection: close`, so every request opens a new "
            "loopback connection; moto runs with its fast settings (they do not change "
            "snapshot creation)",
        ),
    ]


if __name__ == "__main__":
    emit(main())
