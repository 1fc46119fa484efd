"""Seeded backup history: a backup made as `POST /backups` would have made it at a chosen
time in the past, then given its status, so rotation and retention tests start from the
history they need without replaying it through HTTP.

The create runs as of `created` (every rule of the API applies: the instance, the parent, one
running backup per instance, the quota) and the status is then forced at `updated`. Lists
stay ordered as the API orders them, most recently updated first, whatever order the
history is seeded in.
"""

from __future__ import annotations

from datetime import datetime

from trovemock.model import backups
from trovemock.model.access import Caller
from trovemock.model.cloud import Cloud
from trovemock.model.entities import BACKUP_STATUSES, Backup, BackupRequest


def add_backup(
    cloud: Cloud,
    caller: Caller,
    request: BackupRequest,
    *,
    created: datetime,
    updated: datetime,
    status: str,
    size: float | None,
) -> Backup:
    """Store a backup made at `created` that reached `status` at `updated`. Call inside
    `cloud.operation()`; refusals are the API's `DomainError`s or a ValueError."""
    now = cloud.time
    if status not in BACKUP_STATUSES:
        raise ValueError(f"status must be one of {', '.join(BACKUP_STATUSES)}, not {status!r}")
    if created > now:
        raise ValueError(f"created ({created.isoformat()}) is after the emulator's clock "
                         f"({now.isoformat()}): history cannot be in the future")
    if not created <= updated <= now:
        raise ValueError(f"updated ({updated.isoformat()}) must lie between created and the "
                         f"emulator's clock ({now.isoformat()})")
    if size is not None and not 0 <= size <= 1e12:
        raise ValueError(f"size must be a number of GB from 0 to 1e12, not {size!r}")
    if request.parent_id is not None:
        parent = cloud.backups.get(request.parent_id)
        if parent is not None and parent.created > created:
            raise ValueError(f"the parent {parent.id} was created at "
                             f"{parent.created.isoformat()}, after {created.isoformat()}")
    with cloud.moment(created):
        backup = backups.create_backup(cloud, caller, request)
    with cloud.moment(updated):
        backups.force_status(cloud, backup.id, status)
    if size is not None:
        backup.size = size
    _keep_lists_in_order(cloud, backup)
    return backup


def _keep_lists_in_order(cloud: Cloud, seeded: Backup) -> None:
    """Lists show the most recently updated first: a backup seeded with an earlier `updated`
    than others already listed takes its place among them (ties keep the seeding order)."""
    project = cloud.project(seeded.region, seeded.project_id)
    if all(other.updated <= seeded.updated for other in project.backups.values()):
        return
    everything = sorted(cloud.backups.values(), key=lambda b: (b.updated, b.order))
    cloud.renumber(everything)
