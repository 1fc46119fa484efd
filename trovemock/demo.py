"""The demo cloud `trovemock serve` starts with: project ``demo`` with two ACTIVE instances
and one COMPLETED backup, so a new user can `curl` something at once.

The instance ids are fixed so that README examples can name them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trovemock.model import backups as backup_ops
from trovemock.model.access import Caller
from trovemock.model.entities import BackupRequest

if TYPE_CHECKING:
    from trovemock.mock import TroveMock

DEMO_PROJECT = "demo"
DEMO_INSTANCES = (
    ("4a1f6c6e-5e77-4c39-9d0c-6f1b6a1d0001", "demo-mysql", ("mysql", "5.7")),
    ("4a1f6c6e-5e77-4c39-9d0c-6f1b6a1d0002", "demo-mariadb", ("mariadb", "10.4")),
)


def seed_demo(mock: TroveMock) -> str:
    """Seed the demo project in the default region; returns the completed backup's id."""
    for instance_id, name, datastore in DEMO_INSTANCES:
        mock.add_instance(
            DEMO_PROJECT,
            id=instance_id,
            name=name,
            datastore=datastore,
            databases=["shop"],
            users=["app"],
        )
    caller = Caller(project_id=DEMO_PROJECT, region=mock.default_region)
    request = BackupRequest(
        name="nightly", description="Seeded by trovemock demo", instance_id=DEMO_INSTANCES[0][0]
    )
    with mock.cloud.operation():
        backup = backup_ops.create_backup(mock.cloud, caller, request)
    mock.complete(backup.id)
    return backup.id
