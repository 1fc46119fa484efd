"""Suite-wide guard: every response the emulator gives in any test must match its JSON Schema.

A response observer validates each answer by (dialect, route, status); a test during which a
response violated its schema fails at teardown, naming the request, route, status and error.
A test that makes the emulator answer a deliberately malformed JSON body (a fault rule's
`raw_body`) opts out with ``@pytest.mark.allow_schema_violations``.

Also here: `contract_target`, a fast emulator on a loopback server for the contract tests.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from werkzeug.test import Client

from trovemock import ManualClock, SystemClock, TroveMock, exchange
from trovemock.contract.audit import ResponseAudit
from trovemock.model.cloud import Cloud
from trovemock.server import BackgroundServer

AUDIT = ResponseAudit()

# CI runs the property tests derandomized, so a green run stays green on the same code; run
# locally (no CI variable) they explore new examples every time. No deadline: a loaded 2-core
# CI machine must not turn a slow example into a failure. `.ci/run` exports CI=true;
# TROVEMOCK_HYPOTHESIS_PROFILE=ci|dev overrides the choice, and the session header names it.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)


def _hypothesis_profile() -> tuple[str, str]:
    chosen = os.environ.get("TROVEMOCK_HYPOTHESIS_PROFILE", "").strip().lower()
    if chosen:
        return chosen, "TROVEMOCK_HYPOTHESIS_PROFILE"
    ci = os.environ.get("CI", "").strip().lower()
    if ci and ci not in ("0", "false", "no"):
        return "ci", f"CI={os.environ['CI']}"
    return "dev", "CI is not set"


HYPOTHESIS_PROFILE, _PROFILE_REASON = _hypothesis_profile()
settings.load_profile(HYPOTHESIS_PROFILE)


def pytest_report_header(config: pytest.Config) -> str:
    kind = "derandomized" if HYPOTHESIS_PROFILE == "ci" else "random examples on every run"
    return f"trovemock: hypothesis profile {HYPOTHESIS_PROFILE!r} ({kind}; {_PROFILE_REASON})"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "allow_schema_violations: the test makes the emulator answer bodies that break the "
        "response schemas on purpose",
    )


def _browser_tier_wanted(config: pytest.Config) -> bool:
    """The browser tests (tests/dashboard) run in their tier (TROVEMOCK_BROWSER, set by
    .ci/tiers/40-browser.sh) or when named on the command line, never in the default run over
    tests/ (CI would otherwise run them twice, the first time before the tier installs
    Chromium)."""
    if os.environ.get("TROVEMOCK_BROWSER"):
        return True
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboard")
    return any(
        os.path.abspath(str(arg).split("::")[0]).startswith(here) for arg in config.args
    )


def pytest_ignore_collect(collection_path, config: pytest.Config) -> bool | None:
    if collection_path.name == "dashboard" and collection_path.parent == Path(__file__).parent:
        return None if _browser_tier_wanted(config) else True
    return None


def pytest_terminal_summary(terminalreporter) -> None:
    """One line for each tier directory (tests/upstream, tests/dashboard) not collected."""
    from tests.dashboard.conftest import HOW_TO_RUN as BROWSER_HOW_TO_RUN
    from tests.upstream.conftest import HAVE_TROVE, HOW_TO_RUN

    if not HAVE_TROVE:
        terminalreporter.write_line(HOW_TO_RUN)
    if not _browser_tier_wanted(terminalreporter.config):
        terminalreporter.write_line(BROWSER_HOW_TO_RUN)


@pytest.fixture(scope="session", autouse=True)
def _response_audit() -> Iterator[ResponseAudit]:
    exchange.response_observers.append(AUDIT)
    yield AUDIT
    exchange.response_observers.remove(AUDIT)


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


@pytest.fixture
def widened_races(monkeypatch: pytest.MonkeyPatch) -> None:
    """Race tests use it: the cloud sleeps 2 ms just before it stores or drops a backup, so
    every racing request has passed its checks (instance free, quota, backup exists) before
    any of them acts, unless the cloud's lock serializes them. Without the lock the race
    tests then fail on every run instead of once in a while."""
    for name in ("store_backup", "drop_backup"):
        original = getattr(Cloud, name)

        def slowed(self: Cloud, backup: object, _original: Callable = original) -> None:
            time.sleep(0.002)  # releases the GIL: the other threads run their checks now
            _original(self, backup)

        monkeypatch.setattr(Cloud, name, slowed)


@dataclass
class ContractTarget:
    """A served emulator the contract suite can be pointed at."""

    mock: TroveMock
    url: str  # the Trove endpoint, with the project
    project: str
    instance: str  # an ACTIVE instance
    backups: list[str]  # two COMPLETED backups of it, newest first

    def sleep(self, seconds: float) -> None:
        """For `run_contract(sleep=...)` on a manual clock: waiting moves the clock."""
        assert isinstance(self.mock.clock, ManualClock)
        self.mock.clock.advance(seconds)

    def seconds(self) -> float:
        """For `run_contract(clock=...)`: the emulator's time, in seconds."""
        return self.mock.clock.now().timestamp()


@pytest.fixture
def contract_target() -> Iterator[Callable[..., ContractTarget]]:
    """Factory: `contract_target("rackspace")` serves a cloud on the wall clock whose backups
    complete in 0.2 s, seeded with an ACTIVE instance and two COMPLETED backups of it.
    `contract_target(dialect, manual=True)` uses a manual clock instead: a test that runs the
    contract in-process then waits with `sleep=target.sleep, clock=target.seconds`, and
    statuses move exactly when the suite's polling moves that clock, however loaded the
    machine is."""
    servers: list[BackgroundServer] = []

    def start(dialect: str, manual: bool = False) -> ContractTarget:
        mock = TroveMock(dialect=dialect, clock=ManualClock() if manual else SystemClock())
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
