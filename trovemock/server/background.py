"""Serving a WSGI app (normally a `TroveMock`) over HTTP/1.1 with keep-alive.

`BackgroundServer` runs it on a daemon thread for tests (the `trove_server` fixture uses it);
`serve` runs it in the foreground for `trovemock serve` until SIGINT or SIGTERM. The HTTP work
(keep-alive framing, time limits, dropped connections, fault bodies for broken requests) is
in `trovemock.server.http11`.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType, TracebackType

from trovemock.server.http11 import IDLE_TIMEOUT, REQUEST_TIMEOUT, KeepAliveServer, WSGIApp

__all__ = ["BackgroundServer", "WSGIApp", "serve"]

# How often the serving loop checks for a stop request; bounds the time `stop()` takes.
POLL_INTERVAL = 0.02


class BackgroundServer:
    """Serve `app` on `host:port` (0 picks a free port) from a daemon thread, HTTP/1.1 with
    keep-alive. A connection idle for `idle_timeout` seconds is closed; a client has
    `request_timeout` seconds to send each request and to take its answer.

    >>> with BackgroundServer(mock) as server:
    ...     requests.get(server.url + "/v1.0/demo/backups")
    """

    def __init__(
        self,
        app: WSGIApp,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        log_requests: bool = False,
        idle_timeout: float = IDLE_TIMEOUT,
        request_timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        self.app = app
        self.host = host
        self._requested_port = port
        self._log_requests = log_requests
        self.idle_timeout = idle_timeout
        self.request_timeout = request_timeout
        self._server: KeepAliveServer | None = None
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
            self._server = KeepAliveServer(
                self.host,
                self._requested_port,
                self.app,
                log_requests=self._log_requests,
                idle_timeout=self.idle_timeout,
                request_timeout=self.request_timeout,
            )
        except OSError as exc:
            raise OSError(
                exc.errno, f"cannot listen on {self.host}:{self._requested_port}: {exc.strerror}"
            ) from exc
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name=f"trovemock-server-{self._server.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting requests, close the listening socket and every open connection,
        and join the threads."""
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()
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
