"""pyrax 1.10.0 (Rackspace's SDK) against `trovemock serve --dialect rackspace`: API-key
login through the emulated Rackspace identity, backups, a restore, a plain instance create."""

from __future__ import annotations

import pytest
from conftest import SCRIPTS, run_json, serve, venv_bin

VENV = "pyrax"
ACCOUNT = "123456"
INSTANCE = "11111111-2222-3333-4444-555555555555"


@pytest.fixture(scope="module")
def server():
    yield from serve("--dialect", "rackspace", "--user", f"alice:key-1:{ACCOUNT}")


def test_backup_restore_and_create_flow(server, cli_env) -> None:
    assert server.control("POST", "instances", {"project_id": ACCOUNT, "id": INSTANCE}).ok
    out = run_json([str(venv_bin(VENV, "python")), str(SCRIPTS / "pyrax_flow.py"),
                    server.url, "alice", "key-1", INSTANCE], cli_env)
    assert out["management_url"] == f"{server.url}/v1.0/{ACCOUNT}"  # from the catalog
    assert out["listed"] == [["nightly", "NEW", INSTANCE]]
    assert out["completed"] == ["nightly", "COMPLETED", "from pyrax", 0.18]
    assert len(out["of_instance"]) == 1  # ?limit=20&marker=0, as pyrax sends it
    assert out["restored"] == ["restored", "ACTIVE", 2]
    assert out["plain"] == ["plain", "ACTIVE"]  # databases: [], users: [] accepted
    assert out["instances"] == ["instance-11111111", "plain", "restored"]
    assert out["after_delete"] == "NotFound 404"
    journal = server.control("GET", "journal").json()["journal"]
    assert [e["status"] for e in journal if e["status"] >= 400] == [404]  # the last GET
    creates = [e["request_json"]["instance"] for e in journal
               if e["route"] == "instances.create"]
    assert creates[1]["databases"] == [] and creates[1]["users"] == []
