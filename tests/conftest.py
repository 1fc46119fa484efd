"""Suite-wide guard: every response the emulator gives in any test must match its JSON Schema.

A response observer validates each answer by (dialect, route, status); a test during which a
response violated its schema fails at teardown, naming the request, route, status and error.
A test that makes the emulator answer a deliberately malformed JSON body (a fault rule's
`raw_body`) opts out with ``@pytest.mark.allow_schema_violations``.

Also here: `contract_target`, a fast emulator on a loopback server for the contract tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from hypothesis import settings
from werkzeug.test import Client

from trovemock import SystemClock, TroveMock, hooks
from trovemock.contract.audit import ResponseAudit
from trovemock.server import BackgroundServer

AUDIT = ResponseAudit()

# CI runs the property tests derandomized, so a green run stays green on the same code; run
# locally (no CI variable) they explore new examples every time. No deadline: a loaded 2-core
# CI machine must not turn a slow example into a failure.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "allow_schema_violations: the test makes the emulator answer bodies that break the "
        "response schemas on purpose",
    )


def pytest_terminal_summary(terminalreporter) -> None:
    """One line when the upstream tier (tests/upstream) was not collected."""
    from tests.upstream.conftest import HAVE_TROVE, HOW_TO_RUN

    if not HAVE_TROVE:
        terminalreporter.write_line(HOW_TO_RUN)


@pytest.fixture(scope="session", autouse=True)
def _response_audit() -> Iterator[ResponseAudit]:
    hooks.response_observers.append(AUDIT)
    yield AUDIT
    hooks.response_observers.remove(AUDIT)


@pytest.fixture(autouse=True)
def _responses_match_schemas(
    request: pytest.FixtureRequest, _response_audit: ResponseAudit
) -> Iterator[None]:
    _response_audit.take()  # whatever happened before this test is not its business
    yield
    violations = _response_audit.take()
    if violations and request.node.get_closest_marker("allow_schema_violations") is None:
        pytest.fail(
            "responses that do not match their schema:\n  " + "\n  ".join(violations),
            pytrace=False,
        )


@dataclass
class ContractTarget:
    """A served emulator the contract suite can be pointed at."""

    mock: TroveMock
    url: str  # the Trove endpoint, with the project
    project: str
    instance: str  # an ACTIVE instance
    backups: list[str]  # two COMPLETED backups of it, newest first


@pytest.fixture
def contract_target() -> Iterator[Callable[[str], ContractTarget]]:
    """Factory: `contract_target("rackspace")` serves a cloud on the wall clock whose backups
    complete in 0.2 s, seeded with an ACTIVE instance and two COMPLETED backups of it."""
    servers: list[BackgroundServer] = []

    def start(dialect: str) -> ContractTarget:
        mock = TroveMock(dialect=dialect, clock=SystemClock())
        mock.config.update({"backup_new_seconds": 0.1, "backup_building_seconds": 0.1})
        instance = mock.add_instance("p1").id
        backups = []
        for name in ("older", "newer"):
            created = Client(mock).post("/v1.0/p1/backups", headers={"X-Auth-Token": "t"},
                                        json={"backup": {"name": name, "instance": instance}})
            backups.insert(0, created.json["backup"]["id"])
            mock.complete(backups[0])
        server = BackgroundServer(mock).start()
        servers.append(server)
        return ContractTarget(mock, f"{server.url}/v1.0/p1", "p1", instance, backups)

    yield start
    for server in servers:
        server.stop()
