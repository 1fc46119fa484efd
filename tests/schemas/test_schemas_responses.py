"""The response schemas and `check_response`: what they accept and what they reject."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable

from trovemock.api.spec import DIALECTS, ROUTES, routes_for
from trovemock.contract.schemas import check_response, schema_errors
from trovemock.schema import all_schemas, registry

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"

OPENSTACK_BACKUP = {
    "id": "2e351a71-dd28-4bcb-a7d6-d36a5b487173",
    "name": "nightly",
    "description": None,
    "locationRef": None,
    "instance_id": "44b277eb-39be-4921-be31-3d61b43651d7",
    "created": "2014-10-30T12:30:00",
    "updated": "2014-10-30T12:30:00",
    "size": None,
    "status": "NEW",
    "parent_id": None,
    "project_id": "p1",
    "datastore": {"type": "mysql", "version": "5.7", "version_id": "b00000b0"},
}
RACKSPACE_BACKUP = {
    **{k: v for k, v in OPENSTACK_BACKUP.items() if k != "project_id"},
    "is_automated": 0,
    "flavor_ram": 1024,
    "source": {"type": "instance", "id": "44b277eb-39be-4921-be31-3d61b43651d7"},
    "type": "InnoBackupEx",
    "volume_size": 1,
}
BACKUPS = {"openstack": OPENSTACK_BACKUP, "rackspace": RACKSPACE_BACKUP}


def show(dialect: str, **changes: Any) -> dict:
    backup = copy.deepcopy(BACKUPS[dialect])
    backup.update(changes)
    return {"backup": backup}


def test_every_response_schema_file_is_a_valid_2020_12_schema_with_its_own_id() -> None:
    for path in [SCHEMAS / "fault.json", *sorted((SCHEMAS / "responses").glob("*.json"))]:
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        name = path.relative_to(SCHEMAS).as_posix()
        assert schema["$id"] == f"https://trovemock.dev/schemas/{name}"
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [
            r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_ref_between_schema_files_resolves() -> None:
    resolved = 0
    for schema in all_schemas().values():
        resolver = registry().resolver(base_uri=schema["$id"])
        for ref in _refs(schema):
            try:
                resolver.lookup(ref)
            except Unresolvable as error:  # pragma: no cover - the failure message
                pytest.fail(f"{schema['$id']}: $ref {ref} does not resolve: {error}")
            resolved += 1
    assert resolved > 20


def test_every_documented_route_names_existing_schema_files() -> None:
    names = set(all_schemas())
    for dialect in DIALECTS:
        for route in routes_for(dialect):
            for name in (route.response_schema(dialect), route.request_schema(dialect)):
                assert name is None or name in names, (route.name, name)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_complete_backup_of_the_dialect_is_valid(dialect: str) -> None:
    assert check_response(dialect, "backups.show", 200, show(dialect)) == []
    assert check_response(dialect, "backups.create", 202, show(dialect)) == []


@pytest.mark.parametrize(
    ("dialect", "key"), [(dialect, key) for dialect in DIALECTS for key in BACKUPS[dialect]]
)
def test_every_key_of_the_exact_field_set_is_required(dialect: str, key: str) -> None:
    body = show(dialect)
    del body["backup"][key]
    problems = check_response(dialect, "backups.show", 200, body)
    assert any(f"'{key}' is a required property" in p for p in problems), problems


@pytest.mark.parametrize(
    ("dialect", "extra"),
    [("openstack", "storage_driver"), ("openstack", "is_automated"),
     ("rackspace", "project_id"), ("rackspace", "swift_container")],
)
def test_a_key_outside_the_dialects_field_set_is_rejected(dialect: str, extra: str) -> None:
    problems = check_response(dialect, "backups.show", 200, show(dialect, **{extra: "x"}))
    assert any(f"'{extra}' was unexpected" in p for p in problems), problems


@pytest.mark.parametrize("stamp", ["2014-10-30T12:30:00", "2015-08-31T22:16:25Z"])
def test_timestamps_with_or_without_z_are_valid(stamp: str) -> None:
    assert check_response("openstack", "backups.show", 200,
                          show("openstack", created=stamp, updated=stamp)) == []


@pytest.mark.parametrize("stamp", ["2014-10-30T12:30:00.123456", "2014-10-30 12:30:00",
                                   "2014-10-30T12:30:00+00:00", "yesterday"])
def test_timestamps_with_a_fraction_offset_or_other_form_are_rejected(stamp: str) -> None:
    problems = check_response("openstack", "backups.show", 200, show("openstack", updated=stamp))
    assert problems and "['updated']" in problems[0], problems


@pytest.mark.parametrize("status", ["NEW", "BUILDING", "SAVING", "COMPLETED", "FAILED",
                                    "RESTORED", "DELETE_FAILED"])
def test_every_documented_status_is_valid(status: str) -> None:
    assert check_response("rackspace", "backups.show", 200, show("rackspace", status=status)) == []


@pytest.mark.parametrize("status", ["DONE", "completed", "ACTIVE", None])
def test_an_undocumented_status_is_rejected(status: object) -> None:
    assert check_response("rackspace", "backups.show", 200, show("rackspace", status=status))


@pytest.mark.parametrize("value", [False, True, 0, 1])
def test_is_automated_may_be_a_boolean_or_0_or_1(value: object) -> None:
    assert check_response("rackspace", "backups.show", 200,
                          show("rackspace", is_automated=value)) == []


@pytest.mark.parametrize("value", [2, "0", None])
def test_is_automated_rejects_other_values(value: object) -> None:
    assert check_response("rackspace", "backups.show", 200, show("rackspace", is_automated=value))


@pytest.mark.parametrize("datastore", [{}, {"type": "mysql", "version": "5.7"},
                                       {"type": "mysql", "version": "5.7", "version_id": "v",
                                        "name": "extra"}])
def test_a_datastore_needs_exactly_type_version_and_version_id(datastore: dict) -> None:
    assert check_response("openstack", "backups.show", 200, show("openstack", datastore=datastore))


def test_rackspace_source_and_type_are_enumerations() -> None:
    ok_source = {"type": "ha", "id": "130922a2-b9ab-4e95-86be-9c5d79171b5e"}
    assert check_response("rackspace", "backups.show", 200,
                          show("rackspace", source=ok_source,
                               type="InnoBackupExIncremental")) == []
    assert check_response("rackspace", "backups.show", 200,
                          show("rackspace", source={"type": "cluster", "id": "x"}))
    assert check_response("rackspace", "backups.show", 200, show("rackspace", type="mysqldump"))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_list_accepts_items_and_an_optional_next_link(dialect: str) -> None:
    item = BACKUPS[dialect]
    assert check_response(dialect, "backups.list", 200, {"backups": []}) == []
    page = {"backups": [item, item],
            "links": [{"rel": "next", "href": "https://h/v1.0/p1/backups?marker=2"}]}
    assert check_response(dialect, "backups.list", 200, page) == []
    assert check_response(dialect, "instances.backups", 200, page) == []


@pytest.mark.parametrize(
    "body",
    [{"backup": OPENSTACK_BACKUP}, {"backups": OPENSTACK_BACKUP}, {},
     {"backups": [], "links": [{"rel": "next"}]}, {"backups": [], "next": "x"}, [], None],
)
def test_a_malformed_list_is_rejected(body: object) -> None:
    assert check_response("openstack", "backups.list", 200, body)


def test_a_backup_of_the_other_dialect_is_rejected_in_lists() -> None:
    problems = check_response("rackspace", "backups.list", 200, {"backups": [OPENSTACK_BACKUP]})
    assert any("'is_automated' is a required property" in p for p in problems), problems
    assert any("$['backups'][0]" in p for p in problems), problems


@pytest.mark.parametrize(
    ("status", "name"),
    [(400, "badRequest"), (401, "unauthorized"), (403, "forbidden"), (404, "itemNotFound"),
     (405, "badMethod"), (409, "conflict"), (413, "overLimit"), (415, "badMediaType"),
     (422, "unprocessableEntity"), (500, "instanceFault"), (500, "serverError"),
     (501, "notImplemented"), (503, "serviceUnavailable")],
)
def test_the_fault_of_each_documented_status_is_valid(status: int, name: str) -> None:
    body = {name: {"code": status, "message": "something went wrong"}}
    assert check_response("openstack", "backups.show", status, body) == []


def test_a_fault_may_carry_details_and_retry_after() -> None:
    body = {"overLimit": {"code": 413, "message": "This request was rate-limited.",
                          "details": "Only 200 POST request(s) can be made", "retryAfter": "7"}}
    assert check_response("rackspace", "backups.create", 413, body) == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"itemNotFound": {"code": 400, "message": "m"}}, "differs from the HTTP status 404"),
        ({"badRequest": {"code": 404, "message": "m"}}, "(expected itemNotFound)"),
        ({"itemNotFound": {"code": 404}}, "'message' is a required property"),
        ({"itemNotFound": {"code": "404", "message": "m"}}, "is not of type 'integer'"),
        ({"itemNotFound": {"code": 404, "message": "m", "trace": "x"}}, "'trace' was unexpected"),
        ({"itemNotFound": {"code": 404, "message": "m"}, "x": {}}, "has too many properties"),
        ({"error": {"code": 404, "message": "m"}}, "fault name 'error' for status 404"),
        ({"message": "m", "code": 404}, "is not one of"),
        ({}, "should be non-empty"),
        ({"itemNotFound": "gone"}, "is not of type 'object'"),
    ],
)
def test_a_malformed_fault_is_rejected_with_a_readable_reason(body: dict, fragment: str) -> None:
    problems = check_response("openstack", "backups.show", 404, body)
    assert any(fragment in p for p in problems), problems


def test_an_error_without_a_body_is_rejected() -> None:
    assert check_response("openstack", "backups.show", 404, None) == [
        "expected a JSON body (fault), got an empty body"]


@pytest.mark.parametrize("route", ["backups.delete", "instances.delete", "databases.create"])
def test_empty_successes_must_stay_empty(route: str) -> None:
    assert check_response("openstack", route, 202, None) == []
    assert check_response("openstack", route, 202, {"accepted": True}) == [
        "expected an empty body, got JSON"]


def test_a_success_status_the_route_does_not_document_is_reported() -> None:
    assert check_response("openstack", "backups.create", 200, show("openstack")) == [
        "status 200 is not documented for backups.create (success is 202)"]


def test_an_unknown_route_is_reported() -> None:
    assert check_response("openstack", "backups.rename", 200, {}) == [
        "unknown route 'backups.rename'"]


def test_schema_errors_name_the_place_of_each_error() -> None:
    body = show("openstack", status="DONE", size="big")
    errors = schema_errors("responses/backup-openstack", body)
    assert any(e.startswith("$['backup']['status']: 'DONE' is not one of") for e in errors)
    assert any(e.startswith("$['backup']['size']: 'big' is not of type") for e in errors)


def test_the_app_routes_every_documented_path_to_its_route_name() -> None:
    from trovemock.api.routes import URL_MAP

    assert all(callable(route.handler) for route in ROUTES)
    adapter = URL_MAP.bind("trovemock")
    for route in ROUTES:
        concrete = "/v1.0/p1" + re.sub(r"\{(\w+)\}", "x-1", route.path)
        assert adapter.match(concrete, route.method)[0] == route.name
