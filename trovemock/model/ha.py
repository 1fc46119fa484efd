"""HA groups (Rackspace): a source instance and its replicas, backed up as one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trovemock.model.entities import HAGroup
from trovemock.model.errors import not_found

if TYPE_CHECKING:
    from trovemock.model.backups import Caller
    from trovemock.model.cloud import Cloud


def visible_group(cloud: Cloud, caller: Caller, ha_id: str) -> HAGroup:
    group = cloud.ha_groups.get(ha_id)
    if not caller.sees(group):
        raise not_found(ha_id)
    return group
