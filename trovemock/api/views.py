"""How each dialect renders the domain objects (the wire format)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from trovemock.fidelity import upstream
from trovemock.model.access import instance_status, operating_status
from trovemock.model.catalog import FLAVORS, GUEST_MANAGERS, REPLICATION_STRATEGIES, image_id
from trovemock.model.cloud import Cloud
from trovemock.model.data import server_version
from trovemock.model.datastores import DatastoreType, is_deprecated
from trovemock.model.entities import (
    Backup,
    BackupStrategy,
    Configuration,
    Datastore,
    Flavor,
    HAGroup,
    Instance,
    Schedule,
)
from trovemock.model.ha import members
from trovemock.model.instances import server_id, shown_addresses, volume_id
from trovemock.model.replication import replicas_of
from trovemock.model.schedules import has_schedule, is_running


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


def as_https(url: str) -> str:
    """`url` with https for its scheme (upstream fidelity, deviation https_links)."""
    return "https://" + url.split("://", 1)[-1]


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


# Statuses in which Trove does not ask the guest agent for the volume's usage
# (trove/instance/models.py AGENT_INVALID_STATUSES): no `volume.used` then.
AGENT_INVALID_STATUSES = frozenset({"BUILD", "REBOOT", "RESIZE", "SHUTDOWN"})


def instance_view(
    cloud: Cloud,
    instance: Instance,
    base_url: str,
    project_id: str,
    *,
    detail: bool = True,
    is_admin: bool = False,
    just_created: bool = False,
) -> dict[str, Any]:
    """An instance as each dialect renders it. openstack follows Trove 26.0.0's
    InstanceView (lists) and InstanceDetailView (show, create): `detail` adds the
    timestamps, `service_status_updated`, `datastore.version_number` and `volume.used`;
    `is_admin` the admin-only keys (`tenant_id`; on detail `server_id`, `volume_id`,
    `encrypted_rpc_messaging`). The create response (`just_created`) has no addresses yet:
    nova has not made the server, so Trove finds no ports (`access` is `{}`)."""
    status = instance_status(cloud, instance)
    links = _links(base_url, project_id, "instances", instance.id)
    flavor: dict[str, Any] = {
        "id": instance.flavor_id,
        "links": _links(base_url, project_id, "flavors", instance.flavor_id),
    }
    datastore: dict[str, Any] = {
        "type": instance.datastore.type,
        "version": instance.datastore.version,
    }
    view: dict[str, Any]
    if cloud.dialect == "rackspace":
        view = {
            "id": instance.id,
            "name": instance.name,
            "status": status,
            "created": timestamp(instance.created),
            "updated": timestamp(instance.updated),
            "datastore": datastore,
            "flavor": flavor,
            "volume": {"size": instance.volume_size},
            "links": links,
            "hostname": f"{instance.id.replace('-', '')}.rackspaceclouddb.com",
        }
        if detail:  # Rackspace's instance show says whether a backup schedule exists
            view["schedule"] = {"enabled": has_schedule(cloud, "instance", instance.id)}
        return view
    public = instance.access is not None and instance.access.is_public
    found = [] if just_created else shown_addresses(cloud, instance, public)
    if upstream(cloud.config, "https_links"):
        links = [{**link, "href": as_https(link["href"])} for link in links]
        flavor["links"] = [{**link, "href": as_https(link["href"])} for link in flavor["links"]]
    view = {
        "id": instance.id,
        "name": instance.name,
        "status": status,
        "operating_status": operating_status(cloud, instance),
        "links": links,
        "flavor": flavor,
        "datastore": datastore,
        "region": instance.region,
        # Trove shows the access a body set; else whether a public address exists
        "access": instance.access.view() if instance.access is not None
        else {"is_public": any(a["type"] == "public" for a in found)} if found else {},
    }
    if is_admin:
        view["tenant_id"] = instance.project_id
    view["volume"] = {"size": instance.volume_size}
    if found:
        view["ip"] = [a["address"] for a in found]
        view["addresses"] = found
    https = upstream(cloud.config, "https_links")
    if instance.replica_of is not None:
        view["replica_of"] = _member(base_url, project_id, instance.replica_of, https)
    replicas = replicas_of(cloud, instance)
    if replicas:
        view["replicas"] = [_member(base_url, project_id, r.id, https) for r in replicas]
    if not detail:
        return view
    view["created"] = timestamp(instance.created)
    view["updated"] = timestamp(instance.updated)
    view["service_status_updated"] = timestamp(instance.updated)
    datastore["version_number"] = server_version(cloud, instance) or instance.datastore.version
    group = cloud.configurations.get(instance.configuration_id or "")
    if group is not None:
        group_links = _links(base_url, project_id, "configurations", group.id)
        if upstream(cloud.config, "https_links"):
            group_links = [{**link, "href": as_https(link["href"])} for link in group_links]
        view["configuration"] = {"id": group.id, "name": group.name, "links": group_links}
    if instance.fault is not None:
        message, when = instance.fault
        view["fault"] = {"message": message, "created": timestamp(when), "details": None}
    if status not in AGENT_INVALID_STATUSES and instance.used_gb:
        view["volume"]["used"] = instance.used_gb
    if is_admin:
        view["server_id"] = server_id(instance.id)
        view["volume_id"] = volume_id(instance.id)
        view["encrypted_rpc_messaging"] = True
    return view


def _hostname(instance_id: str, region: str) -> str:
    return f"{instance_id.replace('-', '')}.{region.lower()}.rackspaceclouddb.com"


def ha_summary_view(group: HAGroup, state: str) -> dict[str, Any]:
    """An HA list item: what cdb-cli's ha-list prints."""
    return {
        "id": group.id,
        "name": group.name,
        "state": state,
        "datastore": {"type": group.datastore.type, "version": group.datastore.version},
    }


