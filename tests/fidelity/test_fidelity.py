"""Fidelity modes (trovemock/fidelity.py): the default follows the API documents with Trove's
bugs fixed; `fidelity="upstream"` reproduces Trove 26.0.0 bug-for-bug at each listed
deviation (the differential suite in tests/upstream proves both against real Trove). These
tests pin the switches users reach: the Python API, the CLI, the control API, the pytest
marker, single deviations; and the documentation's table is this module's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import Api, backup_body, fault_of, ok, seed_instance
from werkzeug.test import Client

from trovemock import TroveMock, cli
from trovemock.config import Config
from trovemock.fidelity import DEVIATIONS, markdown_table

FIDELITY_PAGE = Path(__file__).resolve().parents[2] / "docs" / "fidelity.md"


def _api(mock: TroveMock) -> Api:
    mock.add_token("tok-123", "p1")
    return Api(mock, "p1")


@pytest.mark.allow_schema_violations
def test_upstream_fidelity_reproduces_troves_500s_and_404s() -> None:
    mock = TroveMock(fidelity="upstream")
    api = _api(mock)
    instance = seed_instance(mock)
    assert api.post("/backups", {"foo": 1}).json["instanceFault"]["message"].startswith(
        "Internal Server Error. Please keep this ID")
    running = ok(api.post("/backups", backup_body(instance)), 202)["backup"]["id"]
    assert api.delete(f"/backups/{running}").status_code == 500
    assert api.request("PUT", f"/backups/{running}", json_body={}).status_code == 404
    assert api.get("/backups", query="limit=x").status_code == 500
    assert api.get("/backups", token="made-up").status_code == 401


@pytest.mark.allow_schema_violations
def test_the_default_refuses_bad_input_with_fault_bodies() -> None:
    mock = TroveMock()
    api = _api(mock)
    instance = seed_instance(mock)
    assert fault_of(api.post("/backups", {"foo": 1}), 400, "badRequest") == (
        "Validation error: 'backup' is a required property")
    running = ok(api.post("/backups", backup_body(instance)), 202)["backup"]["id"]
    fault_of(api.delete(f"/backups/{running}"), 422, "unprocessableEntity")
    resp = api.request("PUT", f"/backups/{running}", json_body={})
    assert resp.status_code == 405 and resp.headers["Allow"] == "DELETE, GET"
    fault_of(api.get("/backups", query="limit=x"), 400, "badRequest")
    assert api.get("/backups", token="made-up").status_code == 200
    # a JSON body without a Content-Type is a client bug production punishes: never a 202
    message = fault_of(api.request("POST", "/backups", data=b'{"backup": {}}'), 415,
                       "badMediaType")
    assert "Content-Type: application/json" in message
    assert mock.backups() == [mock.backup(running)]


def test_upstream_delete_is_asynchronous_and_frees_quota_at_once() -> None:
    mock = TroveMock(fidelity="upstream")
    mock.config.update({"backup_quota": 1})
    api = _api(mock)
    instance = seed_instance(mock)
    backup = ok(api.post("/backups", backup_body(instance)), 202)["backup"]["id"]
    mock.complete(backup)
    assert api.delete(f"/backups/{backup}").status_code == 202
    assert ok(api.get(f"/backups/{backup}"))["backup"]["status"] == "COMPLETED"
    ok(api.post("/backups", backup_body(instance)), 202)  # the quota was freed at once
    mock.clock.advance(mock.config.delete_seconds)
    fault_of(api.get(f"/backups/{backup}"), 404, "itemNotFound")


def test_upstream_links_say_https_and_a_full_page_links_on() -> None:
    for fidelity, expected in (("upstream", [{
            "rel": "next", "href": "https://localhost/v1.0/p1/backups?limit=1&marker=1"}]),
            ("documented", None)):
        mock = TroveMock(fidelity=fidelity)
        api = _api(mock)
        backup = ok(api.post("/backups", backup_body(seed_instance(mock))), 202)["backup"]
        body = ok(api.get("/backups", query="limit=1"))
        assert [b["id"] for b in body["backups"]] == [backup["id"]]
        assert body.get("links") == expected  # documented: no other item, no link


def test_single_deviations_can_follow_upstream() -> None:
    mock = TroveMock(config=Config(upstream_deviations=["https_links"]))
    api = _api(mock)
    instance = seed_instance(mock)
    assert ok(api.get(f"/instances/{instance}"))["instance"]["links"][0]["href"].startswith(
        "https://")
    assert fault_of(api.post("/backups", {}), 400, "badRequest")  # the rest: documented
    with pytest.raises(ValueError, match="deviation names"):
        Config(upstream_deviations=["no-such-deviation"])
    with pytest.raises(ValueError, match="fidelity"):
        TroveMock(fidelity="bugs")


@pytest.mark.allow_schema_violations
def test_the_deviations_around_backups_switch_one_by_one() -> None:
    """Each deviation the neighbour routes added follows Trove alone when named; the others
    keep the documented answer (the differential suite checks them against Trove)."""
    def mock_with(name: str) -> TroveMock:
        mock = TroveMock(config=Config(upstream_deviations=[name]))
        mock.add_token("tok-123", "p1")
        return mock

    versions = Client(mock_with("identity_in_discovery")).get("/").json["versions"]
    assert [v["id"] for v in versions] == ["v1.0"]
    guarded = Client(mock_with("open_version_document"))
    assert guarded.get("/v1.0").status_code == 401
    assert fault_of(guarded.get("/v1.0", headers={"X-Auth-Token": "tok-123"}), 403,
                    "forbidden") == "User with tenant id p1 cannot access this resource."
    assert Client(mock_with("identity_in_discovery")).get("/v1.0").status_code == 200
    mock = mock_with("root_not_found_message")
    missing = "00000000-0000-4000-8000-000000000000"
    assert fault_of(_api(mock).get(f"/instances/{missing}/root"), 404,
                    "itemNotFound") == "DBCluster Not Found"
    mock = mock_with("root_password_body")
    instance = seed_instance(mock)
    assert _api(mock).post(f"/instances/{instance}/root", {"password": 5}).status_code == 500
    mock = mock_with("root_body_error")
    assert _api(mock).post("/backup_strategies", {}).status_code == 500
    assert _api(mock).post(f"/instances/{seed_instance(mock)}/action", {}).status_code == 500
    assert _api(TroveMock()).post("/backup_strategies", {}).status_code == 400


def test_the_cli_and_the_control_api_set_the_mode() -> None:
    parsed = cli.build_parser().parse_args(["serve", "--fidelity", "upstream",
                                            "--strict-tokens"])
    served = cli.build_mock(parsed)
    assert (served.config.fidelity, served.config.strict_tokens) == ("upstream", True)
    control = TroveMock()
    client = Client(control)
    assert client.put("/_trovemock/config", json={"fidelity": "upstream"}).status_code == 200
    assert control.config.fidelity == "upstream"
    assert client.put("/_trovemock/config", json={"fidelity": "nope"}).status_code == 400
    assert control.config.fidelity == "upstream"


@pytest.mark.trove(fidelity="upstream")
def test_the_trove_marker_sets_the_mode(trove) -> None:
    assert trove.config.fidelity == "upstream"


def test_admin_writes_to_every_project_as_in_trove() -> None:
    """the admin role is not only list filters. As in Trove 26.0.0, an admin
    token backs up any project's instance (the backup belongs to the admin's project, the
    instance shows BACKUP), reads and deletes any project's backups."""
    mock = TroveMock()
    mock.add_token("admin", "p1", roles=["admin"])
    theirs = seed_instance(mock, "p2")
    admin = Api(mock, "p1", token="admin")
    created = ok(admin.post("/backups", backup_body(theirs)), 202)["backup"]
    assert created["project_id"] == "p1"
    assert mock.instance_status(theirs) == "BACKUP"
    owner = Api(mock, "p2", token="member-of-p2")
    mock.complete(created["id"])
    other = ok(owner.post("/backups", backup_body(theirs)), 202)["backup"]["id"]
    mock.complete(other)
    assert ok(admin.get(f"/backups/{other}"))["backup"]["project_id"] == "p2"
    assert admin.delete(f"/backups/{other}").status_code == 202
    fault_of(owner.get(f"/backups/{other}"), 404, "itemNotFound")
    member = Api(mock, "p1", token="member-of-p1")
    fault_of(member.post("/backups", backup_body(theirs)), 404, "itemNotFound")


