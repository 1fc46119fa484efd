"""A keep-alive HTTP/1.1 server for WSGI apps, on the standard library's `http.server`.

werkzeug's development server answers every request with ``Connection: close`` because
`http.server` cannot tell where one request's body ends and the next request begins, so every
request pays for a new connection and a new thread. This module adds what is missing for a
connection to carry many requests:

- the request body is framed by the server (`trovemock.server.body.RequestBody`): the app
  reads at most ``Content-Length`` bytes or up to the last chunk of a chunked body, and
  whatever it did not read is drained before the answer, so the next request starts at the
  right byte;
- broken framing (a body cut short, a bad chunk, an invalid ``Content-Length``, a transfer
  coding other than chunked) closes the connection after the answer;
- every answer carries a ``Content-Length`` and goes out in one write, with TCP_NODELAY;
- time limits: an idle kept-alive connection is closed after `idle_timeout` seconds, and a
  client has `request_timeout` seconds to send a whole request (request line, headers, body)
  and to take the whole answer, so a slow client cannot hold a thread forever;
- `close_connections()` ends kept-alive connections when the server stops.

A fault rule can ask the app to drop the connection: the app raises
`trovemock.exchange.ConnectionDropped` and the handler closes the socket without writing a byte.
Requests too broken to reach the app get the service's fault body from `send_error`.
"""

from __future__ import annotations

import errno
import io
import json
import logging
import re
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterable
from http.client import HTTPMessage
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from trovemock.api.errors import fault_body
from trovemock.exchange import ConnectionDropped
from trovemock.server.body import MAX_LINE, FramingError, RequestBody, body_framing

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

log = logging.getLogger("trovemock")

IDLE_TIMEOUT = 60.0  # seconds a kept-alive connection may wait for its next request
EMFILE_PAUSE = 0.05  # seconds accepting pauses when out of descriptors with none to shed
DESCRIPTOR_RESERVE = 64  # descriptors kept for files, logs and the server's own sockets


def default_max_connections() -> int:
    """How many connections the server holds at once: what the process's descriptor limit
    leaves after a reserve, at most 4,096 (one thread each)."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return 1024
    if soft == resource.RLIM_INFINITY:
        return 4096
    return max(8, min(4096, soft - DESCRIPTOR_RESERVE))
REQUEST_TIMEOUT = 30.0  # seconds to receive one whole request, and to send its answer
# A body the app did not read is drained up to this size so the connection can be reused
# (a refused 10 MB body, say); beyond it the answer says `Connection: close`.
DRAIN_LIMIT = 16 * 1024 * 1024
# After an answer with unread body bytes left, read and discard for at most this long before
# closing, so the client reads the answer instead of a connection reset.
LINGER_SECONDS = 2.0
MAX_HEADERS = 100
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 token: methods, header names
_VERSION = re.compile(r"HTTP/(\d{1,3})\.(\d{1,3})")


def _absolute_url(target: str) -> bool:
    """An absolute-form target (`http://host/path`) that parses."""
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    return bool(parts.scheme and parts.netloc)


class _DeadlineReader(io.RawIOBase):
    """The socket as a raw stream whose every read must finish by `deadline` (monotonic)."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self._sock = sock
        self.deadline = float("inf")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the client took too long")
        self._sock.settimeout(left)
        return self._sock.recv_into(buffer)