def ha_view(cloud: Cloud, group: HAGroup, base_url: str, project_id: str) -> dict[str, Any]:
    """An HA instance as Rackspace shows it (plus `flavor.name`, which cdb-cli's ha-show
    reads and the docs' example lacks)."""
    flavor = FLAVORS.get(group.flavor_id)
    nodes = members(cloud, group)
    source, replicas = nodes[:1], nodes[1:]

    def node(instance: Instance) -> dict[str, Any]:
        return {
            "id": instance.id,
            "name": instance.name,
            "status": instance_status(cloud, instance),
            "hostname": _hostname(instance.id, instance.region),
            "ha_id": group.id,
            "volume": {"size": instance.volume_size},
            "flavor": {
                "id": instance.flavor_id,
                "links": _links(base_url, project_id, "flavors", instance.flavor_id),
            },
            "datastore": {"type": instance.datastore.type, "version": instance.datastore.version},
            "links": _links(base_url, project_id, "instances", instance.id),
        }

    def ref(instance: Instance) -> dict[str, Any]:
        return {
            "id": instance.id,
            "name": instance.name,
            "links": _links(base_url, project_id, "instances", instance.id),
        }

    source_nodes = [dict(node(s), replicas=[ref(r) for r in replicas]) for s in source]
    replica_nodes = [
        dict(node(r), replica_of={k: v for k, v in ref(source[0]).items() if k != "name"})
        for r in replicas
    ]
    address = f"{group.id.replace('-', '')}.publb.{group.region.lower()}.rackspaceclouddb.com"
    return {
        **ha_summary_view(group, instance_status(cloud, group)),
        "tenant_id": group.project_id,
        "volume": {"size": group.volume_size},
        "flavor": {
            "id": group.flavor_id,
            "name": flavor.name if flavor is not None else group.flavor_id,
            "links": _links(base_url, project_id, "flavors", group.flavor_id),
        },
        "acls": [],
        "configuration": None,
        "networks": [
            {"access": "read", "network": "servicenet", "port": 3307, "address": address},
            {"access": "write", "network": "servicenet", "port": 3306, "address": address},
        ],
        "replica_source": source_nodes,
        "replicas": replica_nodes,
        "schedule": {"enabled": has_schedule(cloud, "ha", group.id)},
        "created": timestamp(group.created),
        "updated": timestamp(group.updated),
    }


