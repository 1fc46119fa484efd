"""An unexpected 500 from the emulator itself (a bug, not a fault rule) fails the test that
met it, with the traceback, even when the code under test swallowed the 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e  # pytester runs a suite in a subprocess-like session

SUITE = """
import pytest


def explode(*args, **kwargs):
    raise RuntimeError("boom inside the emulator")


def test_swallows_the_500(trove, trove_session):
    trove.cloud.newest_first_list = explode  # a stand-in for an emulator bug
    answer = trove_session.get(trove_session.trove_endpoint + "/backups")
    assert answer.status_code == 500  # the code under test copes with it...


def test_an_injected_500_is_not_a_bug(trove, trove_session):
    trove.faults.add(route="backups.list", status=500)
    assert trove_session.get(trove_session.trove_endpoint + "/backups").status_code == 500


def test_a_test_that_expects_it_clears_it(trove, trove_session):
    trove.cloud.newest_first_list = explode
    trove_session.get(trove_session.trove_endpoint + "/backups")
    assert [e.request for e in trove.internal_errors] == ["GET /v1.0/test-project/backups"]
    trove.internal_errors.clear()


def test_fails_for_its_own_reason_too(trove, trove_session):
    trove.cloud.newest_first_list = explode
    trove_session.get(trove_session.trove_endpoint + "/backups")
    assert False, "the test's own failure"
"""


def test_an_emulator_bug_fails_the_test_that_met_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=2)
    out = result.stdout.str()
    result.stdout.fnmatch_lines([
        "*test_swallows_the_500*",
        "*trovemock answered 1 request(s) with an unexpected 500*",
        "GET /v1.0/test-project/backups",
        "*RuntimeError: boom inside the emulator*",
    ])
    assert "trovemock internal errors" in out  # the failing test gets them as a section
    assert "FAILED test_an_emulator_bug_fails_the_test_that_met_it.py::test_swallows_the_500" \
        in out
    assert "test_an_injected_500_is_not_a_bug FAILED" not in out
