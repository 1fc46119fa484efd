"""BackgroundServer and serve: a real loopback server around a WSGI app."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from trovemock.exchange import ConnectionDropped
from trovemock.server import BackgroundServer, serve


def echo_app(environ, start_response):
    """Answers with the method and path it saw; /drop raises ConnectionDropped."""
    if environ["PATH_INFO"] == "/drop":
        raise ConnectionDropped("fault rule asked for a dropped connection")
    body = json.dumps({"method": environ["REQUEST_METHOD"], "path": environ["PATH_INFO"]})
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body.encode()]


def raw_request(port: int, path: str) -> bytes:
    """Send one HTTP request on a fresh socket and return every byte the server writes (the
    request asks the server to close the connection after its answer)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_serves_the_app_on_a_free_loopback_port():
    with BackgroundServer(echo_app) as server:
        assert server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        answer = requests.post(server.url + "/v1.0/demo/backups", timeout=5)
    assert answer.status_code == 200
    assert answer.json() == {"method": "POST", "path": "/v1.0/demo/backups"}


def test_stop_closes_the_listening_socket():
    server = BackgroundServer(echo_app).start()
    port = server.port
    server.stop()
    assert not server.running
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_server_can_be_started_again_after_stop():
    server = BackgroundServer(echo_app)
    for _ in range(2):
        server.start()
        assert requests.get(server.url + "/again", timeout=5).json()["path"] == "/again"
        server.stop()


def test_port_is_unavailable_before_start():
    with pytest.raises(RuntimeError, match="start"):
        BackgroundServer(echo_app).port  # noqa: B018


def test_a_busy_port_raises_oserror():
    with BackgroundServer(echo_app) as first:
        with pytest.raises(OSError, match=str(first.port)):
            BackgroundServer(echo_app, port=first.port).start()


def test_connection_dropped_closes_the_socket_without_an_answer():
    with BackgroundServer(echo_app) as server:
        assert raw_request(server.port, "/drop") == b""
        # the server keeps serving after a drop
        assert raw_request(server.port, "/after").startswith(b"HTTP/1.1 200")


def test_requests_sees_a_dropped_connection_as_a_connection_error():
    with BackgroundServer(echo_app) as server:
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(server.url + "/drop", timeout=5)


def test_requests_are_served_concurrently():
    barrier = threading.Barrier(2, timeout=5)

    def rendezvous_app(environ, start_response):
        barrier.wait()  # only returns when a second request is in flight at the same time
        start_response("204 No Content", [])
        return [b""]

    with BackgroundServer(rendezvous_app) as server:
        with ThreadPoolExecutor(2) as pool:
            codes = list(
                pool.map(lambda _: requests.get(server.url, timeout=10).status_code, range(2))
            )
    assert codes == [204, 204]


def test_serve_runs_until_sigterm_and_restores_signal_handlers():
    seen = {}
    before = signal.getsignal(signal.SIGTERM)

    def on_ready(server: BackgroundServer) -> None:
        seen["answer"] = requests.get(server.url + "/ready", timeout=5).json()
        os.kill(os.getpid(), signal.SIGTERM)

    rc = serve(echo_app, "127.0.0.1", 0, log_requests=False, on_ready=on_ready)
    assert rc == 0
    assert seen["answer"] == {"method": "GET", "path": "/ready"}
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.parametrize(
    "raw",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /v1.0/p/backups HTTP/9.9\r\n\r\n",
        b"\x00\x01\x02 / HTTP/1.1\r\n\r\n",
        b"GET /v1.0/p/backups HTTP/2.0\r\n\r\n",
        b"GET http://[/ HTTP/1.1\r\n\r\n",
        b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
    ],
)
def test_a_request_too_broken_for_the_app_still_gets_a_fault_body(raw: bytes):
    from trovemock import TroveMock

    with BackgroundServer(TroveMock()) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(raw)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
    assert answer.startswith(b"HTTP/1."), answer[:80]  # a status line, whatever came in
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"Content-Type: application/json" in head
    status = int(head.split()[1])
    fault = json.loads(body)
    (name,) = fault
    assert 400 <= fault[name]["code"] < 600 and isinstance(fault[name]["message"], str)
    assert status == fault[name]["code"]


def _exchange(port: int, raw: bytes) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(raw)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def test_odd_but_valid_request_lines_are_served():
    from trovemock import TroveMock

    mock = TroveMock()
    mock.add_token("tok", "caf\u00e9")
    with BackgroundServer(mock) as server:
        tail = b" HTTP/1.1\r\nHost: x\r\nX-Auth-Token: tok\r\nConnection: close\r\n\r\n"
        # a stray empty line before the request is ignored (RFC 9112 2.2)
        assert _exchange(server.port, b"\r\nGET /v1.0/caf%C3%A9/backups" + tail)[0] == 200
        # raw UTF-8 in the path names the same project as its percent-encoded form
        assert _exchange(server.port, b"GET /v1.0/caf\xc3\xa9/backups" + tail)[0] == 200
        # a path that only looks like an authority is a path: answered, not a traceback
        status, body = _exchange(server.port, b"GET //[" + tail)
        assert status == 404 and json.loads(body)["itemNotFound"]["code"] == 404


def test_the_request_log_names_the_route_and_the_fault_rule(capfd) -> None:
    import requests

    from trovemock import TroveMock

    mock = TroveMock()
    mock.faults.add(route="backups.list", status=503, times=1)
    with BackgroundServer(mock, log_requests=True) as server:
        for _ in range(2):
            requests.get(f"{server.url}/v1.0/p1/backups", headers={"X-Auth-Token": "t"},
                         timeout=5)
    lines = [line for line in capfd.readouterr().err.splitlines() if "/v1.0/p1/backups" in line]
    assert len(lines) == 2
    assert '503' in lines[0] and lines[0].endswith("route=backups.list fault=fault-1")
    assert '200' in lines[1] and lines[1].endswith("route=backups.list")
