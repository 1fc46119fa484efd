"""HTTP/1.1 keep-alive in `trovemock.server`: one connection carries many requests, a body
the app does not read never leaks into the next request, broken framing closes the connection,
slow or idle clients are cut off, and `stop` ends kept-alive connections."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator

import pytest
import requests

from trovemock import TroveMock
from trovemock.exchange import ConnectionDropped
from trovemock.server import BackgroundServer

HDR = {"X-Auth-Token": "tok"}


def echo_app(environ, start_response):
    """Answers the method, path, client port and (for /read) the body it read; /drop drops."""
    if environ["PATH_INFO"] == "/drop":
        raise ConnectionDropped("dropped")
    if environ["PATH_INFO"] == "/boom":
        raise RuntimeError("a bug in the app")
    read = environ["wsgi.input"].read() if environ["PATH_INFO"] == "/read" else b""
    body = json.dumps(
        {
            "method": environ["REQUEST_METHOD"],
            "path": environ["PATH_INFO"],
            "port": environ["REMOTE_PORT"],
            "read": read.decode("latin-1"),
        }
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


@pytest.fixture
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(echo_app) as running:
        yield running


class Wire:
    """A raw client socket that reads answers one at a time by their Content-Length."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def answer(self) -> tuple[int, dict[str, str], bytes]:
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                raise ConnectionError(f"closed before an answer: {self.buffer!r}")
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:])}
        status = int(lines[0].split()[1])
        if status == 100:
            return self.answer()
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            if not self._fill():
                raise ConnectionError("closed inside an answer")
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, headers, body

    def closed_by_server(self) -> bool:
        """True when the server closes the connection (EOF, no further bytes)."""
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()


def get(path: str, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: x\r\n{extra}\r\n".encode()


def post(path: str, body: bytes, extra: str = "") -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
    return head.encode() + body


def test_one_connection_carries_many_requests(server: BackgroundServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    ports = set()
    for n in range(5):
        conn.request("GET", f"/n{n}")
        answer = conn.getresponse()
        assert answer.status == 200 and answer.getheader("Connection") is None
        seen = json.loads(answer.read())
        assert seen["path"] == f"/n{n}"
        ports.add(seen["port"])
    assert len(ports) == 1, "every request came over the same connection"
    conn.close()


def test_a_requests_session_reuses_its_connection_against_trovemock() -> None:
    mock = TroveMock()
    inst = mock.add_instance("p1")
    client_ports = []

    def app(environ, start_response):
        client_ports.append(environ["REMOTE_PORT"])
        return mock(environ, start_response)

    with BackgroundServer(app) as running, requests.Session() as session:
        created = session.post(
            f"{running.url}/v1.0/p1/backups",
            json={"backup": {"name": "b", "instance": inst.id}},
            headers=HDR,
        )
        assert created.status_code == 202
        for _ in range(3):
            listed = session.get(f"{running.url}/v1.0/p1/backups", headers=HDR)
            assert listed.status_code == 200 and len(listed.json()["backups"]) == 1
    assert len(client_ports) == 4 and len(set(client_ports)) == 1


def test_an_unread_body_never_becomes_the_next_request(server: BackgroundServer) -> None:
    wire = Wire(server.port)
    smuggled = get("/smuggled")  # a whole request hidden in a body the app does not read
    wire.send(post("/ignores-body", smuggled) + get("/next"))
    status, _, body = wire.answer()
    assert status == 200 and json.loads(body)["path"] == "/ignores-body"
    status, _, body = wire.answer()
    assert status == 200 and json.loads(body)["path"] == "/next"
    wire.send(get("/last", "Connection: close\r\n"))
    assert json.loads(wire.answer()[2])["path"] == "/last"
    assert wire.closed_by_server()


def test_a_body_trovemock_refuses_unread_is_drained() -> None:
    mock = TroveMock()
    mock.config.max_body_bytes = 10  # the app refuses larger bodies without reading them
    with BackgroundServer(mock) as running:
        wire = Wire(running.port)
        big = json.dumps({"backup": {"name": "x" * 5000, "instance": "i"}}).encode()
        wire.send(
            post("/v1.0/p1/backups", big, "X-Auth-Token: t\r\nContent-Type: application/json\r\n")
        )
        status, _, body = wire.answer()
        assert status == 413 and "overLimit" in json.loads(body)
        wire.send(get("/v1.0/p1/backups", "X-Auth-Token: t\r\n"))
        status, _, body = wire.answer()
        assert status == 200 and json.loads(body) == {"backups": []}


def test_a_chunked_body_with_trailers_is_read_and_the_connection_reused(
    server: BackgroundServer,
) -> None:
    wire = Wire(server.port)
    chunked = b"4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\nX-Trailer: yes\r\n\r\n"
    head = b"POST /read HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    wire.send(head + chunked + get("/after"))
    status, _, body = wire.answer()
    assert status == 200 and json.loads(body)["read"] == "abcdefg"
    assert json.loads(wire.answer()[2])["path"] == "/after"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param("Content-Length: abc\r\n", id="bad-length"),
        pytest.param("Content-Length: 3\r\nContent-Length: 4\r\n", id="two-lengths"),
        pytest.param("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", id="both"),
        pytest.param(" X-Folded: yes\r\n", id="line-folding"),
        pytest.param("Bad Header: yes\r\n", id="space-in-name"),
        pytest.param("X-Split: a\rContent-Length: 3\r\n", id="bare-cr"),
    ],
)
def test_unreliable_framing_is_a_400_fault_and_closes(
    server: BackgroundServer, headers: str
) -> None:
    wire = Wire(server.port)
    wire.send(f"POST /x HTTP/1.1\r\nHost: x\r\n{headers}\r\nabc".encode() + get("/smuggled"))
    status, answer_headers, body = wire.answer()
    assert status == 400 and answer_headers["connection"] == "close"
    assert json.loads(body)["badRequest"]["code"] == 400
    assert wire.closed_by_server()