def datastore_version_view(
    version: Datastore,
    dialect: str,
    base_url: str,
    project_id: str,
    with_type: bool = False,
    is_admin: bool = False,
) -> dict[str, Any]:
    """One datastore version: Trove's `version` number (and, for admins, how the operator
    registered it), or Rackspace's flavors and flags."""
    view: dict[str, Any] = {
        "id": version.version_id,
        "name": version.version,
        "links": _links(base_url, project_id, "datastores/versions", version.version_id),
    }
    if dialect == "openstack":
        view["version"] = version.version
        if is_admin:
            view.update(
                active=True,
                packages="",
                image=image_id(version),
                image_tags=[],
                registry_ext=GUEST_MANAGERS.get(version.type),
                repl_strategy=REPLICATION_STRATEGIES.get(version.type),
            )
    else:
        obsolete = is_deprecated(version)
        view["flavors"] = [
            dict(flavor_view(f, base_url, project_id), id=int(f.id)) for f in FLAVORS.values()
        ]
        view["deprecated"] = obsolete
        view["scheduled_backup_supported"] = not obsolete
        for flag in RACKSPACE_VERSION_FLAGS:
            view[flag] = True
        view["at_rest_encryption_supported"] = version.version.endswith("enc")
    if with_type:
        view["datastore"] = version.type_id
    return view


# Every Rackspace datastore version in the docs' examples supports these.
RACKSPACE_VERSION_FLAGS = (
    "backup_supported",
    "replication_supported",
    "ha_supported",
    "users_supported",
    "databases_supported",
    "configurations_supported",
    "volumes_supported",
    "monitoring_supported",
)


def datastore_type_view(
    kind: DatastoreType, dialect: str, base_url: str, project_id: str, is_admin: bool = False
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": kind.id,
        "name": kind.name,
        "links": _links(base_url, project_id, "datastores", kind.id),
        "versions": [
            datastore_version_view(v, dialect, base_url, project_id, is_admin=is_admin)
            for v in kind.versions
        ],
    }
    if kind.default_version_id is not None:
        view["default_version"] = kind.default_version_id
    return view


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


def _member(base_url: str, project_id: str, instance_id: str, https: bool) -> dict[str, Any]:
    """A replica or primary named in an instance view: its id and links."""
    links = _links(base_url, project_id, "instances", instance_id)
    if https:
        links = [{**link, "href": as_https(link["href"])} for link in links]
    return {"id": instance_id, "links": links}


def configuration_view(group: Configuration, *, detail: bool = False,
                       instance_count: int = 0) -> dict[str, Any]:
    """A configuration group as Trove shows it: its values and instance count in the
    detailed view (show, create) only."""
    view: dict[str, Any] = {
        "id": group.id,
        "name": group.name,
        "description": group.description,
        "created": timestamp(group.created),
        "updated": timestamp(group.updated),
        "datastore_version_id": group.datastore.version_id,
        "datastore_name": group.datastore.type,
        "datastore_version_name": group.datastore.version,
    }
    if detail:
        view["values"] = dict(group.values)
        view["instance_count"] = instance_count
        view["datastore_version_number"] = group.datastore.version
    return view


def parameter_view(name: str, rule: tuple[str, Any, Any, bool],
                   datastore: Datastore) -> dict[str, Any]:
    """A datastore parameter: a bound only when the parameter has one, as an integer
    (Trove keeps bounds as text, so a bound of 0 is shown too)."""
    kind, low, high, restart = rule
    view: dict[str, Any] = {"name": name, "datastore_version_id": datastore.version_id,
                            "restart_required": restart, "type": kind}
    if high is not None:
        view["max"] = int(high)
    if low is not None:
        view["min"] = int(low)
    return view
