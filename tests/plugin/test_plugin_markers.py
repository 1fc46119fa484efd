"""The `trove` and `trove_faults` markers, run through pytester as a user's suite would."""

from __future__ import annotations

import pytest


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(source)
    return pytester.runpytest("-p", "no:cacheprovider", "--strict-markers", *args)


def test_trove_marker_sets_dialect_quota_durations_and_config(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.trove(dialect="rackspace", quota=1, page_size=5,
                           durations={"backup_building_seconds": 60})
        def test_configured(trove, trove_session, trove_dialect):
            assert trove.dialect == trove_dialect == "rackspace"
            assert trove.config.backup_quota == 1
            assert trove.config.page_size == 5
            assert trove.config.backup_building_seconds == 60
            first = trove.add_instance("test-project")
            second = trove.add_instance("test-project")
            url = trove_session.trove_endpoint + "/backups"
            ok = trove_session.post(url, json={"backup": {"name": "a", "instance": first.id}})
            assert ok.status_code == 202
            over = trove_session.post(url, json={"backup": {"name": "b", "instance": second.id}})
            assert over.status_code == 413
            trove.clock.advance(30)
            assert trove.backup(ok.json()["backup"]["id"]).status == "BUILDING"

        @pytest.mark.trove(start="2030-06-01T00:00:00")
        def test_start(trove):
            assert trove.clock.now().isoformat() == "2030-06-01T00:00:00"

        def test_unmarked_defaults(trove):
            assert trove.dialect == "openstack"
            assert trove.config.backup_quota == 50
        """,
    )
    result.assert_outcomes(passed=3)


def test_closest_trove_marker_wins_and_others_merge(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest

        pytestmark = pytest.mark.trove(dialect="rackspace", quota=3)

        @pytest.mark.trove(quota=7)
        class TestMerged:
            def test_class_level(self, trove):
                assert (trove.dialect, trove.config.backup_quota) == ("rackspace", 7)

            @pytest.mark.trove(dialect="openstack")
            def test_method_level(self, trove):
                assert (trove.dialect, trove.config.backup_quota) == ("openstack", 7)
        """,
    )
    result.assert_outcomes(passed=2)


def test_bad_trove_marker_arguments_error_clearly(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.trove(colour="red")
        def test_unknown(trove):
            pass

        @pytest.mark.trove(durations={"backup_seconds": 1})
        def test_bad_duration(trove):
            pass

        @pytest.mark.trove(quota="many")
        def test_bad_value(trove):
            pass

        @pytest.mark.trove(dialect="aws")
        def test_bad_dialect(trove):
            pass
        """,
    )
    result.assert_outcomes(errors=4)
    result.stdout.fnmatch_lines_random(
        [
            "*@pytest.mark.trove: unknown option 'colour'*",
            "*@pytest.mark.trove: unknown duration(s) backup_seconds; known: *",
            "*@pytest.mark.trove: config.backup_quota must be a whole number*, not 'many'*",
            "*@pytest.mark.trove: *aws*",
        ]
    )


def test_trove_faults_marker_preloads_rules(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.trove_faults(
            dict(route="backups.list", status=503, times=1),
            dict(route="backups.create", outcome="backup_failed"),
        )
        def test_preloaded(trove, trove_session):
            url = trove_session.trove_endpoint + "/backups"
            assert trove_session.get(url).status_code == 503
            assert trove_session.get(url).status_code == 200
            instance = trove.add_instance("test-project")
            created = trove_session.post(
                url, json={"backup": {"name": "b", "instance": instance.id}})
            trove.clock.advance(60)
            assert trove.backup(created.json()["backup"]["id"]).status == "FAILED"
            trove.faults.assert_all_fired()

        @pytest.mark.trove_faults(route="backups.show", status=404)
        def test_keyword_form(trove):
            (rule,) = trove.faults.rules
            assert (rule.route, rule.status) == ("backups.show", 404)
        """,
    )
    result.assert_outcomes(passed=2)


def test_the_tests_own_fault_rules_come_first(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest

        pytestmark = pytest.mark.trove_faults(dict(route="backups.list", status=500))

        @pytest.mark.trove_faults(dict(route="backups.list", status=503))
        def test_order(trove, trove_session):
            assert [r.status for r in trove.faults.rules] == [503, 500]
            assert trove_session.get(trove_session.trove_endpoint + "/backups").status_code == 503
        """,
    )
    result.assert_outcomes(passed=1)


def test_bad_fault_rules_in_the_marker_error_clearly(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.trove_faults(dict(route="backups.list", status=502, retry_after=5))
        def test_retry_after(trove):
            pass

        @pytest.mark.trove_faults("status=503")
        def test_not_a_dict(trove):
            pass
        """,
    )
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines_random(
        [
            "*@pytest.mark.trove_faults: retry_after goes with status 413, 429, 503*",
            "*@pytest.mark.trove_faults: each rule must be a dict, not 'status=503'*",
        ]
    )


def test_markers_apply_to_trove_server_too(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest
        import requests

        @pytest.mark.trove(dialect="rackspace")
        @pytest.mark.trove_faults(dict(region="ORD", status=503))
        def test_server(trove_server):
            assert trove_server.mock.dialect == "rackspace"
            ord_url = trove_server.url + "/regions/ORD/v1.0/p1/backups"
            iad_url = trove_server.url + "/regions/IAD/v1.0/p1/backups"
            headers = {"X-Auth-Token": "t"}
            assert requests.get(ord_url, headers=headers, timeout=5).status_code == 503
            assert requests.get(iad_url, headers=headers, timeout=5).status_code == 200
        """,
    )
    result.assert_outcomes(passed=1)


def test_markers_are_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        ["@pytest.mark.trove(dialect=..., quota=..., durations={...}*",
         "@pytest.mark.trove_faults(dict(...), ...)*"]
    )
