"""What the data plane tests share: the engines, which datastore each serves, the skip-or-
fail rule for a missing engine, each xdist worker's slice of the loopback pool, and the Trove
API calls the tests make."""

from __future__ import annotations

import os

import pytest
from werkzeug.test import Client

from trovemock import TroveMock
from trovemock.dataplane.servers import ServersPlane, Settings, make_engines

ENGINES = make_engines(())
# The datastore each engine serves in these tests, and the version label asked for.
DATASTORE = {"mariadb": ("mysql", "5.7"), "postgresql": ("postgresql", "12")}
HEADERS = {"X-Auth-Token": "t"}


def require(engine: str) -> None:
    reason = ENGINES[engine].missing()
    if reason is None:
        return
    if os.environ.get("TROVEMOCK_REQUIRE_DATAPLANE") == "1":
        pytest.fail(f"{engine} is required here (TROVEMOCK_REQUIRE_DATAPLANE=1): {reason}",
                    pytrace=False)
    pytest.skip(f"{engine} is not installed: {reason}")


def worker_network() -> str:
    """127.77.<200 + worker>.0/24: this worker's own addresses."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    number = int(worker[2:]) if worker[2:].isdigit() else 0
    return f"127.77.{200 + number}.0/24"


def make_plane(tmp_path, **overrides) -> ServersPlane:
    """A plane in a directory of its own under /tmp (pytest's tmp_path sits in a private
    directory that PostgreSQL, run as `postgres` under root, could not enter)."""
    settings = Settings(network=worker_network(), **overrides)
    return ServersPlane(settings)


class Api:
    """The Trove API calls these tests make, over the WSGI client, as project p1."""

    def __init__(self, client: Client, mock: TroveMock, engine: str) -> None:
        self.client, self.mock, self.engine = client, mock, engine
        self.datastore = DATASTORE[engine]

    def call(self, method: str, path: str, body=None, status: int | None = None):
        response = self.client.open(f"/v1.0/p1{path}", method=method, json=body,
                                    headers=HEADERS)
        if status is not None:
            assert response.status_code == status, response.get_data(as_text=True)
        return response

    def create(self, name: str = "db1", *, backup: str | None = None, databases=("test_db",),
               users=(("test_user", "PassW0rd", ("test_db",)),), settle: bool = True) -> str:
        kind, version = self.datastore
        body = {"instance": {
            "name": name, "flavorRef": "1", "volume": {"size": 1},
            "datastore": {"type": kind, "version": version},
            "databases": [{"name": d} for d in databases],
            "users": [{"name": u, "password": p, "databases": [{"name": d} for d in dbs]}
                      for u, p, dbs in users],
        }}
        if backup is not None:
            body["instance"]["restorePoint"] = {"backupRef": backup}
        instance_id = self.call("POST", "/instances", body, 200).json["instance"]["id"]
        if settle:
            self.mock.clock.advance(self.mock.config.instance_build_seconds)
            assert self.mock.instance_status(instance_id) == "ACTIVE", \
                self.mock.instance(instance_id).fault
        return instance_id

    def backup(self, instance_id: str, parent: str | None = None) -> str:
        body = {"backup": {"name": "b", "instance": instance_id}}
        if parent is not None:
            body["backup"]["parent_id"] = parent
        backup_id = self.call("POST", "/backups", body, 202).json["backup"]["id"]
        self.mock.clock.advance(10)
        return backup_id

    def connect(self, instance_id: str, database: str = "test_db", user: str = "test_user",
                password: str = "PassW0rd"):
        return self.mock.connect(instance_id, database, user=user, password=password)
