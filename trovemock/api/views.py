"""How each dialect renders the domain objects (the wire format)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from trovemock.model.catalog import FLAVORS
from trovemock.model.cloud import Cloud
from trovemock.model.entities import (
    Backup,
    BackupStrategy,
    Datastore,
    Flavor,
    HAGroup,
    Instance,
    Schedule,
)
from trovemock.model.instances import instance_status
from trovemock.model.schedules import is_running


def timestamp(when: datetime) -> str:
    """Naive UTC, no fraction, no zone: 2014-02-13T21:47:16."""
    return when.strftime("%Y-%m-%dT%H:%M:%S")


def datastore_view(datastore: Datastore) -> dict[str, str]:
    return {
        "type": datastore.type,
        "version": datastore.version,
        "version_id": datastore.version_id,
    }


def backup_view(backup: Backup, dialect: str) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": backup.id,
        "name": backup.name,
        "description": backup.description,
        "locationRef": backup.location_ref,
        "instance_id": backup.instance_id,
        "created": timestamp(backup.created),
        "updated": timestamp(backup.updated),
        "size": backup.size,
        "status": backup.status,
        "parent_id": backup.parent_id,
        "datastore": datastore_view(backup.datastore),
    }
    if dialect == "openstack":
        view["project_id"] = backup.project_id
    else:
        view["is_automated"] = 1 if backup.is_automated else 0
        view["flavor_ram"] = backup.flavor_ram
        view["source"] = {"type": backup.source_type, "id": backup.source_id}
        view["type"] = "InnoBackupExIncremental" if backup.is_incremental else "InnoBackupEx"
        view["volume_size"] = backup.volume_size
    return view


def _links(base_url: str, project_id: str, kind: str, item_id: str) -> list[dict[str, str]]:
    return [
        {"href": f"{base_url}/v1.0/{project_id}/{kind}/{item_id}", "rel": "self"},
        {"href": f"{base_url}/{kind}/{item_id}", "rel": "bookmark"},
    ]


def flavor_view(flavor: Flavor, base_url: str, project_id: str) -> dict[str, Any]:
    return {
        "id": flavor.id,
        "name": flavor.name,
        "ram": flavor.ram,
        "links": _links(base_url, project_id, "flavors", flavor.id),
    }


def instance_view(
    cloud: Cloud, instance: Instance, base_url: str, project_id: str
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": instance.id,
        "name": instance.name,
        "status": instance_status(cloud, instance),
        "created": timestamp(instance.created),
        "updated": timestamp(instance.updated),
        "datastore": {"type": instance.datastore.type, "version": instance.datastore.version},
        "flavor": {
            "id": instance.flavor_id,
            "links": _links(base_url, project_id, "flavors", instance.flavor_id),
        },
        "volume": {"size": instance.volume_size},
        "links": _links(base_url, project_id, "instances", instance.id),
    }
    if cloud.dialect == "rackspace":
        view["hostname"] = f"{instance.id.replace('-', '')}.rackspaceclouddb.com"
    else:
        view["region"] = instance.region
    return view


def ha_view(cloud: Cloud, group: HAGroup) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "state": instance_status(cloud, group),
        "datastore": {"type": group.datastore.type, "version": group.datastore.version},
        "volume": {"size": group.volume_size},
        "flavor": {"id": group.flavor_id},
        "replica_source": [{"id": group.members[0]}],
        "replicas": [{"id": member} for member in group.members[1:]],
        "created": timestamp(group.created),
        "updated": timestamp(group.updated),
    }


def flavors(base_url: str, project_id: str) -> list[dict[str, Any]]:
    return [flavor_view(f, base_url, project_id) for f in FLAVORS.values()]


def schedule_view(cloud: Cloud, schedule: Schedule) -> dict[str, Any]:
    """Every field of the documented schedule object (the 2020 create example's set), in
    lists too: cdb-cli reads fields a list item lacks with one GET per item."""
    last = schedule.last_scheduled
    return {
        "id": schedule.id,
        "action": "backup",
        "instance_id": schedule.instance_id,
        "source": {"id": schedule.source_id, "type": schedule.source_type},
        "day_of_week": schedule.day_of_week,
        "hour": schedule.hour,
        "minute": schedule.minute,
        "day_of_month": None,
        "month": None,
        "full_backup_retention": schedule.full_backup_retention,
        "next_run": timestamp(schedule.next_run),
        "last_scheduled": timestamp(last) if last is not None else None,
        "running": 1 if is_running(cloud, schedule) else 0,
        "copy_to": list(schedule.copy_to),
        "created": timestamp(schedule.created),
        "updated": timestamp(schedule.updated),
    }


def strategy_view(strategy: BackupStrategy) -> dict[str, str]:
    """Trove's BackupStrategyView."""
    return {
        "project_id": strategy.project_id,
        "instance_id": strategy.instance_id,
        "backend": strategy.backend,
        "swift_container": strategy.swift_container,
    }
