"""A keep-alive HTTP/1.1 server for WSGI apps, on the standard library's `http.server`.

werkzeug's development server answers every request with ``Connection: close`` because
`http.server` cannot tell where one request's body ends and the next request begins, so every
request pays for a new connection and a new thread. This module adds what is missing for a
connection to carry many requests:

- the request body is framed by the server (`RequestBody`): the app reads at most
  ``Content-Length`` bytes or up to the last chunk of a chunked body, and whatever the app did
  not read is drained before the answer, so the next request starts at the right byte;
- broken framing (a body cut short, a bad chunk, an invalid ``Content-Length``, a transfer
  coding other than chunked) closes the connection after the answer;
- every answer carries a ``Content-Length`` and goes out in one write, with TCP_NODELAY;
- time limits: an idle kept-alive connection is closed after `idle_timeout` seconds, and a
  client has `request_timeout` seconds to send a whole request (request line, headers, body)
  and to take the whole answer, so a slow client cannot hold a thread forever;
- `close_connections()` ends kept-alive connections when the server stops.

A fault rule can ask the app to drop the connection: the app raises
`trovemock.hooks.ConnectionDropped` and the handler closes the socket without writing a byte.
Requests too broken to reach the app get the service's fault body from `send_error`.
"""

from __future__ import annotations

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
from urllib.parse import unquote, urlsplit

from trovemock.api.faults import fault_body
from trovemock.hooks import ConnectionDropped

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

log = logging.getLogger("trovemock")

IDLE_TIMEOUT = 60.0  # seconds a kept-alive connection may wait for its next request
REQUEST_TIMEOUT = 30.0  # seconds to receive one whole request, and to send its answer
# A body the app did not read is drained up to this size so the connection can be reused
# (a refused 10 MB body, say); beyond it the answer says `Connection: close`.
DRAIN_LIMIT = 16 * 1024 * 1024
# After an answer with unread body bytes left, read and discard for at most this long before
# closing, so the client reads the answer instead of a connection reset.
LINGER_SECONDS = 2.0
MAX_LINE = 65536  # request line and each header line, as http.server
MAX_HEADERS = 100
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 token: methods, header names
_VERSION = re.compile(r"HTTP/(\d{1,3})\.(\d{1,3})")


def _latin1(text: str) -> str:
    """PEP 3333: environ strings carry the request's bytes as latin-1 characters."""
    return text.encode("utf-8").decode("latin-1")


class FramingError(OSError):
    """The request body's framing is broken: the connection cannot carry another request."""


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


class RequestBody(io.RawIOBase):
    """The body of one request, read from the connection's buffered stream: exactly
    `length` bytes, or a chunked body up to its last chunk (trailers included). It never
    reads past the body, so the connection's next request stays intact."""

    def __init__(self, stream: io.BufferedIOBase, length: int | None, chunked: bool) -> None:
        super().__init__()
        self._stream = stream
        self._chunked = chunked
        self._left = 0 if chunked else (length or 0)  # bytes left (in the current chunk)
        self._done = not chunked and not length
        self.broken = False  # framing failed: never reuse the connection

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        if not self._chunked:
            size = min(size, self._left)  # no buffer larger than what is left to read
        return super().read(size) or b""

    @property
    def finished(self) -> bool:
        """The whole body has been read: the next byte belongs to the next request."""
        return self._done

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        filled = 0
        try:
            while filled < len(view) and not self._done:
                if self._left == 0:
                    self._next_chunk()  # only chunked bodies get here with bytes to come
                    continue
                wanted = min(len(view) - filled, self._left)
                got = self._stream.readinto(view[filled : filled + wanted])
                if not got:
                    raise FramingError("the client closed the connection before the body ended")
                filled += got
                self._left -= got
                if self._left == 0 and not self._chunked:
                    self._done = True
                elif self._left == 0:
                    self._expect_line_end()
        except (OSError, ValueError):
            self.broken = True
            raise
        return filled

    def _next_chunk(self) -> None:
        line = self._stream.readline(1024)
        if not line.endswith(b"\n"):
            raise FramingError("a chunk header is missing or too long")
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise FramingError(f"invalid chunk size {size_text[:40]!r}") from None
        if size < 0 or size_text[:1] in (b"-", b"+"):
            raise FramingError("invalid chunk size")
        if size == 0:
            self._skip_trailers()
            self._done = True
        self._left = size

    def _expect_line_end(self) -> None:
        if self._stream.readline(2) not in (b"\r\n", b"\n"):
            raise FramingError("a chunk does not end with a line break")

    def _skip_trailers(self) -> None:
        for _ in range(100):
            line = self._stream.readline(MAX_LINE)
            if line in (b"\r\n", b"\n"):
                return
            if not line.endswith(b"\n"):
                raise FramingError("the chunked body's trailer section is broken")
        raise FramingError("too many trailer fields")

    def drain(self, limit: int) -> bool:
        """Read and discard the rest of the body, at most `limit` bytes; True when the
        connection can carry another request."""
        if self.broken:
            return False
        if not self._chunked and self._left > limit:
            return False
        scratch = bytearray(65536)
        total = 0
        try:
            while not self._done:
                got = self.readinto(scratch)
                total += got
                if total > limit:
                    return False
        except (OSError, ValueError):
            return False
        return True


