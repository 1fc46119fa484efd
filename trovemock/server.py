"""A small threaded HTTP server around any WSGI app (normally a `TroveMock`).

`BackgroundServer` runs it on a daemon thread for tests (the `trove_server` fixture uses it);
`serve` runs it in the foreground for `trovemock serve` until SIGINT or SIGTERM.

A fault rule can ask the app to drop the connection: the app then raises
`trovemock.hooks.ConnectionDropped`, and the request handler closes the socket without writing
a single byte, so the client sees what it would see when a load balancer gives up.
"""

from __future__ import annotations

import json
import signal
import socket
import threading
from collections.abc import Callable, Iterable
from types import FrameType, TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from trovemock.api.faults import fault_body
from trovemock.hooks import ConnectionDropped

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# How often the serving loop checks for a stop request; bounds the time `stop()` takes.
POLL_INTERVAL = 0.02


class _RequestHandler(WSGIRequestHandler):
    """werkzeug's handler, plus silent connection drops and optional request logging."""

    log_requests = False  # set per server class in `_make_handler`

    def connection_dropped(
        self, error: BaseException, environ: dict[str, Any] | None = None
    ) -> None:
        # werkzeug already routes ConnectionError subclasses (ConnectionDropped is one) here
        # before anything is written. Close at once so the client gets EOF instead of waiting
        # for an answer on a kept-alive connection.
        self.close_connection = True
        if isinstance(error, ConnectionDropped):
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Requests too broken to reach the app (a garbage request line, an over-long URL)
        still get the service's fault body, not http.server's HTML page."""
        body = json.dumps(fault_body(code, message)).encode()
        self.log_message("code %d, message %s", code, message)
        self.send_response(code, message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.log_requests:
            super().log_request(code, size)

    def log_message(self, format: str, *args: Any) -> None:
        if self.log_requests:
            super().log_message(format, *args)


def _make_handler(log_requests: bool) -> type[WSGIRequestHandler]:
    return type("TroveMockRequestHandler", (_RequestHandler,), {"log_requests": log_requests})


def _make_server(app: WSGIApp, host: str, port: int, log_requests: bool) -> BaseWSGIServer:
    return make_server(host, port, app, threaded=True, request_handler=_make_handler(log_requests))


class BackgroundServer:
    """Serve `app` on `host:port` (0 picks a free port) from a daemon thread.

    >>> with BackgroundServer(mock) as server:
    ...     requests.get(server.url + "/v1.0/demo/backups")
    """

    def __init__(
        self, app: WSGIApp, host: str = "127.0.0.1", port: int = 0, *, log_requests: bool = False
    ) -> None:
        self.app = app
        self.host = host
        self._requested_port = port
        self._log_requests = log_requests
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the server is not running; call start() first")
        return self._server.port

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. ``http://127.0.0.1:45123``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> BackgroundServer:
        """Bind and start serving; the socket accepts connections when this returns."""
        if self._server is not None:
            raise RuntimeError("the server is already running")
        try:
            self._server = _make_server(
                self.app, self.host, self._requested_port, self._log_requests
            )
        except SystemExit as exc:  # werkzeug prints the reason and exits when bind fails
            raise OSError(f"cannot listen on {self.host}:{self._requested_port}") from exc
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name=f"trovemock-server-{self._server.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting requests, close the listening socket and join the thread."""
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join()
        self._server = self._thread = None

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    app: WSGIApp,
    host: str = "127.0.0.1",
    port: int = 8779,
    *,
    log_requests: bool = True,
    on_ready: Callable[[BackgroundServer], None] | None = None,
) -> int:
    """Serve `app` until SIGINT (Ctrl-C) or SIGTERM, then shut down cleanly; returns 0.

    `on_ready` is called with the running server once the socket accepts connections (the CLI
    prints its banner there). Must run in the main thread (it installs signal handlers).
    """
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    server = BackgroundServer(app, host, port, log_requests=log_requests)
    try:
        server.start()
        if on_ready is not None:
            on_ready(server)
        while not stop.wait(0.1):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
