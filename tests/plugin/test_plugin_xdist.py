"""Under pytest-xdist every worker gets its own server, port and clouds."""

from __future__ import annotations

import pytest

# End to end: real processes, sockets or installs (slow; `pytest -m "not e2e"` leaves them out).
pytestmark = pytest.mark.e2e

SAMPLE = """
import os

import pytest
import requests


def record(port):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(os.path.join("ports", worker), "a") as out:
        out.write(f"{port}\\n")


@pytest.mark.parametrize("n", range(8))
def test_own_cloud_per_test(trove_server, trove, n):
    instance = trove.add_instance("test-project")
    url = trove_server.endpoint() + "/backups"
    headers = {"X-Auth-Token": "t"}
    created = requests.post(
        url, json={"backup": {"name": f"b{n}", "instance": instance.id}}, headers=headers,
        timeout=5,
    )
    assert created.status_code == 202
    listed = requests.get(url, headers=headers, timeout=5).json()["backups"]
    assert [b["name"] for b in listed] == [f"b{n}"]  # nothing from other tests or workers
    record(trove_server.port)


@pytest.mark.trove_faults(dict(route="backups.list", status=503, times=1))
@pytest.mark.parametrize("n", range(4))
def test_faults_stay_with_their_test(trove_session, n):
    url = trove_session.trove_endpoint + "/backups"
    assert trove_session.get(url).status_code == 503
    assert trove_session.get(url).status_code == 200
"""


def test_sample_suite_passes_with_two_workers(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Load only the plugins needed: autoloading every installed plugin in three processes
    # costs seconds.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(SAMPLE)
    pytester.mkdir("ports")
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "xdist.plugin", "-p", "conftest_plugin.plugin", "-n", "2"
    )
    result.assert_outcomes(passed=12)
    ports = {
        worker.name: set(worker.read_text().split())
        for worker in (pytester.path / "ports").iterdir()
    }
    assert sorted(ports) == ["gw0", "gw1"]
    assert all(len(used) == 1 for used in ports.values())  # one server per worker session
    assert ports["gw0"] != ports["gw1"]  # each worker its own port
