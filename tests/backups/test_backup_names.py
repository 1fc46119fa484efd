"""Rule 1: backup names (seed 001/002 "name maximum length 64")."""

from __future__ import annotations

import pytest
from helpers import DIALECTS, backup_body, create_backup, fault_of, make, seed_instance

REQUIRED = "Validation error: backup 'name' is a required property"


def _post_name(dialect: str, name: object) -> tuple:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    return api.post("/backups", backup_body(instance, name=name)), api


@pytest.mark.parametrize(
    "name",
    ["a" * 64, "é" * 64, "\U0001f600" * 64, "x", "___", "бэкап"],
    ids=["64-ascii", "64-e-acute", "64-emoji", "one", "underscores", "cyrillic"],
)
def test_rackspace_accepts_names_up_to_64_characters(name: str) -> None:
    resp, api = _post_name("rackspace", name)
    assert resp.status_code == 202, resp.get_data(as_text=True)
    backup = resp.get_json()["backup"]
    assert backup["name"] == name
    assert api.get(f"/backups/{backup['id']}").get_json()["backup"]["name"] == name


@pytest.mark.parametrize(
    "name", ["a" * 65, "é" * 65, "\U0001f600" * 65], ids=["65-ascii", "65-e-acute", "65-emoji"]
)
def test_rackspace_rejects_names_over_64_characters(name: str) -> None:
    resp, api = _post_name("rackspace", name)
    fault_of(resp, 400, "badRequest")
    assert api.get("/backups").get_json()["backups"] == []


@pytest.mark.parametrize(
    "name",
    ["a", "  a  ", "a" * 255, "a" + "é" * 254, "nightly backup #1", "бэкап-1"],
    ids=["one", "padded", "255-ascii", "255-chars-509-bytes", "punctuation", "cyrillic+digit"],
)
def test_openstack_accepts_names_with_an_ascii_letter_or_digit(name: str) -> None:
    resp, _ = _post_name("openstack", name)
    assert resp.status_code == 202, resp.get_data(as_text=True)
    assert resp.get_json()["backup"]["name"] == name


@pytest.mark.parametrize(
    "name",
    ["", " ", "___", "$#@&?", "бэкап", "é" * 10, "a" * 256, "a" + "é" * 255],
    ids=["empty", "space", "underscores", "symbols", "cyrillic", "accents", "256-ascii",
         "256-chars"],
)
def test_openstack_rejects_bad_names(name: str) -> None:
    resp, api = _post_name("openstack", name)
    message = fault_of(resp, 400, "badRequest")
    assert message.startswith("Validation error: backup['name']"), message
    assert api.get("/backups").get_json()["backups"] == []


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", [None, 42, ["a"], {"a": 1}], ids=["null", "int", "list", "obj"])
def test_non_string_names_are_rejected(dialect: str, name: object) -> None:
    resp, _ = _post_name(dialect, name)
    fault_of(resp, 400, "badRequest")


def test_openstack_missing_name_has_the_upstream_message() -> None:
    mock, api, project = make("openstack")
    instance = seed_instance(mock, project)
    resp = api.post("/backups", {"backup": {"instance": instance}})
    assert fault_of(resp, 400, "badRequest") == REQUIRED


def test_rackspace_missing_name_is_a_bad_request_naming_the_field() -> None:
    mock, api, project = make("rackspace")
    instance = seed_instance(mock, project)
    resp = api.post("/backups", {"backup": {"instance": instance}})
    message = fault_of(resp, 400, "badRequest")
    assert "name" in message and "required" in message, message


def test_openstack_description_follows_the_name_rule() -> None:
    mock, api, project = make("openstack")
    instance = seed_instance(mock, project)
    bad = api.post("/backups", backup_body(instance, description="___"))
    assert fault_of(bad, 400, "badRequest").startswith("Validation error: backup['description']")
    good = create_backup(api, instance, description="My Backup")
    assert good["description"] == "My Backup"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_names_need_not_be_unique(dialect: str) -> None:
    mock, api, project = make(dialect)
    first = create_backup(api, seed_instance(mock, project), name="same")
    second = create_backup(api, seed_instance(mock, project), name="same")
    assert first["id"] != second["id"]
    assert first["name"] == second["name"] == "same"
