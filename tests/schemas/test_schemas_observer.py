"""The suite-wide response audit (tests/conftest.py): it sees every emulator response, and a
response that breaks its schema is caught, naming the route, status and schema error."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from trovemock import TroveMock, exchange
from trovemock.contract.audit import ResponseAudit
from trovemock.exchange import JournalEntry


def entry(route: str | None, status: int, body: Any, *, raw: bytes | None = None,
          fault_rule: str | None = None) -> JournalEntry:
    data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    return JournalEntry(
        seq=0, time=datetime(2014, 2, 13), method="GET", path="/v1.0/p1/backups", route=route,
        project_id="p1", region="RegionOne", query={}, headers={}, request_json=None,
        request_text=None, status=status, response_json=body,
        response_headers={"Content-Type": "application/json", "Content-Length": str(len(data))},
        fault_rule=fault_rule,
    )


def test_a_response_that_breaks_its_schema_is_recorded_with_route_status_and_error() -> None:
    audit = ResponseAudit()
    backup = {"id": "b1", "name": "n", "description": None, "locationRef": None,
              "instance_id": None, "created": "2014-02-13T21:47:16", "updated": "2014-02-13",
              "size": None, "status": "NEW", "parent_id": None, "project_id": "p1",
              "datastore": {"type": "mysql", "version": "5.7", "version_id": "v"}}
    audit("openstack", entry("backups.list", 200, {"backups": [backup]}))
    (violation,) = audit.take()
    assert violation.startswith(
        "GET /v1.0/p1/backups -> backups.list 200: responses/backup-list-openstack "
        "$['backups'][0]['updated']: '2014-02-13' does not match ")
    assert audit.take() == []


def test_a_fault_whose_code_differs_from_the_status_is_recorded() -> None:
    audit = ResponseAudit()
    audit("rackspace", entry("backups.show", 404, {"itemNotFound": {"code": 500, "message": "m"}},
                             fault_rule="rule-1"))
    (violation,) = audit.take()
    assert "backups.show 404 (fault rule rule-1): fault code 500 differs" in violation


def test_an_empty_body_where_json_is_documented_is_recorded() -> None:
    audit = ResponseAudit()
    audit("openstack", entry("backups.show", 200, None))
    assert audit.take() == [
        "GET /v1.0/p1/backups -> backups.show 200: expected a JSON body "
        "(responses/backup-openstack), got an empty body"]


def test_control_identity_and_raw_non_json_bodies_are_not_judged() -> None:
    audit = ResponseAudit()
    audit("openstack", entry(None, 200, {"anything": "goes"}))
    audit("openstack", entry("backups.list", 200, None, raw=b"<html>oops", fault_rule="r1"))
    assert audit.take() == []
    assert audit.checked == 2


def test_the_suite_audit_sees_every_emulator_response(_response_audit: ResponseAudit) -> None:
    assert _response_audit in exchange.response_observers
    mock = TroveMock(dialect="rackspace")
    instance = mock.add_instance("p1").id
    client = Client(mock)
    headers = {"X-Auth-Token": "tok"}
    before = _response_audit.checked
    client.get("/v1.0/p1/backups", headers=headers)
    client.post("/v1.0/p1/backups", headers=headers,
                json={"backup": {"name": "n", "instance": instance}})
    client.get("/v1.0/p1/backups/unknown", headers=headers)
    assert _response_audit.checked - before == 3


@pytest.mark.allow_schema_violations
def test_a_deliberately_wrong_emulator_answer_fails_the_test_at_teardown(
    pytester: pytest.Pytester,
) -> None:
    # The inner run uses a copy of the real suite conftest.
    suite_conftest = Path(__file__).resolve().parents[1] / "conftest.py"
    pytester.makeconftest(suite_conftest.read_text(encoding="utf-8"))
    pytester.makepyfile(
        test_inner="""
        from trovemock import exchange
        from trovemock.exchange import JournalEntry
        from datetime import datetime

        def test_bad():
            bad = JournalEntry(
                seq=0, time=datetime(2014, 2, 13), method="GET", path="/v1.0/p1/backups/b1",
                route="backups.show", project_id="p1", region="RegionOne", query={},
                headers={}, request_json=None, request_text=None, status=200,
                response_json={"backup": {"id": "b1"}},
                response_headers={"Content-Length": "20"})
            for observer in exchange.response_observers:
                observer("openstack", bad)
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:xdist", "-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=1)
    output = result.stdout.str()
    assert "ERROR at teardown of test_bad" in output
    assert "responses that do not match their schema:" in output
    assert ("GET /v1.0/p1/backups/b1 -> backups.show 200: responses/backup-openstack "
            "$['backup']: 'name' is a required property") in output
