"""Rule 7: lists, order, pagination and filters (seeds 002/003/004; what real clients send
to page)."""

from __future__ import annotations

import pytest
from helpers import (
    DIALECTS,
    OTHER_PROJECT,
    Api,
    completed_backup,
    create_backup,
    fault_of,
    iter_pages,
    list_ids,
    make,
    next_marker,
    ok,
    random_id,
    seed_instance,
)


def _completed(api: Api, instance: str, count: int) -> list[str]:
    """`count` completed backups of `instance`, oldest first."""
    return [completed_backup(api, instance, f"b{i}")["id"] for i in range(count)]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_list_is_newest_first_without_links_when_it_fits(dialect: str) -> None:
    mock, api, project = make(dialect)
    ids = _completed(api, seed_instance(mock, project), 4)
    body = ok(api.get("/backups"))
    assert [b["id"] for b in body["backups"]] == ids[::-1]
    assert "links" not in body


@pytest.mark.parametrize("dialect", DIALECTS)
def test_empty_list(dialect: str) -> None:
    _, api, _ = make(dialect)
    assert ok(api.get("/backups")) == {"backups": []}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_running_and_finished_backups_are_listed_newest_first(dialect: str) -> None:
    mock, api, project = make(dialect)
    old = completed_backup(api, seed_instance(mock, project), "old")
    mock.clock.advance(60)
    new = create_backup(api, seed_instance(mock, project), "new")
    assert list_ids(api) == [new["id"], old["id"]]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_status_change_moves_the_backup_to_the_head_of_a_list_already_read(
    dialect: str,
) -> None:
    # Lists are newest *change* first (Trove orders by `updated`), and an unfiltered list is
    # cached between reads: a transition must show in the next read.
    mock, api, project = make(dialect)
    first = create_backup(api, seed_instance(mock, project), "first")  # NEW until t+1
    mock.clock.advance(0.5)
    second = create_backup(api, seed_instance(mock, project), "second")  # NEW until t+1.5
    assert list_ids(api) == [second["id"], first["id"]]
    assert list_ids(api, limit=1) == [second["id"], first["id"]]
    mock.clock.advance(0.7)  # t+1.2: first is BUILDING, second still NEW
    assert list_ids(api) == [first["id"], second["id"]]
    assert list_ids(api, limit=1) == [first["id"], second["id"]]
    mock.clock.advance(0.5)  # t+1.7: second is BUILDING too
    assert list_ids(api) == [second["id"], first["id"]]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_limit_and_marker_walk_every_page(dialect: str) -> None:
    mock, api, project = make(dialect)
    ids = _completed(api, seed_instance(mock, project), 5)
    pages = list(iter_pages(api, "/backups", limit=2))
    assert [len(p["backups"]) for p in pages] == [2, 2, 1]
    assert [b["id"] for p in pages for b in p["backups"]] == ids[::-1]
    for page in pages[:-1]:
        links = page["links"]
        assert [link["rel"] for link in links] == ["next"]
        assert f"/v1.0/{project}/backups" in links[0]["href"]
    assert "links" not in pages[-1]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_next_link_keeps_filters_and_works_without_resending_limit(dialect: str) -> None:
    mock, api, project = make(dialect)
    mock.config.page_size = 2
    ids = _completed(api, seed_instance(mock, project, datastore=("mysql", "5.7")), 3)
    first = ok(api.get("/backups", query={"datastore": "mysql"}))
    assert [b["id"] for b in first["backups"]] == ids[:0:-1]
    assert "datastore=mysql" in first["links"][0]["href"]
    marker = next_marker(first)
    assert marker is not None
    second = ok(api.get("/backups", query={"marker": marker}))
    assert [b["id"] for b in second["backups"]] == [ids[0]]
    assert "links" not in second


@pytest.mark.parametrize("dialect", DIALECTS)
def test_default_page_size_is_twenty(dialect: str) -> None:
    mock, api, project = make(dialect)
    assert mock.config.page_size == 20
    instance = seed_instance(mock, project)
    _completed(api, instance, 25)
    pages = list(iter_pages(api))
    assert [len(p["backups"]) for p in pages] == [20, 5]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_short_limit_larger_than_the_list_has_no_links(dialect: str) -> None:
    mock, api, project = make(dialect)
    _completed(api, seed_instance(mock, project), 3)
    body = ok(api.get("/backups", query={"limit": 10}))
    assert len(body["backups"]) == 3
    assert "links" not in body