def test_the_documented_deviation_table_is_the_fidelity_modules() -> None:
    text = FIDELITY_PAGE.read_text(encoding="utf-8")
    assert markdown_table() in text, "regenerate with: python -m trovemock.fidelity"
    for name in DEVIATIONS:
        assert re.search(rf"`{name}`", text)


def test_upstream_routes_database_show_to_troves_501_after_the_instance_check() -> None:
    upstream = TroveMock(fidelity="upstream")
    api = Api(upstream, "p1", token="tok-123")
    upstream.add_token("tok-123", "p1")
    instance = seed_instance(upstream, "p1")
    fault_of(api.get(f"/instances/{instance}/databases/db1"), 501, "notImplemented")
    assert "incapable of performing" in api.get(
        f"/instances/{instance}/databases/db1").json["notImplemented"]["message"]
    fault_of(api.get("/instances/99999999-9999-4999-8999-999999999999/databases/db1"),
             404, "itemNotFound")
    assert api.get(f"/instances/{instance}/databases/db1", token=None).status_code == 401
    # the documented mode keeps the seeds' 405 for a method the path does not document
    documented = TroveMock()
    answer = Api(documented).get(f"/instances/{seed_instance(documented)}/databases/db1")
    fault_of(answer, 405, "badMethod")
    assert answer.headers["Allow"] == "DELETE"
