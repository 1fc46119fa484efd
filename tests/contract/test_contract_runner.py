"""The contract suite run against trovemock itself (a loopback server): it passes against the
emulator, it fails with a readable report against a broken variant, it only reads unless told
to write, and it cleans up after itself even when a check fails."""

from __future__ import annotations

import re
import socket

import pytest

from trovemock.contract.options import ContractOptions
from trovemock.contract.report import FAIL, PASS, SKIP
from trovemock.contract.runner import planned_checks, run_contract
from trovemock.contract.writes import NAME_PREFIX

DIALECTS = ("openstack", "rackspace")


def contract_backups(mock, project: str) -> list:
    return [b for b in mock.backups(project) if b.name.startswith(NAME_PREFIX)]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_check_passes_against_trovemock_with_writes(dialect, contract_target) -> None:
    target = contract_target(dialect, manual=True)  # polling moves the clock: NEW 0.1 s,
    options = ContractOptions(url=target.url, token="tok", instance=target.instance,
                              allow_writes=True, timeout=10)  # then BUILDING 0.1 s
    report = run_contract(options, sleep=target.sleep, clock=target.seconds)
    assert report.passed, report.text()
    assert [r.check for r in report.results] == planned_checks(options)
    assert {r.result for r in report.results} == {PASS}, report.text()
    assert report.dialect == dialect  # detected
    assert report.result("backups.poll.completed").answer == (
        "statuses seen: NEW -> BUILDING -> COMPLETED")
    assert contract_backups(target.mock, target.project) == []  # nothing left behind
    assert [b.id for b in target.mock.backups(target.project)] == target.backups
    assert report.result("backups.list.limit").answer == (
        "200, 1 backup(s), next marker '1'; next page: 1 backup(s)")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_name_limit_of_the_dialect_is_probed(dialect, contract_target) -> None:
    target = contract_target(dialect, manual=True)
    report = run_contract(ContractOptions(url=target.url, token="tok", dialect=dialect,
                                          instance=target.instance, allow_writes=True,
                                          timeout=10), sleep=target.sleep, clock=target.seconds)
    limit = {"openstack": 255, "rackspace": 64}[dialect]
    assert f"a name of {limit} characters" in report.result("backups.create").expected
    too_long = report.result("backups.create.name_too_long")
    assert f"a name of {limit + 1} characters" in too_long.expected
    assert too_long.answer.startswith("400 badRequest: ") and too_long.result == PASS


def test_a_read_only_run_sends_only_gets(contract_target) -> None:
    target = contract_target("openstack")
    target.mock.journal.clear()
    report = run_contract(ContractOptions(url=target.url, token="tok", instance=target.instance))
    assert report.passed, report.text()
    assert {entry.method for entry in target.mock.journal.entries} == {"GET"}
    assert [r.check for r in report.results] == [
        "backups.list", "backups.list.limit", "auth.no_token", "backups.show",
        "backups.show.unknown", "instances.show", "instances.backups", "schemas.every_response"]
    assert report.result("backups.show").answer == (
        f"200, backup {target.backups[0]} (COMPLETED)")


def test_malformed_bodies_fail_with_a_readable_report(contract_target) -> None:
    target = contract_target("rackspace")
    for route in ("backups.list", "backups.show"):
        target.mock.faults.add(route=route, raw_body=b'{"backups": [{"id": "trunc')
    report = run_contract(ContractOptions(url=target.url, token="tok", dialect="rackspace"))
    assert not report.passed
    text = report.text()
    assert "FAILED: " in text.splitlines()[-1]
    listing = report.result("backups.list")
    assert listing.result == FAIL
    assert listing.answer == "200, body is not JSON: '{\"backups\": [{\"id\": \"trunc'"
    assert report.result("backups.show.unknown").result == FAIL  # 200 garbage, not 404
    assert report.result("backups.show.unknown").answer.startswith("200, body is not JSON")
    everything = report.result("schemas.every_response")
    assert everything.result == FAIL
    assert any("GET /v1.0/p1/backups -> 200: body is not JSON" in d for d in everything.details)
    for line in ("backups.list", "body is not JSON", "FAIL"):
        assert line in text


@pytest.mark.allow_schema_violations
def test_a_json_body_of_the_wrong_shape_is_named_by_its_schema_error(contract_target) -> None:
    target = contract_target("openstack")
    target.mock.faults.add(route="backups.list", raw_body=b'{"backups": "none"}')
    report = run_contract(ContractOptions(url=target.url, token="tok"))
    listing = report.result("backups.list")
    assert listing.result == FAIL
    assert listing.details == [
        "responses/backup-list-openstack $['backups']: 'none' is not of type 'array'"]
    assert "'none' is not of type 'array'" in report.text()


@pytest.mark.allow_schema_violations
def test_wrong_fault_bodies_are_reported(contract_target) -> None:
    target = contract_target("openstack")
    target.mock.faults.add(route="backups.show", raw_body=b'{"oops": "not here"}', status=404)
    report = run_contract(ContractOptions(url=target.url, token="tok"))
    unknown = report.result("backups.show.unknown")
    assert unknown.result == FAIL
    assert any("'oops' is not one of" in detail for detail in unknown.details)


def test_a_backup_that_fails_is_reported_and_still_deleted(contract_target) -> None:
    target = contract_target("openstack", manual=True)
    target.mock.faults.add(route="backups.create", outcome="backup_failed", times=1)
    report = run_contract(ContractOptions(url=target.url, token="tok", instance=target.instance,
                                          allow_writes=True, timeout=10),
                          sleep=target.sleep, clock=target.seconds)
    polled = report.result("backups.poll.completed")
    assert polled.result == FAIL and polled.details == ["ended FAILED"]
    assert report.result("backups.delete").result == SKIP
    assert report.result("cleanup").result == PASS
    assert contract_backups(target.mock, target.project) == []


def test_a_backup_that_never_completes_is_reported_as_left_behind(contract_target) -> None:
    target = contract_target("rackspace", manual=True)
    target.mock.config.update({"backup_building_seconds": 60})
    report = run_contract(ContractOptions(url=target.url, token="tok", instance=target.instance,
                                          allow_writes=True, timeout=0.3),
                          sleep=target.sleep, clock=target.seconds)
    polled = report.result("backups.poll.completed")
    assert polled.result == FAIL and polled.details == ["still BUILDING after 0.3 s"]
    (left,) = contract_backups(target.mock, target.project)
    cleanup = report.result("cleanup")
    assert cleanup.result == FAIL and cleanup.answer == f"left behind: {left.id}"
    assert "delete them by hand" in report.text()


def test_an_unreachable_endpoint_fails_every_check_without_a_traceback() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    report = run_contract(ContractOptions(url=f"http://127.0.0.1:{port}/v1.0/p1", token="t",
                                          request_timeout=2))
    assert not report.passed
    assert report.result("backups.list").answer.startswith("no answer: ")
    assert "Traceback" not in report.text()


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"allow_writes": True}, "--allow-writes needs --instance"),
     ({"url": "ftp://x/v1.0/p"}, "--url must be an http(s) URL"),
     ({"dialect": "trove"}, "--dialect must be auto, openstack or rackspace"),
     ({"timeout": 0}, "--timeout must be positive")],
)
def test_bad_options_are_refused_before_any_request(changes: dict, message: str) -> None:
    options = ContractOptions(url="http://127.0.0.1:9/v1.0/p", token="t")
    for key, value in changes.items():
        setattr(options, key, value)
    with pytest.raises(ValueError, match=re.escape(message)):
        run_contract(options)
