"""The trovemock fixtures. Heavy imports (trovemock, requests, troveclient, werkzeug serving)
happen inside the fixtures, so merely having the plugin installed costs nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from . import markers

if TYPE_CHECKING:
    import requests

    from trovemock import TroveMock

DEFAULT_DIALECT = "openstack"
DEFAULT_PROJECT_ID = "test-project"
# Unregistered tokens act as members of the URL's project, so any value works.
DEFAULT_TOKEN = "trovemock-token"
# The made-up base URL of `trove_session`; it never reaches DNS (the session answers in-process).
SESSION_BASE_URL = "http://trovemock.test"

# The cloud a test's fixtures use, found again by the failure report.
MOCK_KEY = pytest.StashKey["TroveMock"]()


@pytest.fixture
def trove_dialect(request: pytest.FixtureRequest) -> str:
    """The dialect of the `trove` cloud: the `trove` marker's, else "openstack". Override this
    fixture in a conftest.py to change the default for a directory."""
    return markers.marked_dialect(request.node) or DEFAULT_DIALECT


@pytest.fixture
def trove_project_id() -> str:
    """The project the `trove_session`/`troveclient` endpoints address. Override to change."""
    return DEFAULT_PROJECT_ID


@pytest.fixture
def trove(request: pytest.FixtureRequest, trove_dialect: str) -> Iterator[TroveMock]:
    """A fresh in-process cloud on a manual clock, configured by the `trove` marker and
    preloaded with the `trove_faults` marker's rules. With `dataplane="servers"`, every
    server it started is stopped when the test ends."""
    from trovemock import ManualClock, TroveMock

    settings = markers.trove_settings(request.node)
    dialect = settings.get("dialect", trove_dialect)
    dataplane = settings.get("dataplane")
    if dataplane not in (None, "none"):
        markers.require_engines(request.node, settings.get("engines"))
    try:
        clock = ManualClock(settings.get("start"))
        mock = TroveMock(dialect=dialect, clock=clock, dataplane=dataplane)
    except (TypeError, ValueError) as error:
        pytest.fail(f"@pytest.mark.trove: {error}", pytrace=False)
    try:
        markers.configure(mock, settings)
        markers.preload_faults(mock, request.node)
        request.node.stash[MOCK_KEY] = mock
        yield mock
    finally:
        mock.close()


@pytest.fixture
def trove_session(trove: TroveMock, trove_project_id: str) -> Iterator[requests.Session]:
    """A `requests.Session` answered in-process by `trove` (no socket). It sends an
    X-Auth-Token; `trove_session.trove_url` is the base URL and `trove_session.trove_endpoint`
    the project's Trove endpoint (`<base>/v1.0/<project>`)."""
    pytest.importorskip(
        "requests", reason="the trove_session fixture needs requests (pip install requests)"
    )
    import requests

    from trovemock.transport import WSGITransport

    session = requests.Session()
    session.mount(SESSION_BASE_URL, WSGITransport(trove))
    session.headers.update({"X-Auth-Token": DEFAULT_TOKEN, "Accept": "application/json"})
    session.trove_url = SESSION_BASE_URL  # type: ignore[attr-defined]
    session.trove_endpoint = f"{SESSION_BASE_URL}/v1.0/{trove_project_id}"  # type: ignore[attr-defined]
    yield session
    session.close()


class _CurrentCloud:
    """The WSGI app of the session's server: whichever cloud the running test uses."""

    def __init__(self) -> None:
        self.target: TroveMock | None = None

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        target = self.target
        if target is not None:
            return target(environ, start_response)
        body = {"serviceUnavailable": {"code": 503, "message": "No test is using trovemock now."}}
        start_response("503 SERVICE UNAVAILABLE", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]


@dataclass
class _SessionServer:
    server: Any  # trovemock.server.BackgroundServer
    app: _CurrentCloud


@pytest.fixture(scope="session")
def _trove_session_server() -> Iterator[_SessionServer]:
    """One loopback server per test session (per xdist worker), started on first use."""
    from trovemock.server import BackgroundServer

    app = _CurrentCloud()
    server = BackgroundServer(app, host="127.0.0.1", port=0).start()
    try:
        yield _SessionServer(server, app)
    finally:
        server.stop()


@dataclass(frozen=True)
class TroveServer:
    """What `trove_server` gives a test: the server's base URL and the cloud behind it."""

    url: str
    port: int
    mock: TroveMock
    project_id: str

    def endpoint(self, project_id: str | None = None) -> str:
        """The Trove endpoint of a project: ``<url>/v1.0/<project>``."""
        return f"{self.url}/v1.0/{project_id or self.project_id}"


@pytest.fixture
def trove_server(
    _trove_session_server: _SessionServer, trove: TroveMock, trove_project_id: str
) -> Iterator[TroveServer]:
    """A real threaded HTTP server on 127.0.0.1 (started once per session) answering with this
    test's `trove` cloud; `trove_server.url`, `.port`, `.mock`, `.endpoint(project)`."""
    session_server = _trove_session_server
    session_server.app.target = trove
    server = session_server.server
    try:
        yield TroveServer(server.url, server.port, trove, trove_project_id)
    finally:
        session_server.app.target = None


@pytest.fixture
def troveclient(trove_server: TroveServer) -> Any:
    """A python-troveclient v1 `Client` talking to `trove_server` (keystoneauth1 session with a
    fixed endpoint and token, no identity service)."""
    reason = "the troveclient fixture needs python-troveclient and keystoneauth1 installed"
    client_module = pytest.importorskip("troveclient.v1.client", reason=reason)
    ks_session = pytest.importorskip("keystoneauth1.session", reason=reason)
    token_endpoint = pytest.importorskip("keystoneauth1.token_endpoint", reason=reason)
    auth = token_endpoint.Token(trove_server.endpoint(), DEFAULT_TOKEN)
    return client_module.Client(session=ks_session.Session(auth=auth))
