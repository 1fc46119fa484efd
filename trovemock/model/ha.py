"""HA groups (Rackspace): a source instance and its replicas, backed up as one."""

from __future__ import annotations

from trovemock.model.access import Caller
from trovemock.model.cloud import Cloud
from trovemock.model.entities import HAGroup, Instance


def list_groups(cloud: Cloud, caller: Caller) -> list[HAGroup]:
    """The caller's HA groups in its region, in the order they were created."""
    project = cloud.existing_project(caller.region, caller.project_id)
    return list(project.ha_groups.values()) if project is not None else []


def members(cloud: Cloud, group: HAGroup) -> list[Instance]:
    """The group's instances that still exist: the source first, then the replicas."""
    return [cloud.instances[i] for i in group.members if i in cloud.instances]
