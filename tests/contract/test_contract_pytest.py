"""The contract suite as pytest tests: ``pytest --pyargs trovemock.contract.suite --trove-url
URL --trove-token TOKEN`` reports one test per check (plugin `trovemock-contract`)."""

from __future__ import annotations

import json

import pytest

SUITE = ["-p", "no:randomly", "-p", "no:xdist", "--pyargs", "trovemock.contract.suite"]


def test_the_suite_passes_against_trovemock(pytester: pytest.Pytester, contract_target) -> None:
    target = contract_target("rackspace")
    report = pytester.path / "report.json"
    result = pytester.runpytest_inprocess(
        *SUITE, "--trove-url", target.url, "--trove-token", "tok", "--trove-instance",
        target.instance, "--trove-allow-writes", "--trove-timeout", "10",
        "--trove-report", str(report), "-v")
    result.assert_outcomes(passed=15)
    result.stdout.fnmatch_lines(["*test_contract_check?backups.create.duplicate? PASSED*"])
    assert json.loads(report.read_text(encoding="utf-8"))["passed"] is True


def test_a_failing_check_is_a_failing_test_with_the_explanation(
    pytester: pytest.Pytester, contract_target
) -> None:
    target = contract_target("openstack")
    target.mock.faults.add(route="backups.show", status=503, message="maintenance")
    result = pytester.runpytest_inprocess(*SUITE, "--trove-url", target.url,
                                          "--trove-token", "tok")
    result.assert_outcomes(passed=4, failed=2)
    result.stdout.fnmatch_lines([
        "*backups.show.unknown: FAIL",
        "*  expected: 404 itemNotFound fault",
        "*  answer:   503 serviceUnavailable: 'maintenance'",
    ])


def test_without_a_url_the_suite_is_skipped_with_the_reason(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(*SUITE, "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*contract suite: pass --trove-url URL --trove-token TOKEN*"])


def test_writes_without_an_instance_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(*SUITE, "--trove-url", "http://127.0.0.1:9/v1.0/p",
                                          "--trove-token", "t", "--trove-allow-writes")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--trove-allow-writes needs --trove-instance*"])
