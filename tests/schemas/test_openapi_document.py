"""The OpenAPI 3.1 document: assembled from the schema files, one per dialect, served by the
control API and printed by `trovemock openapi`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from werkzeug.test import Client

from trovemock import TroveMock
from trovemock.api.spec import ERROR_STATUSES, routes_for
from trovemock.openapi import build_openapi, main

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
APP_ROUTES_OPENSTACK = {
    "backups.list", "backups.create", "backups.show", "backups.delete", "instances.list",
    "instances.create", "instances.show", "instances.delete", "instances.action",
    "instances.update", "instances.edit",
    "instances.backups", "databases.list", "databases.create", "databases.delete",
    "users.list", "users.create", "users.delete", "users.show", "users.update", "users.access",
    "users.passwords",
    "users.grant", "users.revoke", "flavors.list", "flavors.show",
    "root.enable", "root.show", "datastores.list", "datastores.show", "datastores.versions",
    "datastores.version", "datastores.version_by_id",
    "configurations.list", "configurations.create", "configurations.show",
    "configurations.update", "configurations.edit", "configurations.delete",
    "configurations.instances", "parameters.list", "parameters.show",
    "parameters.list_by_version", "parameters.show_by_version",
}
RACKSPACE_ONLY = {"backups.action", "ha.backups", "ha.show", "ha.list", "schedules.create",
                  "schedules.list", "schedules.show", "schedules.update", "schedules.delete",
                  "instances.replicas"}
OPENSTACK_ONLY = {"root.disable", "backup_strategies.create", "backup_strategies.list",
                  "backup_strategies.delete"}


def operations(document: dict) -> dict[str, tuple[str, str, dict]]:
    return {
        op["operationId"]: (method.upper(), path, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
    }


def component_validator(document: dict, name: str) -> Draft202012Validator:
    """A validator for `#/components/schemas/<name>` that resolves refs inside `document`."""
    root = "urn:trovemock-openapi"
    registry = Registry().with_resource(root, DRAFT202012.create_resource(document))
    return Draft202012Validator({"$ref": f"{root}#/components/schemas/{name}"},
                                registry=registry)


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [("openstack", APP_ROUTES_OPENSTACK | OPENSTACK_ONLY),
     ("rackspace", APP_ROUTES_OPENSTACK | RACKSPACE_ONLY)],
)
def test_every_route_of_the_dialect_is_an_operation(dialect: str, expected: set[str]) -> None:
    document = build_openapi(dialect)
    assert document["openapi"] == "3.1.0"
    assert set(operations(document)) == expected


@pytest.mark.parametrize("dialect", ["openstack", "rackspace"])
def test_paths_sit_under_the_project_and_declare_their_parameters(dialect: str) -> None:
    for method, path, op in operations(build_openapi(dialect)).values():
        assert path.startswith("/v1.0/{project_id}/"), path
        declared = {p["name"] for p in op["parameters"] if p["in"] == "path"}
        in_path = {part[1:-1] for part in path.split("/") if part.startswith("{")}
        assert declared == in_path, (method, path)


@pytest.mark.parametrize("dialect", ["openstack", "rackspace"])
def test_every_operation_documents_its_success_and_the_fault_statuses(dialect: str) -> None:
    document = build_openapi(dialect)
    ops = operations(document)
    for route in routes_for(dialect):
        _, _, op = ops[route.name]
        statuses = set(op["responses"])
        assert statuses == {str(route.status)} | {str(s) for s in ERROR_STATUSES}
        for status in ERROR_STATUSES:
            schema = op["responses"][str(status)]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/fault"}


def test_create_and_actions_take_the_request_schemas() -> None:
    ops = operations(build_openapi("rackspace"))
    body = ops["backups.create"][2]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/requests.backup-create-rackspace"}
    copy = ops["backups.action"][2]["requestBody"]["content"]["application/json"]["schema"]
    assert copy == {"$ref": "#/components/schemas/requests.backup-action-rackspace"}
    ops = operations(build_openapi("openstack"))
    body = ops["backups.create"][2]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/requests.backup-create-openstack"}
    assert "requestBody" not in ops["backups.list"][2]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [
            r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


@pytest.mark.parametrize("dialect", ["openstack", "rackspace"])
def test_the_document_is_self_contained(dialect: str) -> None:
    document = build_openapi(dialect)
    refs = _refs(document)
    assert refs and all(ref.startswith("#/components/schemas/") for ref in refs)
    for ref in refs:
        node: Any = document
        for part in ref[2:].split("/"):
            node = node[part]
        assert isinstance(node, dict), ref
    text = json.dumps(document)
    assert "$id" not in text and "https://trovemock.dev" not in text


def test_components_validate_like_the_schema_files() -> None:
    document = build_openapi("rackspace")
    good = json.loads((SEEDS / "002-list-backups.json").read_text(encoding="utf-8"))
    broken = json.loads((SEEDS / "002-list-backups-query.json").read_text(encoding="utf-8"))
    validator = component_validator(document, "responses.backup-list-rackspace")
    assert list(validator.iter_errors(good)) == []
    errors = [e.message for e in validator.iter_errors(broken)]
    assert "'type' is a required property" in errors
    fault = component_validator(document, "fault")
    assert fault.is_valid({"itemNotFound": {"code": 404, "message": "gone"}})
    assert not fault.is_valid({"itemNotFound": {"code": 404}})


def test_the_built_document_is_cached_but_callers_get_their_own_copy() -> None:
    first = build_openapi("openstack")
    first["paths"].clear()
    second = build_openapi("openstack")
    assert second["paths"] and second == build_openapi("openstack")


def test_an_unknown_dialect_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown dialect 'trove'"):
        build_openapi("trove")


@pytest.mark.parametrize("dialect", ["openstack", "rackspace"])
def test_the_control_api_serves_the_document_of_the_mocks_dialect(dialect: str) -> None:
    response = Client(TroveMock(dialect=dialect)).get("/_trovemock/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json == build_openapi(dialect)


def test_main_prints_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--dialect", "rackspace"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == build_openapi("rackspace")


def test_main_writes_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    assert main(["--dialect", "openstack", "--output", str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8")) == build_openapi("openstack")


def test_main_rejects_an_unknown_dialect(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--dialect", "trove"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'trove'" in capsys.readouterr().err


def test_the_trovemock_command_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    from trovemock import cli

    assert cli.main(["openapi", "--dialect", "openstack"]) == 0
    assert json.loads(capsys.readouterr().out) == build_openapi("openstack")
