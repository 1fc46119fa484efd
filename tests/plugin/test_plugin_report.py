"""A failing test that used a trovemock cloud shows the newest requests in its report."""

from __future__ import annotations

import pytest

# End to end: real processes, sockets or installs (slow; `pytest -m "not e2e"` leaves them out).
pytestmark = pytest.mark.e2e

SUITE = """
import pytest

URL = "/v1.0/test-project/backups"

def test_fails_after_requests(trove, trove_session):
    trove.faults.add(route="backups.list", status=503, message="maintenance", times=1)
    trove_session.get(trove_session.trove_endpoint + "/backups")
    trove_session.get(trove_session.trove_endpoint + "/backups", params={"limit": 1})
    assert False, "the code under test gave up"

def test_passes(trove, trove_session):
    trove_session.get(trove_session.trove_endpoint + "/backups/passing-marker")

def test_fails_without_trovemock():
    assert False, "plain failure"

def test_fails_with_an_empty_journal(trove):
    assert False, "nothing sent"
"""


def test_failure_report_lists_the_newest_journal_entries(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines(
        [
            "*_ test_fails_after_requests _*",
            "*the code under test gave up*",
            "*- trovemock journal (last 2 of 2 requests) -*",
            "#1 GET /v1.0/test-project/backups -> 503 serviceUnavailable: maintenance"
            " [fault rule fault-1]",
            "#2 GET /v1.0/test-project/backups?limit=1 -> 200",
            "fault rules:",
            "  fault-1 (backups.list -> 503, times=1, fired once)",
            "*_ test_fails_without_trovemock _*",
        ]
    )
    output = result.stdout.str()
    assert output.count("trovemock journal") == 2  # the two failing tests that used trovemock
    assert "passing-marker" not in output
    assert "- trovemock journal (last 0 of 0 requests) -" in output
    assert "(no requests were recorded)" in output


def test_only_the_last_twenty_entries_are_shown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_many(trove, trove_session):
            for n in range(25):
                trove_session.get(trove_session.trove_endpoint + f"/backups/b{n}")
            assert False
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        ["*trovemock journal (last 20 of 25 requests)*", "#6 GET */backups/b5 -> 404 *"]
    )
    assert "#5 GET" not in result.stdout.str()
    assert "#25 GET /v1.0/test-project/backups/b24 -> 404" in result.stdout.str()


def test_report_section_survives_xdist(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Load only the plugins needed: autoloading every installed plugin in three processes
    # costs seconds.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(SUITE)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "xdist.plugin", "-p", "conftest_plugin.plugin", "-n", "2"
    )
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines(
        [
            "*trovemock journal (last 2 of 2 requests)*",
            "#2 GET /v1.0/test-project/backups?limit=1 -> 200",
        ]
    )


UNFIRED = """
def test_unfired_rule_and_a_failure(trove, trove_session):
    trove.faults.add(route="backups.create", status=503)  # the test never creates a backup
    trove_session.get(trove_session.trove_endpoint + "/backups")
    assert False, "failed for another reason"

def test_unfired_rule_but_passing(trove, trove_session):
    trove.faults.add(route="backups.create", status=503)
    trove_session.get(trove_session.trove_endpoint + "/backups")

def test_every_rule_fired(trove, trove_session):
    trove.faults.add(route="backups.list", status=503)
    assert trove_session.get(trove_session.trove_endpoint + "/backups").status_code == 503
"""


def test_the_report_names_fault_rules_that_never_fired(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(UNFIRED)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*never fired: fault-1 (a rule that never fires*"])


def test_strict_faults_fail_a_test_whose_rule_never_fired(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(UNFIRED)
    pytester.makeini("[pytest]\ntrovemock_strict_faults = true\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*trovemock_strict_faults: fault rule(s) that never fired:*",
        "*fault-1 (backups.create -> 503, fired 0 times)*",
    ])
