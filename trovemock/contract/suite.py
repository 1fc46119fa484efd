"""The contract suite as pytest tests, one per check:

    pytest --pyargs trovemock.contract.suite --trove-url https://host/v1.0/<project> \\
        --trove-token TOKEN [--trove-instance ID --trove-allow-writes] [--trove-report r.md]
"""

from __future__ import annotations

import pytest

from trovemock.contract.report import SKIP, Report


def test_contract_check(trove_contract: Report, trove_check: str) -> None:
    result = trove_contract.result(trove_check)
    if result.result == SKIP:
        pytest.skip(f"{trove_check}: {result.answer}")
    assert not result.failed, result.explain()
