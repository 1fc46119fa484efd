"""Rule 11: every error is a fault body; bad requests change nothing; the other dialect's
route or field answers 501."""

from __future__ import annotations

import json

import pytest
from helpers import (
    DIALECTS,
    Api,
    backup_body,
    completed_backup,
    create_backup,
    fault_of,
    make,
    ok,
    seed_instance,
)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    "method,path",
    [
        ("PUT", "/backups/{b}"),
        ("PATCH", "/backups/{b}"),
        ("POST", "/backups/{b}"),
        ("PUT", "/backups"),
        ("DELETE", "/backups"),
        ("PUT", "/instances/{i}/backups"),
        ("DELETE", "/flavors"),
        ("GET", "/instances/{i}/action"),
    ],
)
def test_known_path_with_a_wrong_method_is_bad_method(dialect: str, method: str, path: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    backup = completed_backup(api, instance)
    before = mock.export_state()
    url = path.format(b=backup["id"], i=instance)
    resp = api.request(method, url, json_body={"backup": {"name": "x"}})
    fault_of(resp, 405, "badMethod")
    assert method not in resp.headers["Allow"].split(", ")  # RFC 9110: a 405 says what works
    assert resp.headers["Allow"]
    assert mock.export_state() == before


@pytest.mark.parametrize("dialect", DIALECTS)
def test_unknown_path_is_not_found(dialect: str) -> None:
    _, api, _ = make(dialect)
    fault_of(api.get("/no-such-collection"), 404, "itemNotFound")


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_non_json_content_type_is_bad_media_type(dialect: str, content_type: str) -> None:
    mock, api, project = make(dialect)
    body = json.dumps(backup_body(seed_instance(mock, project)))
    resp = api.request("POST", "/backups", data=body, content_type=content_type)
    fault_of(resp, 415, "badMediaType")
    assert mock.backups() == []


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("raw", ['{"backup": ', "not json", '{"backup": {"name": "a",}}'])
def test_malformed_json_is_a_bad_request(dialect: str, raw: str) -> None:
    mock, api, project = make(dialect)
    seed_instance(mock, project)
    resp = api.request("POST", "/backups", data=raw, content_type="application/json")
    fault_of(resp, 400, "badRequest")
    assert mock.backups() == []


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("body", [{"backup": "x"}, {"backup": []}, {"backup": None}])
def test_backup_that_is_not_an_object_is_a_bad_request(dialect: str, body: object) -> None:
    mock, api, project = make(dialect)
    seed_instance(mock, project)
    resp = api.request("POST", "/backups", data=json.dumps(body), content_type="application/json")
    fault_of(resp, 400, "badRequest")
    assert mock.backups() == []


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("raw", ["[]", '"backup"', "3", "{}", '{"foo": 1}', ""])
def test_body_without_a_backup_object_is_a_bad_request(dialect: str, raw: str) -> None:
    # trove-behavior.md §3: upstream crashes into 500 instanceFault here; trovemock answers
    # 400 badRequest instead (a deviation documented in README.md). Nothing is stored.
    mock, api, project = make(dialect)
    seed_instance(mock, project)
    resp = api.request("POST", "/backups", data=raw, content_type="application/json")
    message = fault_of(resp, 400, "badRequest")
    assert message.startswith("Validation error: ")
    assert mock.backups() == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_body_over_one_mebibyte_is_over_limit(dialect: str) -> None:
    mock, api, project = make(dialect)
    assert mock.config.max_body_bytes == 1024 * 1024
    instance = seed_instance(mock, project)
    prefix = json.dumps(backup_body(instance))[:-2]
    padding = 1024 * 1024 + 1 - len(prefix) - len(', "pad": ""}}')
    raw = prefix + ', "pad": "' + "x" * padding + '"}}'
    assert len(raw.encode()) == 1024 * 1024 + 1
    resp = api.request("POST", "/backups", data=raw, content_type="application/json")
    fault_of(resp, 413, "overLimit")
    assert mock.backups() == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_body_limit_is_configurable(dialect: str) -> None:
    mock, api, project = make(dialect)
    mock.config.max_body_bytes = 100
    instance = seed_instance(mock, project)
    resp = api.post("/backups", backup_body(instance, description="d" * 100))
    fault_of(resp, 413, "overLimit")
    assert mock.backups() == []


def test_openstack_body_just_under_the_limit_is_accepted() -> None:
    mock, api, project = make("openstack")
    mock.config.max_body_bytes = 4096
    instance = seed_instance(mock, project)
    prefix = json.dumps(backup_body(instance))[:-2]
    padding = 4096 - len(prefix) - len(', "pad": ""}}')
    raw = prefix + ', "pad": "' + "x" * padding + '"}}'
    assert len(raw) == 4096
    resp = api.request("POST", "/backups", data=raw, content_type="application/json")
    assert resp.status_code == 202, resp.get_data(as_text=True)


# --- the other dialect's routes and fields: 501 ---------------------------------------------


def test_openstack_has_no_ha_backups_route() -> None:
    _, api, _ = make("openstack")
    fault_of(api.get("/ha/130922a2-b9ab-4e95-86be-9c5d79171b5e/backups"), 501, "notImplemented")


def test_openstack_has_no_backup_copy_action() -> None:
    mock, api, project = make("openstack")
    backup = completed_backup(api, seed_instance(mock, project))
    before = mock.export_state()
    body = {"copy-backup": {"target_backup_region": "IAD", "name": "copy"}}
    fault_of(api.post(f"/backups/{backup['id']}/action", body), 501, "notImplemented")
    assert mock.export_state() == before


@pytest.mark.parametrize(
    "fields",
    [{"copy_to": ["IAD"]}, {"source": {"type": "instance", "id": "{i}"}}],
    ids=["copy_to", "source"],
)
def test_openstack_rejects_rackspace_create_fields(fields: dict) -> None:
    mock, api, project = make("openstack")
    instance = seed_instance(mock, project)
    fields = json.loads(json.dumps(fields).replace("{i}", instance))
    fault_of(api.post("/backups", backup_body(instance, **fields)), 501, "notImplemented")
    assert mock.backups() == []


@pytest.mark.parametrize(
    "fields",
    [
        {"incremental": 1},
        {"swift_container": "mycontainer"},
        {
            "restore_from": {
                "remote_location": "http://swift/c/o",
                "local_datastore_version_id": "0b5d4c58-1b1d-4a4e-9c8a-3c3a5f8e3c11",
                "size": 1,
            }
        },
    ],
    ids=["incremental", "swift_container", "restore_from"],
)
def test_rackspace_rejects_openstack_create_fields(fields: dict) -> None:
    mock, api, project = make("rackspace")
    instance = seed_instance(mock, project)
    fault_of(api.post("/backups", backup_body(instance, **fields)), 501, "notImplemented")
    assert mock.backups() == []
    assert api.mock.instance_status(instance) == "ACTIVE"


@pytest.mark.parametrize(
    "query", [{"instance_id": "x"}, {"all_projects": "True"}, {"project_id": "p2"}]
)
def test_rackspace_rejects_openstack_list_filters(query: dict) -> None:
    mock, api, project = make("rackspace")
    completed_backup(api, seed_instance(mock, project))
    fault_of(api.get("/backups", query=query), 501, "notImplemented")


# --- unexpected exceptions --------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
def test_an_unexpected_exception_is_an_instance_fault_without_traceback(
    dialect: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock, api, project = make(dialect)
    create_backup(api, seed_instance(mock, project))

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    # The seam: the model operation behind GET /backups blows up unexpectedly.
    monkeypatch.setattr("trovemock.model.backups.list_backups", boom)
    message = fault_of(api.get("/backups"), 500, "instanceFault")
    assert "disk on fire" not in message and "RuntimeError" not in message
    monkeypatch.undo()
    assert len(ok(api.get("/backups"))["backups"]) == 1


# --- bad requests change nothing ----------------------------------------------------------


def _bad_requests(api: Api, instance: str, backup_id: str, running_id: str) -> list:
    """Requests that must all fail, each paired with its status."""
    return [
        (api.post("/backups", {"backup": {"instance": instance}}), 400),
        (api.post("/backups", backup_body(instance, name="x" * 300)), 400),
        (api.post("/backups", backup_body(instance, parent_id="not-a-uuid")), 400),
        (api.post("/backups", backup_body(instance)), 422),  # a backup is already running
        (api.delete(f"/backups/{running_id}"), 422),
        *(
            [(api.delete(f"/instances/{instance}"), 422)]  # Trove itself deletes (openstack)
            if api.mock.dialect == "rackspace" else []
        ),
        (
            api.post(
                "/instances",
                {
                    "instance": {
                        "name": "r",
                        "flavorRef": "1",
                        "volume": {"size": 2},
                        "datastore": {"type": "mysql"},
                        "restorePoint": {"backupRef": running_id},
                    }
                },
            ),
            409,
        ),
        (api.request("POST", "/backups", data="{", content_type="application/json"), 400),
        (api.request("POST", "/backups", data="{}", content_type="text/plain"), 415),
        (api.request("PUT", f"/backups/{backup_id}", json_body={"backup": {}}), 405),
        (api.get("/backups", token=None), 401),
    ]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_bad_requests_change_no_state(dialect: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project, databases=("db1",), users=("u1",))
    done = completed_backup(api, instance, "done")
    running = create_backup(api, instance, "running", parent_id=done["id"])
    before_state = mock.export_state()
    before_list = ok(api.get("/backups"))
    for resp, status in _bad_requests(api, instance, done["id"], running["id"]):
        assert resp.status_code == status, (status, resp.get_data(as_text=True))
        assert list(json.loads(resp.get_data(as_text=True))) != []
    assert mock.export_state() == before_state
    assert ok(api.get("/backups")) == before_list
