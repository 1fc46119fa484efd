"""Contract mode: check a Trove / Cloud Databases deployment against the documented API.

    from trovemock.contract import ContractOptions, run_contract
    report = run_contract(ContractOptions(url="https://host/v1.0/<project>", token="..."))
    print(report.text())

Also `trovemock contract ...` (cli.py) and ``pytest --pyargs trovemock.contract.suite`` (suite.py,
options in pytest_plugin.py). `schemas.check_response` judges any single answer.
"""

from trovemock.contract.options import ContractOptions
from trovemock.contract.report import CheckResult, Report
from trovemock.contract.runner import planned_checks, run_contract

__all__ = ["CheckResult", "ContractOptions", "Report", "planned_checks", "run_contract"]
