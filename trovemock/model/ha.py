"""HA groups (Rackspace): a source instance and its replicas, backed up as one."""

from __future__ import annotations

from trovemock.model.access import Caller
from trovemock.model.cloud import Cloud
from trovemock.model.entities import HAGroup, Instance


def create_group(
    cloud: Cloud,
    *,
    group_id: str,
    project_id: str,
    region: str,
    name: str,
    members: list[Instance],
    volume_size: int,
    flavor_id: str,
) -> HAGroup:
    """Store a group of existing instances: the first is the source, the others replicas."""
    now = cloud.time
    group = HAGroup(
        id=group_id,
        project_id=project_id,
        region=region,
        name=name,
        status="ACTIVE",
        created=now,
        updated=now,
        datastore=members[0].datastore,
        volume_size=volume_size,
        flavor_id=flavor_id,
        members=[m.id for m in members],
    )
    for member in members:
        member.ha_id = group_id
    cloud.ha_groups[group_id] = group
    cloud.project(region, project_id).ha_groups[group_id] = group
    return group


def list_groups(cloud: Cloud, caller: Caller) -> list[HAGroup]:
    """The caller's HA groups in its region, in the order they were created."""
    project = cloud.existing_project(caller.region, caller.project_id)
    return list(project.ha_groups.values()) if project is not None else []


def members(cloud: Cloud, group: HAGroup) -> list[Instance]:
    """The group's instances that still exist: the source first, then the replicas."""
    return [cloud.instances[i] for i in group.members if i in cloud.instances]
