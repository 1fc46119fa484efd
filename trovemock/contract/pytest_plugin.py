"""pytest options for contract mode: ``pytest --pyargs trovemock.contract.suite --trove-url
URL --trove-token TOKEN``. The run happens once per session (fixture `trove_contract`, a
`Report`); the suite reports each check as its own test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from trovemock.contract.options import ContractOptions
from trovemock.contract.report import Report
from trovemock.contract.runner import planned_checks, run_contract


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("trove-contract", "trovemock contract checks of a deployment")
    group.addoption("--trove-url", help="Trove endpoint with the project: "
                    "https://host/v1.0/<project>")
    group.addoption("--trove-token", default=os.environ.get("TROVE_TOKEN"),
                    help="X-Auth-Token for --trove-url (default: $TROVE_TOKEN)")
    group.addoption("--trove-dialect", default="auto",
                    choices=("auto", "openstack", "rackspace"))
    group.addoption("--trove-instance", help="an ACTIVE instance id to check and back up")
    group.addoption("--trove-allow-writes", action="store_true",
                    help="create, poll and delete a backup of --trove-instance")
    group.addoption("--trove-timeout", type=float, default=600.0,
                    help="longest wait for a backup to complete or vanish (seconds)")
    group.addoption("--trove-report", help="write the report to this file (.md, .json, text)")


def contract_options(config: pytest.Config) -> ContractOptions | None:
    """The options given on the command line, None without --trove-url."""
    url = config.getoption("--trove-url", default=None)
    if not url:
        return None
    options = ContractOptions(
        url=url,
        token=config.getoption("--trove-token"),
        dialect=config.getoption("--trove-dialect"),
        instance=config.getoption("--trove-instance"),
        allow_writes=config.getoption("--trove-allow-writes"),
        timeout=config.getoption("--trove-timeout"),
    )
    try:
        options.validate()
    except ValueError as error:
        raise pytest.UsageError(str(error).replace("--", "--trove-")) from None
    return options


def pytest_configure(config: pytest.Config) -> None:
    contract_options(config)  # bad option combinations are usage errors, reported at once


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "trove_check" in metafunc.fixturenames:
        options = contract_options(metafunc.config)
        checks = planned_checks(options) if options else ["(no --trove-url)"]
        metafunc.parametrize("trove_check", checks)


@pytest.fixture(scope="session")
def trove_contract(request: pytest.FixtureRequest) -> Iterator[Report]:
    """The contract report of the deployment given by --trove-url (runs once per session)."""
    options = contract_options(request.config)
    if options is None:
        pytest.skip("contract suite: pass --trove-url URL --trove-token TOKEN")
    report = run_contract(options)
    yield report
    path = request.config.getoption("--trove-report")
    if path:
        report.write(path)