@pytest.mark.parametrize("coding", ["gzip", "gzip, chunked", "chunked, chunked"])
def test_a_transfer_coding_other_than_chunked_is_a_501_and_closes(
    server: BackgroundServer, coding: str
) -> None:
    wire = Wire(server.port)
    wire.send(f"POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: {coding}\r\n\r\n".encode()
              + b"0\r\n\r\n" + get("/smuggled"))
    status, answer_headers, body = wire.answer()
    assert status == 501 and answer_headers["connection"] == "close"
    assert json.loads(body)["notImplemented"]["code"] == 501
    assert wire.closed_by_server()


@pytest.mark.parametrize(
    "chunk", [b"0x4\r\nabcd\r\n", b"4;\r\nabcd\r\n", b"4;=x\r\nabcd\r\n", b"1_0\r\n"]
)
def test_an_invalid_chunk_header_closes_the_connection(
    server: BackgroundServer, chunk: bytes
) -> None:
    wire = Wire(server.port)
    wire.send(b"POST /read HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk
              + b"0\r\n\r\n" + get("/smuggled"))
    status, headers, _ = wire.answer()
    assert status >= 400 and headers["connection"] == "close"
    assert wire.closed_by_server()


def test_a_bad_chunk_closes_the_connection_after_the_answer(server: BackgroundServer) -> None:
    wire = Wire(server.port)
    wire.send(b"POST /read HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
    status, headers, _ = wire.answer()
    assert headers["connection"] == "close"
    assert status == 500  # echo_app lets the read error out (trovemock's app answers 400)
    assert wire.closed_by_server()


def test_a_body_over_the_drain_limit_is_answered_then_the_connection_closes(
    server: BackgroundServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("trovemock.server.http11.DRAIN_LIMIT", 1000)
    wire = Wire(server.port)
    wire.send(post("/ignores-body", b"x" * 5000))
    status, headers, _ = wire.answer()
    assert status == 200 and headers["connection"] == "close"
    assert wire.closed_by_server()


def test_connection_close_and_http10_close_after_the_answer(server: BackgroundServer) -> None:
    for request in (
        get("/bye", "Connection: close\r\n"),
        b"GET /old HTTP/1.0\r\n\r\n",
    ):
        wire = Wire(server.port)
        wire.send(request)
        assert wire.answer()[1]["connection"] == "close"
        assert wire.closed_by_server()


def test_an_http10_client_may_ask_for_keep_alive(server: BackgroundServer) -> None:
    wire = Wire(server.port)
    wire.send(b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    assert wire.answer()[1]["connection"] == "keep-alive"
    wire.send(b"GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    assert json.loads(wire.answer()[2])["path"] == "/b"


def test_pipelined_requests_are_answered_in_order(server: BackgroundServer) -> None:
    wire = Wire(server.port)
    wire.send(get("/1") + get("/2") + get("/3"))
    assert [json.loads(wire.answer()[2])["path"] for _ in range(3)] == ["/1", "/2", "/3"]


def test_expect_100_continue_gets_an_interim_answer(server: BackgroundServer) -> None:
    wire = Wire(server.port)
    wire.send(b"POST /read HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
    while b"\r\n\r\n" not in wire.buffer:
        assert wire._fill()
    assert wire.buffer.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
    wire.send(b"ok")
    assert json.loads(wire.answer()[2])["read"] == "ok"


def test_head_answers_have_no_body(server: BackgroundServer) -> None:
    wire = Wire(server.port)
    wire.send(b"HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n" + get("/after"))
    status, headers, _ = wire.answer()
    assert status == 200 and "content-length" not in headers
    assert json.loads(wire.answer()[2])["path"] == "/after"


def test_an_exception_in_the_app_is_a_500_fault_and_the_connection_lives(
    server: BackgroundServer,
) -> None:
    wire = Wire(server.port)
    wire.send(get("/boom"))
    status, _, body = wire.answer()
    assert status == 500 and json.loads(body)["instanceFault"]["code"] == 500
    wire.send(get("/fine"))
    assert wire.answer()[0] == 200


def test_a_drop_on_a_kept_alive_connection_closes_it_without_an_answer(
    server: BackgroundServer,
) -> None:
    with requests.Session() as session:
        assert session.get(server.url + "/first", timeout=10).status_code == 200
        with pytest.raises(requests.ConnectionError):
            session.get(server.url + "/drop", timeout=10)
        assert session.get(server.url + "/again", timeout=10).status_code == 200
    wire = Wire(server.port)
    wire.send(get("/ok") + get("/drop"))
    assert wire.answer()[0] == 200
    assert wire.closed_by_server()


def test_an_idle_connection_is_closed_after_the_idle_timeout() -> None:
    with BackgroundServer(echo_app, idle_timeout=0.2) as running:
        wire = Wire(running.port)
        wire.send(get("/a"))
        assert wire.answer()[0] == 200
        started = time.monotonic()
        assert wire.closed_by_server()
        assert 0.1 < time.monotonic() - started < 5  # a tolerant bound on a loaded machine


def test_a_slow_client_cannot_hold_a_connection_past_the_request_timeout() -> None:
    with BackgroundServer(echo_app, request_timeout=0.5) as running:
        wire = Wire(running.port)
        started = time.monotonic()
        wire.send(b"GET /slow HTTP/1.1\r\n")
        closed = False
        while time.monotonic() - started < 5:  # a header byte every 0.1 s, never finishing
            try:
                wire.send(b"X")
            except (BrokenPipeError, ConnectionResetError):  # the server has closed it
                closed = True
                break
            time.sleep(0.1)
            wire.sock.setblocking(False)
            try:
                closed = wire.sock.recv(1) == b""
            except BlockingIOError:
                pass
            except ConnectionResetError:
                closed = True
            finally:
                wire.sock.setblocking(True)
            if closed:
                break
        assert closed, "the server kept a trickling client for 5 s"
        assert time.monotonic() - started < 5
        # meanwhile and afterwards, other clients are served
        assert requests.get(running.url + "/other", timeout=10).status_code == 200


def test_stop_ends_kept_alive_connections_promptly() -> None:
    running = BackgroundServer(echo_app).start()
    wire = Wire(running.port)
    wire.send(get("/a"))
    assert wire.answer()[0] == 200  # the connection is open and idle now
    started = time.monotonic()
    running.stop()
    assert time.monotonic() - started < 2
    assert wire.closed_by_server()
