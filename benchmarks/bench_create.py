"""Benchmark 2: create one backup, in-process and over HTTP; one GET over a kept-alive
connection against the same GET in-process.

trovemock in-process: POST /backups through werkzeug's test client. Over HTTP: a
`requests.Session` against `BackgroundServer` (in this process) and against a `trovemock serve`
subprocess; trovemock's server keeps connections alive (HTTP/1.1), moto's (werkzeug's
development server) closes each one. moto: `create_db_snapshot` in-process (`mock_aws`),
through `ThreadedMotoServer` (in this process) and a `moto_server` subprocess, with a boto3
client, and also with plain `requests` so that boto3's own cost is left out. The keep-alive
GET rows time GET /backups/{id} with the same client over HTTP and in-process:
`http.client.HTTPConnection` against werkzeug's test client, and a `requests.Session` over
HTTP against the same session answered in-process (the plugin's `trove_session` adapter).
Each call is timed alone; medians.
Targets: in-process >= 5x faster than moto; create over HTTP >= 5x faster than
`ThreadedMotoServer`; a keep-alive GET <= 2x the in-process one.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

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


def keepalive_get(count: int) -> tuple[float, float, float, float]:
    """(http.client over HTTP, werkzeug client in-process, requests over HTTP, requests
    in-process) medians of GET /backups/{id}."""
    from trovemock.transport import WSGITransport

    mock = fast_lifecycle(TroveMock())
    instance = mock.add_instance(PROJECT)
    api = Api(mock)
    backup = api.create_backup(instance.id)["id"]
    path = f"/v1.0/{PROJECT}/backups/{backup}"
    in_process = median_each_ms(lambda n: api.get(f"/backups/{backup}"), count)
    local = requests.Session()
    local.mount("http://in-process", WSGITransport(mock))
    local.get("http://in-process" + path, headers=HEADERS).raise_for_status()
    local_ms = median_each_ms(lambda n: local.get("http://in-process" + path, headers=HEADERS),
                              count)
    with BackgroundServer(mock) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port)

        def get(n: int) -> None:
            connection.request("GET", path, headers=HEADERS)
            answer = connection.getresponse()
            answer.read()
            assert answer.status == 200

        get(-1)
        http_ms = median_each_ms(get, count)
        session = requests.Session()
        session.get(server.url + path, headers=HEADERS).raise_for_status()
        session_ms = median_each_ms(lambda n: session.get(server.url + path, headers=HEADERS),
                                    count)
        connection.close()
    return http_ms, in_process, session_ms, local_ms


def trovemock_http_client(port: int, instance_id: str, count: int) -> float:
    """Create with `http.client` on one kept-alive connection: the thinnest HTTP client."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    headers = {**HEADERS, "Content-Type": "application/json"}

    def create(n: int) -> None:
        body = json.dumps({"backup": {"name": f"h{n}", "instance": instance_id}})
        connection.request("POST", f"/v1.0/{PROJECT}/backups", body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 202

    create(-1)
    try:
        return median_each_ms(create, count)
    finally:
        connection.close()


def trovemock_background(count: int) -> tuple[float, float]:
    """(requests.Session, http.client) medians against `BackgroundServer`."""
    mock = fast_lifecycle(TroveMock())
    instance = mock.add_instance(PROJECT)
    with BackgroundServer(mock) as server:
        with_requests = trovemock_http(server.url, instance.id, count)
        return with_requests, trovemock_http_client(server.port, instance.id, count)


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


def moto_http_client(url: str, count: int) -> float:
    """CreateDBSnapshot with `http.client` (it reconnects when moto's server closes)."""
    host, port = url.rsplit("/", 1)[1].split(":")
    connection = http.client.HTTPConnection(host, int(port))
    headers = {**RDS_AUTH, "Content-Type": "application/x-www-form-urlencoded"}

    def create(n: int) -> None:
        form = urlencode({
            "Action": "CreateDBSnapshot",
            "Version": "2014-10-31",
            "DBSnapshotIdentifier": f"h{n}",
            "DBInstanceIdentifier": "db1",
        })
        connection.request("POST", "/", body=form, headers=headers)
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200

    create(-1)
    try:
        return median_each_ms(create, count)
    finally:
        connection.close()


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


def moto_threaded(count: int) -> tuple[float, float, float]:
    from moto.server import ThreadedMotoServer

    with _moto.settings(fast=True):
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            url = f"http://{host}:{port}"
            boto, raw = moto_http(url, count)
            return boto, raw, moto_http_client(url, count)
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
    background, background_thin = trovemock_background(n_fast)
    threaded_boto, threaded_raw, threaded_thin = moto_threaded(n_slow)
    serve = trovemock_subprocess(n_fast)
    sub_boto, sub_raw = moto_subprocess(n_slow)
    ka_http, ka_local, ka_session, ka_session_local = keepalive_get(n_fast)
    return [
        Row(
            "2",
            "GET a backup on a kept-alive connection: `http.client` vs werkzeug's test client "
            "in-process",
            "ms",
            ka_http,
            target="<= 2x in-process",
            met=ka_http <= 2 * ka_local,
            note=f"in-process {ka_local * 1000:.0f} µs: the HTTP round trip is "
            f"{ka_http / ka_local:.2f}x it",
        ),
        Row(
            "2",
            "GET a backup on a kept-alive connection: `requests.Session` over HTTP vs the same "
            "session in-process",
            "ms",
            ka_session,
            target="<= 2x in-process",
            met=ka_session <= 2 * ka_session_local,
            note=f"in-process (the `trove_session` adapter) {ka_session_local * 1000:.0f} µs: "
            f"over HTTP {ka_session / ka_session_local:.2f}x it",
        ),
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
            "create over HTTP: `BackgroundServer` vs `ThreadedMotoServer`, both `http.client`",
            "ms",
            background_thin,
            threaded_thin,
            target=">= 5x moto",
            met=threaded_thin / background_thin >= 5,
            note="the same thin client on both sides, so the servers' own costs show; "
            "trovemock keeps the connection alive, moto's server closes it after each answer",
        ),
        Row(
            "2",
            "create over HTTP: `BackgroundServer` + requests vs `ThreadedMotoServer` + boto3",
            "ms",
            background,
            threaded_boto,
            target="— (clients differ)",
            note="each with its usual client: requests for trovemock, boto3 for moto",
        ),
        Row(
            "2",
            "create over HTTP: `BackgroundServer` vs `ThreadedMotoServer`, both plain requests",
            "ms",
            background,
            threaded_raw,
            target="— (boto3 left out)",
            note="the same client on both sides; requests itself costs about 0.4 ms a call "
            "here (its proxy and netrc look-ups, urllib3), more than trovemock's server",
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
            note="one `requests.Session` per server: trovemock's connection stays open, "
            "moto's server (werkzeug's) closes each one; moto runs with its fast settings "
            "(they do not change snapshot creation)",
        ),
    ]


if __name__ == "__main__":
    emit(main())
