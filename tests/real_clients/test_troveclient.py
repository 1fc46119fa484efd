"""python-troveclient against `trovemock serve` running as a subprocess.

One server for the module (manual clock, no demo data, one configured user); every test
starts from `POST /_trovemock/reset` and seeds what it needs through the control API.
"""

from __future__ import annotations

import pytest
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from keystoneauth1.identity import v3
from serve_process import ServeProcess, assert_clean_exit
from troveclient.apiclient import exceptions as trove_exceptions
from troveclient.v1 import client as trove_client

# End to end: real processes, sockets or installs (slow; `pytest -m "not e2e"` leaves them out).
pytestmark = pytest.mark.e2e

PROJECT = "proj1"
INSTANCE = "11111111-2222-3333-4444-555555555555"
SECOND = "11111111-2222-3333-4444-666666666666"


@pytest.fixture(scope="module")
def server():
    with ServeProcess("--clock", "manual", "--no-seed-demo", "--user", "alice:s3cret") as served:
        yield served
        assert_clean_exit(served)


@pytest.fixture
def cloud(server):
    assert server.control("POST", "reset").status_code == 204
    assert server.control("PUT", "config", {"page_size": 20, "backup_quota": 50}).ok
    for instance_id in (INSTANCE, SECOND):
        seeded = server.control("POST", "instances", {"project_id": PROJECT, "id": instance_id})
        assert seeded.status_code == 201
    return server


def token_client(server: ServeProcess) -> trove_client.Client:
    """Recipe A: a fixed endpoint and token, no identity service involved."""
    auth = token_endpoint.Token(f"{server.url}/v1.0/{PROJECT}", "tok-123")
    return trove_client.Client(session=ks_session.Session(auth=auth))


def password_client(server: ServeProcess, password: str = "s3cret") -> trove_client.Client:
    """A keystone v3 password session: the endpoint comes from the fake catalog."""
    auth = v3.Password(
        auth_url=f"{server.url}/v3",
        username="alice",
        password=password,
        project_name=PROJECT,
        user_domain_name="Default",
        project_domain_name="Default",
    )
    return trove_client.Client(session=ks_session.Session(auth=auth))


def advance(server: ServeProcess, seconds: float) -> None:
    assert server.control("POST", "clock", {"advance": seconds}).status_code == 200


def completed_backup(server, trove, name="nightly", instance=INSTANCE):
    backup = trove.backups.create(name, instance, description="made by troveclient")
    advance(server, 3600)
    return backup


def test_create_get_and_lifecycle(cloud):
    trove = token_client(cloud)
    backup = trove.backups.create("nightly", INSTANCE, description="made by troveclient")
    assert backup.status == "NEW"
    assert backup.instance_id == INSTANCE and backup.description == "made by troveclient"
    assert trove.instances.get(INSTANCE).status == "BACKUP"
    advance(cloud, 3600)
    shown = trove.backups.get(backup.id)
    assert shown.status == "COMPLETED"
    assert shown.size > 0 and shown.locationRef.endswith(".xbstream.gz")
    assert trove.instances.get(INSTANCE).status == "ACTIVE"


def test_list_with_pagination_markers(cloud):
    trove = token_client(cloud)
    made = [completed_backup(cloud, trove, name=f"b{n}").id for n in range(3)]
    first = trove.backups.list(limit=2)
    assert [b.id for b in first] == made[::-1][:2]  # newest first
    assert first.next is not None  # the marker troveclient read from links[rel=next]
    second = trove.backups.list(limit=2, marker=first.next)
    assert [b.id for b in second] == [made[0]]
    assert second.next is None
    per_instance = trove.instances.backups(INSTANCE)
    assert sorted(b.id for b in per_instance) == sorted(made)


def test_delete(cloud):
    trove = token_client(cloud)
    backup = completed_backup(cloud, trove)
    trove.backups.delete(backup.id)
    with pytest.raises(trove_exceptions.NotFound):
        trove.backups.get(backup.id)
    assert list(trove.backups.list()) == []


def test_restore_through_instance_create(cloud):
    trove = token_client(cloud)
    backup = completed_backup(cloud, trove)
    restored = trove.instances.create(
        "restored", "1", volume={"size": 2}, restorePoint={"backupRef": backup.id},
        datastore="mysql",
    )
    assert restored.status == "BUILD"
    advance(cloud, 3600)
    assert trove.instances.get(restored.id).status == "ACTIVE"


def test_errors_are_troveclients_own_exceptions(cloud):
    trove = token_client(cloud)
    with pytest.raises(trove_exceptions.NotFound) as missing:
        trove.backups.get("00000000-0000-0000-0000-000000000000")
    assert missing.value.http_status == 404
    with pytest.raises(trove_exceptions.BadRequest):
        trove.backups.create("x" * 256, INSTANCE)
    running = trove.backups.create("running", INSTANCE)
    with pytest.raises(trove_exceptions.UnprocessableEntity):
        trove.backups.create("second", INSTANCE)  # one running backup per instance
    with pytest.raises(trove_exceptions.Conflict):
        trove.instances.create(
            "too-early", "1", volume={"size": 2}, restorePoint={"backupRef": running.id},
            datastore="mysql",
        )
    with pytest.raises(trove_exceptions.Forbidden):
        trove.backups.list(all_projects=True)
    assert cloud.control("PUT", "config", {"backup_quota": 1}).ok
    with pytest.raises(trove_exceptions.RequestEntityTooLarge) as over:
        trove.backups.create("over-quota", SECOND)
    assert over.value.http_status == 413


def test_keystone_v3_password_session(cloud):
    trove = password_client(cloud)
    backup = trove.backups.create("from-password-session", INSTANCE)
    # the catalog endpoint is this server's /v1.0/proj1: the token client sees the same backup
    assert [b.id for b in token_client(cloud).backups.list()] == [backup.id]
    assert trove.backups.get(backup.id).name == "from-password-session"


def test_keystone_v3_wrong_password_is_refused(cloud):
    with pytest.raises(ks_exceptions.Unauthorized):
        password_client(cloud, password="wrong").backups.list()


def test_legacy_client_with_keystone_v2(cloud):
    legacy = trove_client.Client(
        username="alice",
        password="s3cret",
        project_id=PROJECT,
        auth_url=f"{cloud.url}/v2.0",
    )
    backup = legacy.backups.create("v2", INSTANCE)
    assert legacy.client.management_url == f"{cloud.url}/v1.0/{PROJECT}"
    assert legacy.backups.get(backup.id).status == "NEW"


def test_legacy_client_with_v1_auth(cloud):
    legacy = trove_client.Client(
        username="alice",
        password="s3cret",
        project_id=PROJECT,
        auth_url=f"{cloud.url}/auth/v1.0",
    )
    assert list(legacy.backups.list()) == []
    assert legacy.client.management_url == f"{cloud.url}/v1.0/{PROJECT}"
