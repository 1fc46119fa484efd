"""Export and import the whole cloud as JSON-ready data (the control API's state endpoint,
`trovemock serve --state FILE`). An import is parsed completely before anything changes."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from trovemock.clock import parse_time
from trovemock.model import schedule_state
from trovemock.model.backups import schedule_lifecycle
from trovemock.model.cloud import Cloud
from trovemock.model.copies import _finish_copy
from trovemock.model.entities import BACKUP_STATUSES, Backup, Contents, HAGroup, Instance
from trovemock.model.errors import NotFound
from trovemock.model.instances import _settle_later, heartbeat_later

FORMAT = 1
_SETTLING = ("BUILD", "REBOOT", "RESIZE")


def export_state(cloud: Cloud) -> dict[str, Any]:
    backups = sorted(cloud.backups.values(), key=lambda b: b.order)
    return {
        "format": FORMAT,
        "dialect": cloud.dialect,
        "now": _time(cloud.time),
        "instances": [_instance_out(i) for i in cloud.instances.values()],
        "ha_groups": [_group_out(g) for g in cloud.ha_groups.values()],
        "backups": [_backup_out(b) for b in backups],
        "tokens": [
            {"token": t, "project_id": p, "roles": sorted(r)} for t, (p, r) in cloud.tokens.items()
        ],
        **schedule_state.export_parts(cloud),
    }


def import_state(cloud: Cloud, state: Any) -> None:
    """Replace the cloud's contents with `state`; ValueError (naming the place) if any part
    of it is malformed, in which case nothing changes."""
    if not isinstance(state, dict):
        raise ValueError("state must be a JSON object")
    if state.get("format") != FORMAT:
        raise ValueError(f"state.format must be {FORMAT}")
    if state.get("dialect") != cloud.dialect:
        raise ValueError(
            f"state.dialect is {state.get('dialect')!r} but this cloud is {cloud.dialect!r}"
        )
    instances = [_instance_in(cloud, d, f"instances[{n}]") for n, d in _items(state, "instances")]
    groups = [_group_in(cloud, d, f"ha_groups[{n}]") for n, d in _items(state, "ha_groups")]
    backups = [_backup_in(cloud, d, f"backups[{n}]") for n, d in _items(state, "backups")]
    tokens = []
    for n, d in _items(state, "tokens"):
        token, roles = d.get("token"), d.get("roles", [])
        if not isinstance(token, str) or not token or not isinstance(roles, list):
            raise ValueError(f"tokens[{n}] needs a token string and a roles list")
        tokens.append((token, d.get("project_id"), tuple(roles)))
    parts = schedule_state.parse_parts(cloud, state)
    with cloud.operation():
        cloud.reset()
        for instance in instances:
            cloud.instances[instance.id] = instance
            cloud.project(instance.region, instance.project_id).instances[instance.id] = instance
        for group in groups:
            cloud.ha_groups[group.id] = group
            cloud.project(group.region, group.project_id).ha_groups[group.id] = group
        for backup in backups:
            cloud.store_backup(backup)
        for token, project_id, roles in tokens:
            cloud.add_token(token, project_id, roles)
        _resume(cloud, instances, backups)
        schedule_state.install(cloud, parts)


def _resume(cloud: Cloud, instances: list[Instance], backups: list[Backup]) -> None:
    """Put the in-flight transitions back on the scheduler."""
    for backup in backups:
        if backup.pinned or backup.status not in ("NEW", "BUILDING"):
            continue
        if backup.origin_id != backup.id:
            cloud.scheduler.at(
                cloud.later(backup.created, cloud.config.copy_seconds),
                _finish_copy,
                cloud,
                backup,
                backup.generation,
            )
        else:
            schedule_lifecycle(cloud, backup)
    for instance in instances:
        if instance.status in _SETTLING:
            seconds = (
                cloud.config.instance_build_seconds
                if instance.status == "BUILD"
                else cloud.config.instance_action_seconds
            )
            _settle_later(cloud, instance, seconds, "ACTIVE", instance.updated)
        if instance.service_reset:
            heartbeat_later(cloud, instance, instance.updated)


# -- out ----------------------------------------------------------------------------------
def _time(when: datetime) -> str:
    return when.isoformat()


def _datastore_out(datastore) -> dict[str, str]:
    return {"type": datastore.type, "version": datastore.version}


def _instance_out(i: Instance) -> dict[str, Any]:
    return {
        "id": i.id,
        "project_id": i.project_id,
        "region": i.region,
        "name": i.name,
        "status": i.status,
        "created": _time(i.created),
        "updated": _time(i.updated),
        "datastore": _datastore_out(i.datastore),
        "volume_size": i.volume_size,
        "flavor_id": i.flavor_id,
        "used_gb": i.used_gb,
        "databases": list(i.databases),
        "users": {name: list(dbs) for name, dbs in i.users.items()},
        "ha_id": i.ha_id,
        "running_backup": i.running_backup,
        "root_enabled": i.root_enabled,
        "service_reset": i.service_reset,
        "resize_flavor_id": i.resize_flavor_id,
        "resize_volume_size": i.resize_volume_size,
    }


def _group_out(g: HAGroup) -> dict[str, Any]:
    return {
        "id": g.id,
        "project_id": g.project_id,
        "region": g.region,
        "name": g.name,
        "status": g.status,
        "created": _time(g.created),
        "updated": _time(g.updated),
        "datastore": _datastore_out(g.datastore),
        "volume_size": g.volume_size,
        "flavor_id": g.flavor_id,
        "members": list(g.members),
        "running_backup": g.running_backup,
    }


_BACKUP_PLAIN = tuple(
    f.name
    for f in fields(Backup)
    if f.name not in ("created", "updated", "datastore", "contents", "copy_to", "generation")
)


def _backup_out(b: Backup) -> dict[str, Any]:
    data = {name: getattr(b, name) for name in _BACKUP_PLAIN}
    data.update(
        created=_time(b.created),
        updated=_time(b.updated),
        datastore=_datastore_out(b.datastore),
        contents={
            "databases": list(b.contents.databases),
            "users": {name: list(dbs) for name, dbs in b.contents.users},
        },
        copy_to=list(b.copy_to),
    )
    return data


# -- in -----------------------------------------------------------------------------------
def _items(state: dict[str, Any], key: str):
    value = state.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"state.{key} must be a list")
    for n, item in enumerate(value):
        if not isinstance(item, dict):
            raise ValueError(f"{key}[{n}] must be an object")
        yield n, item


def _need(data: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ValueError(f"{where}.{key} is missing or has the wrong type")
    return value


def _when(data: dict[str, Any], key: str, where: str) -> datetime:
    try:
        return parse_time(_need(data, key, str, where))
    except (ValueError, TypeError) as error:
        raise ValueError(f"{where}.{key}: {error}") from None


def _region(cloud: Cloud, data: dict[str, Any], where: str) -> str:
    try:
        return cloud.region_named(_need(data, "region", str, where))
    except NotFound:
        raise ValueError(
            f"{where}.region {data['region']!r} is not a region of this cloud"
        ) from None


def _datastore_in(cloud: Cloud, data: dict[str, Any], where: str):
    ds = _need(data, "datastore", dict, where)
    return cloud.datastores.get(
        _need(ds, "type", str, f"{where}.datastore"),
        _need(ds, "version", str, f"{where}.datastore"),
    )


def _contents_in(data: dict[str, Any], where: str) -> Contents:
    databases = _need(data, "databases", list, where)
    users = _need(data, "users", dict, where)
    return Contents(tuple(map(str, databases)), tuple((k, tuple(v)) for k, v in users.items()))


def _instance_in(cloud: Cloud, d: dict[str, Any], where: str) -> Instance:
    contents = _contents_in(d, where)
    return Instance(
        id=_need(d, "id", str, where),
        project_id=_need(d, "project_id", str, where),
        region=_region(cloud, d, where),
        name=_need(d, "name", str, where),
        status=_need(d, "status", str, where),
        created=_when(d, "created", where),
        updated=_when(d, "updated", where),
        datastore=_datastore_in(cloud, d, where),
        volume_size=_need(d, "volume_size", int, where),
        flavor_id=_need(d, "flavor_id", str, where),
        used_gb=float(_need(d, "used_gb", (int, float), where)),
        databases=list(contents.databases),
        users=dict(contents.users),
        ha_id=d.get("ha_id"),
        running_backup=d.get("running_backup"),
        root_enabled=d.get("root_enabled") is True,
        service_reset=d.get("service_reset") is True,
        resize_flavor_id=_optional(d, "resize_flavor_id", str, where),
        resize_volume_size=_optional(d, "resize_volume_size", int, where),
    )


def _optional(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise ValueError(f"{where}.{key} has the wrong type")
    return value


def _group_in(cloud: Cloud, d: dict[str, Any], where: str) -> HAGroup:
    return HAGroup(
        id=_need(d, "id", str, where),
        project_id=_need(d, "project_id", str, where),
        region=_region(cloud, d, where),
        name=_need(d, "name", str, where),
        status=_need(d, "status", str, where),
        created=_when(d, "created", where),
        updated=_when(d, "updated", where),
        datastore=_datastore_in(cloud, d, where),
        volume_size=_need(d, "volume_size", int, where),
        flavor_id=_need(d, "flavor_id", str, where),
        members=[str(m) for m in _need(d, "members", list, where)],
        running_backup=d.get("running_backup"),
    )


def _backup_in(cloud: Cloud, d: dict[str, Any], where: str) -> Backup:
    status = _need(d, "status", str, where)
    if status not in BACKUP_STATUSES:
        raise ValueError(f"{where}.status {status!r} is not a backup status")
    plain = {name: d.get(name) for name in _BACKUP_PLAIN if name in d}
    for key in ("id", "project_id", "region", "name"):
        _need(d, key, str, where)
    plain["region"] = _region(cloud, d, where)
    try:
        return Backup(
            **plain,
            created=_when(d, "created", where),
            updated=_when(d, "updated", where),
            datastore=_datastore_in(cloud, d, where),
            contents=_contents_in(_need(d, "contents", dict, where), f"{where}.contents"),
            copy_to=tuple(d.get("copy_to") or ()),
        )
    except TypeError as error:
        raise ValueError(f"{where}: {error}") from None
