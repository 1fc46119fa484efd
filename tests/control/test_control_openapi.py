"""The control API's OpenAPI document: every endpoint, its parameters and its statuses as
the endpoints answer them."""

from __future__ import annotations

import pytest
import schemathesis
from werkzeug.test import Client

from trovemock import TroveMock
from trovemock.control.app import _JOURNAL_FILTERS, _PAGING, ROUTES


@pytest.fixture
def client() -> Client:
    return Client(TroveMock())


@pytest.fixture
def document(client: Client) -> dict:
    answer = client.get("/_trovemock/openapi-control.json")
    assert answer.status_code == 200
    return answer.get_json()


def test_every_control_endpoint_is_an_operation(document: dict) -> None:
    documented = {
        (verb.upper(), path) for path, ops in document["paths"].items() for verb in ops
    }
    served = {
        (method, rule.rule.replace("<", "{").replace(">", "}").rstrip("/") or "/")
        for rule in ROUTES.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    served = {(m, p if p != "/_trovemock" else "/_trovemock/") for m, p in served}
    assert documented == served


def test_the_document_loads_as_openapi(document: dict) -> None:
    schema = schemathesis.openapi.from_dict(document)
    operations = [op for op in schema.get_all_operations()]
    assert len(operations) == sum(len(ops) for ops in document["paths"].values())


def test_journal_query_parameters_are_the_ones_it_accepts(document: dict) -> None:
    names = {p["name"] for p in document["paths"]["/_trovemock/journal"]["get"]["parameters"]}
    assert names == {*_JOURNAL_FILTERS, *_PAGING}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/_trovemock/reset", None),
        ("POST", "/_trovemock/faults", {"route": "backups.list", "status": 503}),
        ("DELETE", "/_trovemock/faults", None),
        ("DELETE", "/_trovemock/journal", None),
        ("POST", "/_trovemock/instances", {"project_id": "p1"}),
        ("GET", "/_trovemock/clock", None),
        ("POST", "/_trovemock/faults/seed", {"seed": 3}),
    ],
)
def test_documented_success_statuses_are_what_the_endpoints_answer(
    client: Client, document: dict, method: str, path: str, body: dict | None
) -> None:
    operation = document["paths"][path][method.lower()]
    success = [code for code in operation["responses"] if code.startswith("2")]
    answer = client.open(path, method=method, json=body)
    assert [str(answer.status_code)] == success
    assert ("requestBody" in operation) == (body is not None)