class KeepAliveHandler(BaseHTTPRequestHandler):
    """A WSGI request handler speaking HTTP/1.1 with keep-alive (see the module). Its request
    parsing is http.server's, minus the email parser (the slowest part of a request here)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: KeepAliveServer
    _reader: _DeadlineReader

    def setup(self) -> None:
        super().setup()
        self._environ: dict[str, Any] | None = None  # the current request's, for the log
        self._reader = _DeadlineReader(self.connection)
        self.rfile = io.BufferedReader(self._reader, 65536)

    @property
    def server_version(self) -> str:  # type: ignore[override]
        return self.server.software

    def handle_one_request(self) -> None:
        self.command = None  # type: ignore[assignment]  # unknown until parsed
        self._environ = None
        self._reader.deadline = time.monotonic() + self.server.idle_timeout
        self.server.mark_idle(self.connection, idle=True)
        try:
            self.raw_requestline = self.rfile.readline(MAX_LINE + 1)
        except (TimeoutError, OSError):  # idle too long, or shed: close quietly
            self.close_connection = True
            return
        finally:
            self.server.mark_idle(self.connection, idle=False)
        if self.raw_requestline in (b"\r\n", b"\n"):  # RFC 9112 2.2: ignore one empty line
            try:
                self.raw_requestline = self.rfile.readline(MAX_LINE + 1)
            except (TimeoutError, OSError):
                self.close_connection = True
                return
        if not self.raw_requestline:
            self.close_connection = True
            return
        self._reader.deadline = time.monotonic() + self.server.request_timeout
        if self.parse_request():  # else it has answered with send_error
            self.run_wsgi()

    def parse_request(self) -> bool:
        """Parse the request line and the header section (http.server's rules: HTTP/1.0 and
        1.1, 505 from 2.0 on, 414/431 for over-long lines, `Expect: 100-continue`)."""
        self.request_version = "HTTP/1.0"  # what send_error sees until the version is known
        self.close_connection = True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        if len(self.raw_requestline) > MAX_LINE:
            self.send_error(414)
            return False
        if "\r" in self.requestline:  # a bare CR inside the request line
            self.send_error(400, "Bad request line (a bare CR)")
            return False
        words = self.requestline.split()
        if len(words) != 3:
            self.send_error(400, f"Bad request syntax ({self.requestline[:100]!r})")
            return False
        method, target, version = words
        match = _VERSION.fullmatch(version)
        if match is None:
            self.send_error(400, f"Bad request version ({version[:40]!r})")
            return False
        if int(match[1]) >= 2:
            self.send_error(505, f"Invalid HTTP version ({version[5:]})")
            return False
        self.request_version = version
        if not _TOKEN.fullmatch(method):
            self.send_error(400, f"invalid request method {method[:40]!r}")
            return False
        if not target.startswith("/") and not _absolute_url(target):
            self.send_error(400, f"Bad request target ({target[:100]!r})")
            return False
        self.command, self.path = method, target
        headers = self._read_headers()
        if headers is None:
            return False
        self.headers = headers
        connection = headers.get("Connection", "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive" or version >= "HTTP/1.1":
            self.close_connection = False
        if (
            headers.get("Expect", "").lower() == "100-continue"
            and version >= "HTTP/1.1"
            and not self.handle_expect_100()
        ):
            return False
        return True

    def _read_headers(self) -> HTTPMessage | None:
        headers = HTTPMessage()
        for _ in range(MAX_HEADERS + 1):
            line = self.rfile.readline(MAX_LINE + 1)
            if len(line) > MAX_LINE:
                self.send_error(431, "Line too long")
                return None
            if line in (b"\r\n", b"\n", b""):
                return headers
            text = str(line, "iso-8859-1").rstrip("\r\n")
            name, colon, value = text.partition(":")
            # RFC 9112: obsolete line folding, whitespace before the colon and a bare CR (a
            # smuggling vector behind a proxy that reads it as a line end) are refused.
            if not colon or not _TOKEN.fullmatch(name) or "\r" in text or "\x00" in value:
                self.send_error(400, f"Bad header line ({text[:100]!r})")
                return None
            headers[name] = value.strip(" \t")
        self.send_error(431, "Too many headers")
        return None

    def make_environ(self) -> dict[str, Any]:
        """The WSGI environ of the parsed request (what werkzeug's handler builds)."""
        netloc = ""
        if self.path.startswith("/"):  # origin form: "//a/b" and "//[" are paths too
            path, _, query = self.path.partition("?")
            path = path.partition("#")[0]
        else:  # absolute form (checked in parse_request)
            target = urlsplit(self.path)
            path, query, netloc = target.path, target.query, target.netloc
        host, port = self.server.server_address[:2]
        environ: dict[str, Any] = {
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "SERVER_SOFTWARE": self.server.software,
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            # The request line was read as latin-1: its characters are its bytes. Percent
            # escapes become bytes too, so raw UTF-8 and its escaped form are one path.
            "PATH_INFO": unquote_to_bytes(path.encode("latin-1")).decode("latin-1"),
            "QUERY_STRING": query,
            "REQUEST_URI": self.path,
            "RAW_URI": self.path,
            "REMOTE_ADDR": self.client_address[0],
            "REMOTE_PORT": self.client_address[1],
            "SERVER_NAME": host,
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version,
        }
        for name, value in self.headers.items():
            if "_" in name:
                continue  # "X_Auth" would pose as "X-Auth" in the environ: drop it
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = f"HTTP_{key}"
                if key in environ:
                    value = f"{environ[key]},{value}"
            environ[key] = value
        if netloc:  # an absolute URL names the host
            environ["HTTP_HOST"] = netloc
        return environ

    def run_wsgi(self) -> None:
        try:
            length, chunked = body_framing(self.headers)
        except FramingError as error:
            self.send_error(error.status, str(error))
            return
        body = RequestBody(self.rfile, length, chunked)
        environ = self._environ = self.make_environ()
        environ["wsgi.input"] = body
        environ["wsgi.input_terminated"] = True  # the stream ends where the body ends
        answer: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            if answer and exc_info is None:
                raise AssertionError("start_response called twice without exc_info")
            answer["status"], answer["headers"] = status, headers
            return lambda data: answer.setdefault("written", []).append(data)

        try:
            result = self.server.app(environ, start_response)
            try:
                data = b"".join([*answer.get("written", ()), *result])
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except ConnectionDropped:
            self._drop()
            return
        except Exception:  # noqa: BLE001 - never a traceback on the wire
            log.exception("unexpected error answering %s %s", self.command, self.path)
            answer = {}
        if "status" not in answer:  # the app failed, or returned without starting an answer
            answer = {
                "status": "500 INTERNAL SERVER ERROR",
                "headers": [("Content-Type", "application/json")],
            }
            data = json.dumps(fault_body(500)).encode()
        # The next request starts after this body: drain what the app left (a refused
        # upload, say), or close once answered when that is not possible.
        if not body.drain(DRAIN_LIMIT):
            self.close_connection = True
        self._send(answer["status"], answer["headers"], data, linger=not body.finished)

    def _send(
        self, status: str, headers: list[tuple[str, str]], data: bytes, *, linger: bool
    ) -> None:
        code_text, _, reason = status.partition(" ")
        code = int(code_text)
        lines = [f"{self.protocol_version} {code} {reason}"]
        bodyless = self.command == "HEAD" or code < 200 or code in (204, 304)
        for name, value in headers:
            lowered = name.lower()
            if lowered in ("connection", "transfer-encoding", "keep-alive"):
                continue  # hop-by-hop: the server decides them
            if lowered == "content-length" and not bodyless:
                continue  # the server counts the bytes it sends
            lines.append(f"{name}: {value}")
        if not bodyless:
            lines.append(f"Content-Length: {len(data)}")
        lines.append(f"Server: {self.version_string()}")
        lines.append(f"Date: {self.date_time_string()}")
        if self.close_connection:
            lines.append("Connection: close")
        elif self.request_version != "HTTP/1.1":
            lines.append("Connection: keep-alive")  # an HTTP/1.0 client asked for it
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.connection.settimeout(self.server.request_timeout)
        self.wfile.write(head if bodyless else head + data)
        self.log_request(code, len(data))
        if linger and self.close_connection:
            self._linger()

    def _linger(self) -> None:
        """Unread request bytes are still coming: stop writing, read and discard them for a
        short while, so that closing does not reset the answer the client has yet to read."""
        try:
            self.connection.shutdown(socket.SHUT_WR)
            self._reader.deadline = time.monotonic() + LINGER_SECONDS
            while self.rfile.read1(65536):
                pass
        except OSError:
            pass

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, TimeoutError):  # the client went away or was too slow
            self.close_connection = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Requests too broken to reach the app (a garbage request line, an over-long URL,
        broken body framing) still get the service's fault body, then the connection closes."""
        self.close_connection = True
        self.log_error("code %d, message %s", code, message)
        body = json.dumps(fault_body(code, message)).encode()
        headers = [("Content-Type", "application/json")]
        reason = self.responses.get(code, ("",))[0]
        self._send(f"{code} {reason}", headers, body, linger=False)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """The request line and status, then the route that answered and the fault rule
        that did, when the app says so (`route=backups.create fault=fault-1`)."""
        if not self.server.log_requests:
            return
        environ = getattr(self, "_environ", None) or {}
        said = [
            f"{label}={environ[key]}"
            for label, key in (("route", "trovemock.route"), ("fault", "trovemock.fault_rule"))
            if environ.get(key)
        ]
        self.log_message('"%s" %s %s%s', self.requestline, str(code), str(size),
                         " " + " ".join(said) if said else "")

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log_requests:
            super().log_message(format, *args)


