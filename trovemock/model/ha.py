"""HA groups (Rackspace): a source instance and its replicas, backed up as one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trovemock.model.entities import HAGroup
from trovemock.model.errors import Unprocessable, not_found

if TYPE_CHECKING:
    from trovemock.model.backups import Caller
    from trovemock.model.cloud import Cloud


def visible_group(cloud: Cloud, caller: Caller, ha_id: str) -> HAGroup:
    group = cloud.ha_groups.get(ha_id)
    if not caller.sees(group):
        raise not_found(ha_id)
    return group


def group_status(cloud: Cloud, group: HAGroup) -> str:
    running = cloud.backups.get(group.running_backup or "")
    if running is not None and running.running and group.status == "ACTIVE":
        return "BACKUP"
    return group.status


def require_ha_available(cloud: Cloud, group: HAGroup) -> None:
    shown = group_status(cloud, group)
    if shown != "ACTIVE":
        raise Unprocessable(
            f"HA instance {group.id} is not currently available for an action to be "
            f"performed (ha status was {shown})."
        )
