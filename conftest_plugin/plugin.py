"""pytest plugin for trovemock, loaded through the `pytest11` entry point `trovemock`.

Fixtures: `trove`, `trove_dialect`, `trove_project_id`, `trove_session`, `trove_server`,
`troveclient`. Markers: `trove(...)`, `trove_faults(...)`. A failing test that used a trovemock
cloud gets a report section listing the newest requests the cloud answered.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from conftest_plugin.fixtures import (
    MOCK_KEY,
    _trove_session_server,
    trove,
    trove_dialect,
    trove_project_id,
    trove_server,
    trove_session,
    troveclient,
)
from conftest_plugin.markers import FAULTS_MARKER_HELP, TROVE_MARKER_HELP

__all__ = [
    "_trove_session_server",
    "pytest_configure",
    "pytest_runtest_makereport",
    "trove",
    "trove_dialect",
    "trove_project_id",
    "trove_server",
    "trove_session",
    "troveclient",
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", TROVE_MARKER_HELP)
    config.addinivalue_line("markers", FAULTS_MARKER_HELP)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    mock = item.stash.get(MOCK_KEY, None)
    if mock is not None and report.failed:
        from conftest_plugin.report import journal_section

        report.sections.append(journal_section(mock))
    if call.when == "teardown" and mock is not None:
        del item.stash[MOCK_KEY]  # do not keep every test's cloud alive for the whole session
    return report
