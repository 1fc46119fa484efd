"""Backups that hold real data: made with the engine's own tool, chained by incrementals,
restored link by link, checked against their checksum before a restore."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from dataplane_support import HEADERS, make_plane, require
from werkzeug.test import Client

from trovemock import TroveMock

TABLE = "CREATE TABLE persons (id INT PRIMARY KEY, name VARCHAR(255))"


def _write(api, instance_id: str, *statements: str) -> None:
    conn = api.mock.connect(instance_id, "test_db")
    try:
        cursor = conn.cursor()
        for statement in statements:
            cursor.execute(statement)
        conn.commit()
    finally:
        conn.close()


def _rows(api, instance_id: str) -> list[tuple]:
    conn = api.mock.connect(instance_id, "test_db")
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT id, name FROM persons ORDER BY id")
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        conn.close()


def test_a_chain_of_incrementals_restores_link_by_link(api) -> None:
    source = api.create()
    _write(api, source, TABLE)
    chain: list[str] = []
    for k in range(6):
        _write(api, source, f"INSERT INTO persons VALUES ({k}, 'row {k}')")
        chain.append(api.backup(source, parent=chain[-1] if chain else None))
        assert api.mock.backup(chain[-1]).status == "COMPLETED"
    for link in (0, 2, 5):
        restored = api.create(f"restore-{link}", backup=chain[link])
        assert _rows(api, restored) == [(k, f"row {k}") for k in range(link + 1)]


def test_a_backup_is_a_snapshot_of_the_moment_it_was_asked_for(api) -> None:
    source = api.create()
    _write(api, source, TABLE, "INSERT INTO persons VALUES (1, 'before')")
    body = {"backup": {"name": "b", "instance": source}}
    backup_id = api.call("POST", "/backups", body, 202).json["backup"]["id"]
    _write(api, source, "INSERT INTO persons VALUES (2, 'after')")  # while it is NEW
    api.mock.clock.advance(10)
    restored = api.create("restored", backup=backup_id)
    assert _rows(api, restored) == [(1, "before")]
    assert _rows(api, source) == [(1, "before"), (2, "after")]


def test_objects_carry_trove_names_metadata_and_checksums(api) -> None:
    source = api.create()
    full = api.backup(source)
    incremental = api.backup(source, parent=full)
    suffix = ".xbstream.gz" if api.engine == "mariadb" else ".tar.gz"
    full_object, inc_object = api.mock.backup_object(full), api.mock.backup_object(incremental)
    for backup_id, found in ((full, full_object), (incremental, inc_object)):
        path = Path(found["path"])
        assert path.name == backup_id + suffix
        assert hashlib.md5(path.read_bytes()).hexdigest() == found["checksum"]
        sidecar = json.loads(path.with_name(path.name + ".meta.json").read_text())
        assert sidecar["checksum"] == found["checksum"]
        assert sidecar["datastore"] == api.datastore[0]
    if api.engine == "mariadb":
        assert int(full_object["meta"]["lsn"]) > 0
    else:
        assert full_object["meta"]["start-wal-file"]
    assert inc_object["meta"]["parent_location"] == full_object["location"]
    assert inc_object["meta"]["parent_checksum"] == full_object["checksum"]
    assert "parent_location" not in full_object["meta"]
    shown = api.call("GET", f"/backups/{full}", status=200).json["backup"]
    assert shown["locationRef"] == full_object["location"]


def test_a_flipped_byte_is_409_and_a_missing_object_404_as_trove_answers(api) -> None:
    source = api.create()
    full = api.backup(source)
    incremental = api.backup(source, parent=full)
    api.mock.corrupt_backup(full, "flip")
    body = {"instance": {"name": "r", "flavorRef": "1", "volume": {"size": 1},
                         "datastore": {"type": api.datastore[0]},
                         "restorePoint": {"backupRef": incremental}}}
    refused = api.call("POST", "/instances", body, 409).json
    assert refused["conflict"]["message"] == (
        "Current Swift object checksum does not match original checksum for backup "
        f"{full}.")
    api.mock.corrupt_backup(full, "delete")
    missing = api.call("POST", "/instances", body, 404).json
    location = api.mock.backup_object(full)["location"]
    assert missing["itemNotFound"]["message"] == (
        f"Backup file in {location} was not found in the object storage.")
    assert len(api.mock.instances()) == 1  # nothing half-made


def test_a_failing_backup_tool_ends_the_backup_failed_with_its_reason(api) -> None:
    source = api.create()
    api.mock.fail_next_backup("disk full (fault injected)")
    failed = api.backup(source)
    assert api.mock.backup(failed).status == "FAILED"
    assert api.mock.backup(failed).data_error == "disk full (fault injected)"
    assert api.mock.backup_object(failed) == {"error": "disk full (fault injected)"}
    assert api.mock.instance_status(source) == "ACTIVE"
    fine = api.backup(source)
    assert api.mock.backup(fine).status == "COMPLETED"


def test_deleting_a_backup_removes_its_object(api) -> None:
    source = api.create()
    backup_id = api.backup(source)
    path = Path(api.mock.backup_object(backup_id)["path"])
    assert path.is_file()
    api.call("DELETE", f"/backups/{backup_id}", status=202)
    assert not path.exists()
    assert not path.with_name(path.name + ".meta.json").exists()


@pytest.mark.parametrize("engine", ["mariadb"], indirect=True)
def test_the_tools_own_words_end_a_backup_that_cannot_build_on_its_parent(api) -> None:
    source = api.create()
    full = api.backup(source)
    api.mock.backup_object(full)  # exists
    api.mock.dataplane.made[full] = api.mock.dataplane.made[full].__class__(
        location=api.mock.dataplane.made[full].location,
        checksum=api.mock.dataplane.made[full].checksum,
        size_bytes=0, meta={"lsn": "not-a-number"})
    broken = api.backup(source, parent=full)
    assert api.mock.backup(broken).status == "FAILED"
    assert "mariadb-backup failed" in api.mock.backup(broken).data_error


def test_a_cross_region_copy_restores_the_same_data(tmp_path) -> None:
    require("mariadb")
    with TroveMock("rackspace", dataplane=make_plane(tmp_path)) as mock:
        api = Client(mock)
        body = {"instance": {"name": "a", "flavorRef": "1", "volume": {"size": 1},
                             "datastore": {"type": "mysql", "version": "5.6"},
                             "databases": [{"name": "test_db"}]}}
        source = api.post("/v1.0/p1/instances", json=body, headers=HEADERS).json["instance"]
        mock.clock.advance(10)
        conn = mock.connect(source["id"], "test_db")
        conn.cursor().execute(TABLE)
        conn.cursor().execute("INSERT INTO persons VALUES (1, 'copied')")
        conn.commit()
        conn.close()
        backup = api.post("/v1.0/p1/backups", headers=HEADERS, json={"backup": {
            "name": "b", "instance": source["id"], "copy_to": ["ORD"]}}).json["backup"]
        mock.clock.advance(30)
        copy = next(b for b in mock.backups() if b.region == "ORD")
        assert copy.status == "COMPLETED" and copy.data == "done"
        restore = {"instance": {"name": "r", "flavorRef": "1", "volume": {"size": 1},
                                "restorePoint": {"backupRef": copy.id}}}
        restored = api.post("/regions/ORD/v1.0/p1/instances", json=restore,
                            headers=HEADERS).json["instance"]
        mock.clock.advance(10)
        conn = mock.connect(restored["id"], "test_db")
        cursor = conn.cursor()
        cursor.execute("SELECT id, name FROM persons")
        assert [tuple(r) for r in cursor.fetchall()] == [(1, "copied")]
        conn.close()
        path = mock.backup_object(copy.id)["path"]
        api.delete(f"/v1.0/p1/backups/{backup['id']}", headers=HEADERS)
        assert Path(path).exists()  # the copy still uses it