class KeepAliveServer(socketserver.ThreadingMixIn, HTTPServer):
    """One thread per connection; tracks open connections so that `close_connections` can end
    the kept-alive ones when the server stops."""

    daemon_threads = True
    request_queue_size = 128
    software = "trovemock"  # the Server header and SERVER_SOFTWARE

    def __init__(
        self,
        host: str,
        port: int,
        app: WSGIApp,
        *,
        log_requests: bool = False,
        idle_timeout: float = IDLE_TIMEOUT,
        request_timeout: float = REQUEST_TIMEOUT,
        max_connections: int | None = None,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.app = app
        self.log_requests = log_requests
        self.idle_timeout = idle_timeout
        self.request_timeout = request_timeout
        self.max_connections = max_connections or default_max_connections()
        self._open: dict[socket.socket, threading.Thread] = {}
        self._idle: dict[socket.socket, None] = {}  # waiting for a request, oldest first
        self._closing: set[socket.socket] = set()  # shed, their threads not yet ended
        self._open_lock = threading.Lock()
        super().__init__((host, port), KeepAliveHandler)

    def mark_idle(self, sock: socket.socket, *, idle: bool) -> None:
        with self._open_lock:
            if idle:
                self._idle[sock] = None
            else:
                self._idle.pop(sock, None)

    def _shed_idle(self, room: int) -> int:
        """Close the oldest idle connections (those waiting for a request) until `room`
        more fit; a busy connection is never cut. Returns how many were closed."""
        shed = 0
        with self._open_lock:
            while self._idle and self._live() + room > self.max_connections:
                sock = next(iter(self._idle))
                del self._idle[sock]
                self._closing.add(sock)  # counted out now; its thread ends shortly
                try:
                    sock.shutdown(socket.SHUT_RDWR)  # its thread wakes, reads nothing, ends
                except OSError:
                    pass
                shed += 1
        return shed

    def _live(self) -> int:
        return len(self._open) - len(self._closing)

    def _handle_request_noblock(self) -> None:
        """Accept one connection. Near the connection limit the oldest idle connections make
        room; out of descriptors (EMFILE), idle ones are shed and accepting pauses briefly
        instead of spinning on a listening socket that stays readable."""
        try:
            request, client_address = self.get_request()
        except OSError as error:
            if error.errno in (errno.EMFILE, errno.ENFILE):
                if not self._shed_idle(room=1):
                    time.sleep(EMFILE_PAUSE)
            return
        if self._live() >= self.max_connections:
            self._shed_idle(room=1)
            if self._live() >= self.max_connections:  # every connection is busy
                self.shutdown_request(request)
                return
        try:
            self.process_request(request, client_address)
        except Exception:  # noqa: BLE001 - as socketserver does: the server goes on
            self.handle_error(request, client_address)
            self.shutdown_request(request)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look up the host's FQDN (a DNS query): skip it.
        socketserver.TCPServer.server_bind(self)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"trovemock-connection-{self.port}",
            daemon=True,
        )
        with self._open_lock:
            self._open[request] = thread
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.pop(request, None)
            self._idle.pop(request, None)
            self._closing.discard(request)
            super().shutdown_request(request)

    def close_connections(self, timeout: float = 5.0) -> None:
        """End every open connection (idle kept-alive ones included) and wait for their
        threads, at most `timeout` seconds in all."""
        with self._open_lock:
            threads = list(self._open.values())
            for sock in self._open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
