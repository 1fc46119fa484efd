"""pytest plugin for trovemock, loaded through the `pytest11` entry point `trovemock`.

Fixtures: `trove`, `trove_dialect`, `trove_project_id`, `trove_session`, `trove_server`,
`troveclient`. Markers: `trove(...)`, `trove_faults(...)`. A failing test that used a trovemock
cloud gets a report section listing the newest requests the cloud answered.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from .fixtures import (
    MOCK_KEY,
    _trove_session_server,
    trove,
    trove_dialect,
    trove_project_id,
    trove_server,
    trove_session,
    troveclient,
)
from .markers import FAULTS_MARKER_HELP, TROVE_MARKER_HELP

__all__ = [
    "_trove_session_server",
    "pytest_addoption",
    "pytest_configure",
    "pytest_load_initial_conftests",
    "pytest_runtest_makereport",
    "trove",
    "trove_dialect",
    "trove_project_id",
    "trove_server",
    "trove_session",
    "troveclient",
]


CONTRACT_PLUGIN = "trovemock.contract.pytest_plugin"


def wants_contract_plugin(args: list[str]) -> bool:
    """A session uses the contract suite when it names a `--trove-*` option or the
    `trovemock.contract` package (``pytest --pyargs trovemock.contract.suite``)."""
    return any(
        str(arg).startswith("--trove-") or "trovemock.contract" in str(arg) for arg in args
    )


def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    # Runs before pytest's final parse of the command line (and in every xdist worker, which
    # gets the same arguments), so the contract plugin's options are known in time.
    if wants_contract_plugin(args):
        early_config.pluginmanager.import_plugin(CONTRACT_PLUGIN)


STRICT_FAULTS_INI = "trovemock_strict_faults"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        STRICT_FAULTS_INI,
        "fail a test whose trovemock fault rules did not all fire (a rule that never fires "
        "is almost always a wrong route, method or project in the test)",
        type="bool",
        default=False,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", TROVE_MARKER_HELP)
    config.addinivalue_line("markers", FAULTS_MARKER_HELP)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    mock = item.stash.get(MOCK_KEY, None)
    if (
        mock is not None
        and report.when == "call"
        and report.passed
        and item.config.getini(STRICT_FAULTS_INI)
    ):
        unfired = [rule.describe() for rule in mock.faults.rules if rule.fired == 0]
        if unfired:
            report.outcome = "failed"
            report.longrepr = (
                f"{STRICT_FAULTS_INI}: fault rule(s) that never fired:\n  "
                + "\n  ".join(unfired)
            )
    if mock is not None and report.when == "call" and len(mock.internal_errors):
        from .report import internal_errors_text

        text = internal_errors_text(mock)
        if report.passed:
            report.outcome = "failed"
            report.longrepr = text
        else:
            report.sections.append(("trovemock internal errors", text))
    if mock is not None and report.failed:
        from .report import journal_section

        report.sections.append(journal_section(mock))
    if call.when == "teardown" and mock is not None:
        del item.stash[MOCK_KEY]  # do not keep every test's cloud alive for the whole session
    return report