@pytest.mark.parametrize("dialect", DIALECTS)
def test_list_shows_only_the_callers_project(dialect: str) -> None:
    mock, api, project = make(dialect)
    mine = completed_backup(api, seed_instance(mock, project))
    completed_backup(Api(mock, OTHER_PROJECT), seed_instance(mock, OTHER_PROJECT))
    assert list_ids(api) == [mine["id"]]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_instance_backups_lists_only_that_instance_with_pagination(dialect: str) -> None:
    mock, api, project = make(dialect)
    mine = seed_instance(mock, project)
    other = seed_instance(mock, project)
    ids = []
    for i in range(3):
        ids.append(completed_backup(api, mine, f"m{i}")["id"])
        completed_backup(api, other, f"o{i}")
    path = f"/instances/{mine}/backups"
    pages = list(iter_pages(api, path, limit=2))
    assert [len(p["backups"]) for p in pages] == [2, 1]
    assert [b["id"] for p in pages for b in p["backups"]] == ids[::-1]
    assert all(b["instance_id"] == mine for p in pages for b in p["backups"])
    assert f"/instances/{mine}/backups" in pages[0]["links"][0]["href"]
    assert ok(api.get(path))["backups"][0] == ok(api.get(f"/backups/{ids[-1]}"))["backup"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_instance_backups_of_an_unknown_or_foreign_instance_is_not_found(dialect: str) -> None:
    mock, api, _ = make(dialect)
    missing = random_id()
    message = fault_of(api.get(f"/instances/{missing}/backups"), 404, "itemNotFound")
    assert missing in message
    theirs = seed_instance(mock, OTHER_PROJECT)
    fault_of(api.get(f"/instances/{theirs}/backups"), 404, "itemNotFound")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_datastore_filter(dialect: str) -> None:
    mock, api, project = make(dialect)
    mysql = completed_backup(api, seed_instance(mock, project, datastore=("mysql", "5.7")))
    percona = completed_backup(api, seed_instance(mock, project, datastore=("percona", "5.6")))
    assert list_ids(api, datastore="mysql") == [mysql["id"]]
    assert list_ids(api, datastore="percona") == [percona["id"]]
    assert list_ids(api) == [percona["id"], mysql["id"]]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_unknown_datastore_is_not_found(dialect: str) -> None:
    mock, api, project = make(dialect)
    completed_backup(api, seed_instance(mock, project))
    message = fault_of(api.get("/backups", query={"datastore": "nosuchdb"}), 404, "itemNotFound")
    assert "nosuchdb" in message


def test_openstack_unknown_datastore_has_the_upstream_message() -> None:
    _, api, _ = make("openstack")
    message = fault_of(api.get("/backups", query={"datastore": "nosuchdb"}), 404, "itemNotFound")
    assert message == "Datastore 'nosuchdb' cannot be found."


def test_openstack_instance_id_filter() -> None:
    mock, api, project = make("openstack")
    first = seed_instance(mock, project)
    second = seed_instance(mock, project)
    b1 = completed_backup(api, first)
    completed_backup(api, second)
    assert list_ids(api, instance_id=first) == [b1["id"]]
    assert ok(api.get("/backups", query={"instance_id": random_id()}))["backups"] == []


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("param", ["marker", "limit"])
def test_huge_limit_or_marker_is_a_page_not_a_crash(dialect: str, param: str) -> None:
    mock, api, project = make(dialect)
    instance = seed_instance(mock, project)
    made = _completed(api, instance, 2)
    huge = "9" * 30
    listed = ok(api.get("/backups", query={param: huge}))["backups"]
    assert [b["id"] for b in listed] == ([] if param == "marker" else made[::-1])
    under_instance = ok(api.get(f"/instances/{instance}/backups", query={param: huge}))
    assert "links" not in under_instance
