"""The plugin's fixtures, exercised the way a user's suite uses them: each test writes a small
test file and runs it with pytest's own `pytester` (the plugin loads from its entry point)."""

from __future__ import annotations

import pytest

CREATE = """
def create_backup(session, instance_id, name="nightly"):
    return session.post(
        session.trove_endpoint + "/backups",
        json={"backup": {"name": name, "instance": instance_id}},
    )
"""


def test_trove_is_a_fresh_openstack_cloud_on_a_manual_clock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from trovemock import ManualClock, TroveMock

        def test_first(trove):
            assert isinstance(trove, TroveMock)
            assert trove.dialect == "openstack"
            assert isinstance(trove.clock, ManualClock)
            assert trove.clock.now().isoformat() == "2014-02-13T21:47:16"
            trove.add_instance("p1")
            trove.faults.add(status=503)
            trove.clock.advance(3600)

        def test_second_starts_empty(trove):
            assert trove.instances() == []
            assert trove.faults.rules == []
            assert trove.journal.entries == []
            assert trove.clock.now().isoformat() == "2014-02-13T21:47:16"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_trove_dialect_can_be_overridden_in_a_conftest(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def trove_dialect():
            return "rackspace"
        """
    )
    pytester.makepyfile(
        """
        def test_dialect(trove, trove_dialect):
            assert trove_dialect == "rackspace"
            assert trove.dialect == "rackspace"
            assert "DFW" in trove.regions
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_trove_session_answers_in_process_without_a_socket(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        CREATE
        + """
import socket

import pytest


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_round_trip(trove, trove_session):
    assert trove_session.trove_endpoint == trove_session.trove_url + "/v1.0/test-project"
    instance = trove.add_instance("test-project")
    created = create_backup(trove_session, instance.id)
    assert created.status_code == 202
    backup_id = created.json()["backup"]["id"]
    trove.clock.advance(60)
    shown = trove_session.get(trove_session.trove_endpoint + "/backups/" + backup_id)
    assert shown.json()["backup"]["status"] == "COMPLETED"
    assert shown.headers["Content-Type"] == "application/json"
    trove.journal.assert_called("backups.create", times=1, status=202)


def test_errors_and_dropped_connections(trove, trove_session):
    import requests

    missing = trove_session.get(trove_session.trove_endpoint + "/backups/nope")
    assert missing.status_code == 404
    assert missing.json()["itemNotFound"]["code"] == 404
    trove.faults.add(drop=True)
    with pytest.raises(requests.ConnectionError):
        trove_session.get(trove_session.trove_endpoint + "/backups")
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_trove_server_is_one_server_with_a_fresh_cloud_per_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import requests

        SEEN = {}

        def backups(server):
            return requests.get(
                server.endpoint() + "/backups", headers={"X-Auth-Token": "t"}, timeout=5
            )

        def test_first(trove_server, trove):
            assert trove_server.url.startswith("http://127.0.0.1:")
            assert trove_server.mock is trove
            instance = trove.add_instance("test-project")
            created = requests.post(
                trove_server.endpoint() + "/backups",
                json={"backup": {"name": "b", "instance": instance.id}},
                headers={"X-Auth-Token": "t"},
                timeout=5,
            )
            assert created.status_code == 202
            assert len(backups(trove_server).json()["backups"]) == 1
            SEEN["port"] = trove_server.port

        def test_second(trove_server):
            assert trove_server.port == SEEN["port"]  # the same server ...
            assert backups(trove_server).json()["backups"] == []  # ... a fresh cloud
            assert trove_server.mock.journal.filter(route="backups.list")

        def test_other_projects_via_endpoint(trove_server):
            assert trove_server.endpoint("p9").endswith("/v1.0/p9")
            assert requests.get(
                trove_server.endpoint("p9") + "/backups",
                headers={"X-Auth-Token": "t"},
                timeout=5,
            ).status_code == 200
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


@pytest.mark.trove(dialect="rackspace")
def test_trove_server_in_this_suite_is_bound_to_the_trove_fixture(trove_server, trove) -> None:
    import requests

    instance = trove.add_instance("test-project", region="ORD")
    trove.faults.add(route="backups.list", region="ORD", status=503, times=1)
    url = f"{trove_server.url}/regions/ORD/v1.0/test-project/instances/{instance.id}"
    assert requests.get(url, headers={"X-Auth-Token": "t"}, timeout=5).status_code == 200
    listing = f"{trove_server.url}/regions/ORD/v1.0/test-project/backups"
    assert requests.get(listing, headers={"X-Auth-Token": "t"}, timeout=5).status_code == 503
    trove.journal.assert_called("instances.show", times=1, region="ORD")


def test_troveclient_talks_to_the_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from troveclient.apiclient import exceptions

        def test_lifecycle(trove, troveclient):
            instance = trove.add_instance("test-project")
            backup = troveclient.backups.create("nightly", instance.id, description="d")
            assert backup.status == "NEW"
            trove.clock.advance(60)
            assert troveclient.backups.get(backup.id).status == "COMPLETED"
            assert [b.id for b in troveclient.backups.list()] == [backup.id]
            trove.faults.add(route="backups.delete", status=503, times=1)
            with pytest.raises(exceptions.ServiceUnavailable):
                troveclient.backups.delete(backup.id)
            troveclient.backups.delete(backup.id)
            trove.journal.assert_called("backups.delete", times=2)
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_fixtures_skip_with_a_reason_when_clients_are_missing(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import sys

        import pytest

        @pytest.fixture
        def no_troveclient(monkeypatch):
            for name in [n for n in sys.modules if n.split(".")[0] == "troveclient"]:
                monkeypatch.delitem(sys.modules, name)
            monkeypatch.setitem(sys.modules, "troveclient", None)

        @pytest.fixture
        def no_requests(monkeypatch):
            monkeypatch.setitem(sys.modules, "requests", None)

        def test_troveclient(no_troveclient, troveclient):
            raise AssertionError("not reached")

        def test_session(no_requests, trove_session):
            raise AssertionError("not reached")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines(
        [
            "*the troveclient fixture needs python-troveclient and keystoneauth1 installed*",
            "*the trove_session fixture needs requests (pip install requests)*",
        ]
    )


def test_fixtures_are_listed_with_their_docs(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines_random(
        [
            "trove -- *",
            "trove_dialect -- *",
            "trove_session -- *",
            "trove_server -- *",
            "troveclient -- *",
            "trove_project_id -- *",
        ]
    )