def body_framing(headers: Any) -> tuple[int | None, bool]:
    """(Content-Length, chunked) of a request; FramingError when the length cannot be
    determined reliably (RFC 9112 section 6.3: the server must answer 400 and close)."""
    encodings = [
        coding.strip().lower()
        for value in headers.get_all("Transfer-Encoding") or ()
        for coding in value.split(",")
        if coding.strip()
    ]
    lengths = {value.strip() for value in headers.get_all("Content-Length") or ()}
    if encodings:
        if encodings[-1] != "chunked" or encodings.count("chunked") > 1:
            raise FramingError("the request's Transfer-Encoding does not end with chunked")
        if lengths:
            raise FramingError("a request may not have both Transfer-Encoding and Content-Length")
        return None, True
    if not lengths:
        return None, False
    if len(lengths) > 1:
        raise FramingError("the request has conflicting Content-Length values")
    (text,) = lengths
    if not text.isdigit() or not text.isascii():
        raise FramingError(f"invalid Content-Length {text[:40]!r}")
    return int(text), False


class KeepAliveHandler(BaseHTTPRequestHandler):
    """A WSGI request handler speaking HTTP/1.1 with keep-alive (see the module). Its request
    parsing is http.server's, minus the email parser (the slowest part of a request here)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: KeepAliveServer
    _reader: _DeadlineReader

    def setup(self) -> None:
        super().setup()
        self._reader = _DeadlineReader(self.connection)
        self.rfile = io.BufferedReader(self._reader, 65536)

    @property
    def server_version(self) -> str:  # type: ignore[override]
        return self.server.software

    def handle_one_request(self) -> None:
        self.command = None  # type: ignore[assignment]  # unknown until parsed
        self._reader.deadline = time.monotonic() + self.server.idle_timeout
        try:
            self.raw_requestline = self.rfile.readline(MAX_LINE + 1)
        except TimeoutError:  # idle too long: close quietly, as after a client's close
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
        self.request_version = "HTTP/0.9"  # what send_error sees until the version is known
        self.close_connection = True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        if len(self.raw_requestline) > MAX_LINE:
            self.send_error(414)
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
            # RFC 9112: obsolete line folding and whitespace before the colon are refused.
            if not colon or not _TOKEN.fullmatch(name):
                self.send_error(400, f"Bad header line ({text[:100]!r})")
                return None
            headers[name] = value.strip(" \t")
        self.send_error(431, "Too many headers")
        return None

    def make_environ(self) -> dict[str, Any]:
        """The WSGI environ of the parsed request (what werkzeug's handler builds)."""
        target = urlsplit(self.path)
        if not target.scheme and target.netloc:  # "//a/b" is a path, not a host
            path = f"/{target.netloc}{target.path}"
        else:
            path = target.path
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
            "PATH_INFO": _latin1(unquote(path)),
            "QUERY_STRING": _latin1(target.query),
            "REQUEST_URI": _latin1(self.path),
            "RAW_URI": _latin1(self.path),
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
        if target.scheme and target.netloc:  # an absolute URL names the host
            environ["HTTP_HOST"] = target.netloc
        return environ

    def run_wsgi(self) -> None:
        try:
            length, chunked = body_framing(self.headers)
        except FramingError as error:
            self.send_error(400, str(error))
            return
        body = RequestBody(self.rfile, length, chunked)
        environ = self.make_environ()
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
            answer = {
                "status": "500 INTERNAL SERVER ERROR",
                "headers": [("Content-Type", "application/json")],
            }
            data = json.dumps(fault_body(500)).encode()
        if "status" not in answer:
            answer = {"status": "500 INTERNAL SERVER ERROR", "headers": []}
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
        if getattr(self, "request_version", "HTTP/1.1") == "HTTP/0.9":
            self.wfile.write(body)  # no status line exists in HTTP/0.9
            return
        reason = self.responses.get(code, ("",))[0]
        self._send(f"{code} {reason}", headers, body, linger=False)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.server.log_requests:
            super().log_request(code, size)

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
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.app = app
        self.log_requests = log_requests
        self.idle_timeout = idle_timeout
        self.request_timeout = request_timeout
        self._open: dict[socket.socket, threading.Thread] = {}
        self._open_lock = threading.Lock()
        super().__init__((host, port), KeepAliveHandler)

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
