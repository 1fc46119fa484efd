"""`trovemock contract`: exit status, the printed table, the report files, usage errors, and a
full run against a `trovemock serve` subprocess (the command a user types)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from trovemock import cli as trovemock_cli
from trovemock.contract.cli import main
from trovemock.demo import DEMO_INSTANCES

# End to end: real processes, sockets or installs (slow; `pytest -m "not e2e"` leaves them out).
pytestmark = pytest.mark.e2e


def test_a_passing_run_exits_0_and_prints_the_table(contract_target, capsys) -> None:
    target = contract_target("rackspace")
    code = main(["--url", target.url, "--token", "tok", "--instance", target.instance,
                 "--allow-writes", "--timeout", "10"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith(f"trovemock contract report for {target.url} (dialect rackspace)")
    assert re.search(r"^ backups\.create +\| 202 backup, status NEW; a name of 64 .*\| PASS$",
                     out, re.MULTILINE), out
    assert out.rstrip().endswith("PASSED: 15 passed, 0 failed, 0 skipped")


def test_the_report_is_written_as_markdown_or_json(contract_target, tmp_path, capsys) -> None:
    target = contract_target("openstack")
    args = ["--url", target.url, "--token", "tok", "--instance", target.instance]
    assert main([*args, "--report", str(tmp_path / "report.md")]) == 0
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert markdown.startswith("# trovemock contract report")
    assert "| Check | Expected (documented) | Answer | Result |" in markdown
    assert ("| auth.no_token | 401 unauthorized fault (OpenStack: keystonemiddleware's error) "
            "| 401 error: " in markdown)
    assert main([*args, "--report", str(tmp_path / "report.json")]) == 0
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["passed"] is True and data["dialect"] == "openstack"
    assert data["counts"] == {"PASS": 8, "FAIL": 0, "SKIP": 0}
    assert data["results"][0] == {
        "check": "backups.list", "result": "PASS", "answer": "200, 2 backup(s)", "details": [],
        "expected": '200 {"backups": [...]} (responses/backup-list-openstack)'}
    capsys.readouterr()


def test_a_broken_deployment_exits_1_with_the_failures_in_the_table(contract_target,
                                                                    capsys) -> None:
    target = contract_target("openstack")
    target.mock.faults.add(route="backups.list", raw_body=b"<html>502 Bad Gateway</html>")
    target.mock.faults.add(route="backups.show", raw_body=b'{"backup": ')
    assert main(["--url", target.url, "--token", "tok"]) == 1
    out = capsys.readouterr().out
    assert re.search(r"^ backups\.list +\| .* \| 200, body is not JSON: '<html>502 Bad +\| "
                     r"FAIL$", out, re.MULTILINE), out
    assert ("\n    - GET /v1.0/p1/backups -> 200: body is not JSON: '<html>502 Bad "
            "Gateway</html>'\n") in out
    assert re.search(r"^ backups\.show\.unknown +\| 404 itemNotFound fault +\| 200, body is "
                     r"not JSON: '\{\"backup\": ' +\| FAIL$", out, re.MULTILINE), out
    assert out.rstrip().splitlines()[-1].startswith("FAILED: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--url", "http://127.0.0.1:9/v1.0/p", "--token", "t", "--allow-writes"],
      "--allow-writes needs --instance"),
     (["--url", "http://127.0.0.1:9/v1.0/p"], "--token is required (or set $TROVE_TOKEN)"),
     (["--url", "127.0.0.1:9", "--token", "t"], "--url must be an http(s) URL"),
     (["--url", "http://127.0.0.1:9/", "--token", "t"], "--url must end in /v1.0/<project>"),
     (["--url", "http://127.0.0.1:9/v1.0/p/backups", "--token", "t"],
      "--url must end in /v1.0/<project>"),
     (["--token", "t"], "the following arguments are required: --url")],
)
def test_usage_errors_exit_2_with_a_message(args, message, capsys, monkeypatch) -> None:
    monkeypatch.delenv("TROVE_TOKEN", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_the_token_may_come_from_the_environment(contract_target, capsys, monkeypatch) -> None:
    target = contract_target("openstack")
    monkeypatch.setenv("TROVE_TOKEN", "from-env")
    assert main(["--url", target.url]) == 0
    capsys.readouterr()
    assert target.mock.journal.entries[0].headers["X-Auth-Token"] == "***"


def test_the_trovemock_command_dispatches_contract(contract_target, capsys) -> None:
    target = contract_target("openstack")
    assert trovemock_cli.main(["contract", "--url", target.url, "--token", "tok"]) == 0
    assert "PASSED: 6 passed" in capsys.readouterr().out


@pytest.fixture
def served() -> Iterator[str]:
    """`trovemock serve --port 0` in a subprocess; yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "trovemock.cli", "serve", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        first = process.stdout.readline()
        match = re.search(r"on (http://127\.0\.0\.1:\d+)", first)
        assert match, first + process.stderr.read()
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_trovemock_contract_passes_against_trovemock_serve(served: str, tmp_path: Path) -> None:
    fast = json.dumps({"backup_new_seconds": 0.2, "backup_building_seconds": 0.2}).encode()
    request = urllib.request.Request(f"{served}/_trovemock/config", data=fast, method="PUT",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
    report = tmp_path / "report.md"
    result = subprocess.run(
        [sys.executable, "-m", "trovemock.cli", "contract", "--url", f"{served}/v1.0/demo",
         "--token", "demo-token", "--instance", DEMO_INSTANCES[0][0], "--allow-writes",
         "--timeout", "30", "--report", str(report)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASSED: 15 passed, 0 failed, 0 skipped" in result.stdout
    assert "| backups.poll.completed |" in report.read_text(encoding="utf-8")


def test_an_endpoint_that_does_not_answer_fails_at_once_and_says_why(capsys) -> None:
    with socket.socket() as unused:  # a loopback port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1.0/p1"
    assert main(["--url", url, "--token", "t", "--request-timeout", "5"]) == 1
    out = capsys.readouterr().out
    assert "FAILED: 0 passed, 1 failed" in out
    assert f"nothing answered at {url}; check --url" in out
    assert "not run: the endpoint did not answer" in out
