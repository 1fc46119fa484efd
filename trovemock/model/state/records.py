"""Export and import the whole cloud as JSON-ready data (the control API's state endpoint,
`trovemock serve --state FILE`).

An import is all or nothing, in two steps:

1. `stage` reads and checks everything, outside the cloud's lock, and builds the new contents
   in a private `Cloud`. Every refusal is a ValueError naming the record (`backups[3].
   parent_id ...`): wrong types, times the emulator cannot reach, duplicate ids, parents that
   are missing, in another project or region, or that form a cycle, HA group members and
   running backups that the state does not hold.
2. `install` runs inside one operation: it computes every due transition first (the only step
   that depends on the config), then swaps the staged contents in by plain assignments and
   puts the transitions on the scheduler. A refused import leaves the cloud as it was.

`export_state(import_state(export_state(cloud)))` is byte-identical to the first export (the
`order` of each backup, which lists sort on, is kept).

One function reads each kind of record (`_instance_in`, `_group_in`, `_backup_in`,
`_token_in`) and one writes it (`_*_out`); a new kind adds its pair and a line in `stage`.
Schedules, their runs and backup strategies are `model.schedule_state`'s: parsed in `stage`,
installed in `install`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import datetime
from typing import Any

from trovemock.model import backups, copies, guest, instances
from trovemock.model.catalog import FLAVORS, stable_id
from trovemock.model.cloud import Cloud, Event
from trovemock.model.configurations import check_values
from trovemock.model.entities import (
    BACKUP_STATUSES,
    INSTANCE_STATUSES,
    Access,
    Backup,
    Configuration,
    Contents,
    Datastore,
    HAGroup,
    Instance,
)
from trovemock.model.errors import DomainError
from trovemock.model.instances import check_access
from trovemock.model.state import readers as fields
from trovemock.model.state import schedules as schedule_state
from trovemock.tokens import TokenRecord

FORMAT = 1
_SETTLING = ("BUILD", "REBOOT", "RESIZE")


def export_state(cloud: Cloud, tokens: Iterable[TokenRecord] = ()) -> dict[str, Any]:
    """Runs inside an operation (`cloud.time` is the export's `now`). `tokens` are the
    token registry's, which the state file holds beside the cloud's records."""
    backups = sorted(cloud.backups.values(), key=lambda b: b.order)
    return {
        "format": FORMAT,
        "dialect": cloud.dialect,
        "now": _time(cloud.time),
        "config": cloud.config.to_dict(),
        "instances": [_instance_out(i) for i in cloud.instances.values()],
        "ha_groups": [_group_out(g) for g in cloud.ha_groups.values()],
        "configurations": [_configuration_out(c) for c in cloud.configurations.values()],
        "backups": [_backup_out(b) for b in backups],
        "tokens": [_token_out(*record) for record in tokens],
        **schedule_state.export_parts(cloud),
    }


def import_state(
    cloud: Cloud, state: Any, *, tokens: Callable[[list[TokenRecord]], None] | None = None
) -> None:
    """Replace the cloud's contents with `state`; ValueError (naming the place) if any part of
    it is refused, in which case nothing changes. `tokens` receives the state's tokens in the
    same operation, right after the swap (for the token registry)."""
    staged = stage(cloud, state)
    with cloud.operation():
        install(cloud, staged)
        if tokens is not None:
            tokens(staged.tokens)


@dataclass
class Staged:
    """Checked contents, ready to be swapped in."""

    contents: Cloud
    datastores: set[tuple[str, str]] = field(default_factory=set)
    schedule_parts: schedule_state.Parts = field(default_factory=schedule_state.Parts)
    tokens: list[TokenRecord] = field(default_factory=list)


def stage(cloud: Cloud, state: Any) -> Staged:
    """Check `state` completely and build its contents in a private cloud (no lock needed:
    it reads only the cloud's fixed facts, its dialect and regions)."""
    if not isinstance(state, dict):
        raise ValueError("state must be a JSON object")
    if state.get("format") != FORMAT:
        raise ValueError(f"state.format must be {FORMAT}")
    if state.get("dialect") != cloud.dialect:
        raise ValueError(
            f"state.dialect is {state.get('dialect')!r} but this cloud is {cloud.dialect!r}"
        )
    reader = _Reader(cloud)
    instances = _read(state, "instances", lambda d, w: _instance_in(reader, d, w))
    groups = _read(state, "ha_groups", lambda d, w: _group_in(reader, d, w))
    configurations = _read(state, "configurations",
                           lambda d, w: _configuration_in(reader, d, w))
    backups = _read(state, "backups", lambda d, w: _backup_in(reader, d, w))
    tokens = _read(state, "tokens", _token_in)
    _check_links(instances, groups, backups)
    schedule_parts = schedule_state.parse_parts(cloud, state)

    contents = Cloud(cloud.dialect, cloud.clock, cloud.config)
    for _, instance in instances:
        contents.instances[instance.id] = instance
        contents.project(instance.region, instance.project_id).instances[instance.id] = instance
    for _, group in groups:
        contents.ha_groups[group.id] = group
        contents.project(group.region, group.project_id).ha_groups[group.id] = group
    _store_backups(contents, [b for _, b in backups])
    for _, configuration in configurations:
        contents.configurations[configuration.id] = configuration
    for where, instance in instances:
        wanted = instance.configuration_id
        if wanted is not None and wanted not in contents.configurations:
            raise ValueError(f"{where}.configuration_id {wanted!r} names no configuration")
        primary = contents.instances.get(instance.replica_of or "")
        if instance.replica_of is not None and (primary is None or primary.replica_of):
            raise ValueError(f"{where}.replica_of {instance.replica_of!r} names no primary")
    schedule_state.check_sources(schedule_parts, contents)
    return Staged(contents, reader.datastores, schedule_parts, [record for _, record in tokens])


def install(cloud: Cloud, staged: Staged) -> None:
    """Swap `staged` in. Runs inside an operation; nothing changes if it raises."""
    contents = staged.contents
    events = _due_events(cloud, contents)  # the one step that can still refuse
    registered = {pair: cloud.datastores.register(*pair) for pair in staged.datastores}
    records: list[Instance | HAGroup | Backup] = [
        *contents.instances.values(), *contents.ha_groups.values(), *contents.backups.values()
    ]
    for record in records:
        record.datastore = registered[(record.datastore.type, record.datastore.version)]
    cloud.adopt(contents)
    cloud.schedule(events)
    schedule_state.install(cloud, staged.schedule_parts)  # into the fresh contents
    cloud.catch_up()


# -- due transitions ------------------------------------------------------------------------
def _due_events(cloud: Cloud, contents: Cloud) -> list[Event]:
    """The transitions the staged records still have ahead, bound to `cloud`: each rule
    module says which are pending for its records."""
    events: list[Event] = []
    try:
        for backup in contents.backups.values():
            events += backups.pending(cloud, backup) + copies.pending(cloud, backup)
        for instance in contents.instances.values():
            events += instances.pending(cloud, instance) + guest.pending(cloud, instance)
    except OverflowError:
        raise ValueError("a due time of the state is past the end of the calendar") from None
    return events


def _store_backups(contents: Cloud, backups: list[Backup]) -> None:
    """Store in list order (`order`), keeping each backup's `order` so a re-export is
    byte-identical. Orders that are missing or repeated are renumbered in list order."""
    given = [b.order for b in backups]
    keep = all(o > 0 for o in given) and len(set(given)) == len(given)
    ranked = sorted(range(len(backups)), key=lambda n: (given[n], n)) if keep else None
    for n in ranked if ranked is not None else range(len(backups)):
        contents.store_backup(backups[n])  # numbers 1, 2, ... in this order
    if ranked is not None:
        for n in ranked:
            backups[n].order = given[n]
        contents._order = itertools.count(max(given, default=0) + 1)
    # Several copies of one backup in one region: the newest is the one copy_in finds.
    for backup in sorted(backups, key=lambda b: (b.created, b.order)):
        contents.copies.setdefault(backup.origin_id, {})[backup.region] = backup.id


# -- links between records ------------------------------------------------------------------
def _check_links(
    instances: list[tuple[str, Instance]],
    groups: list[tuple[str, HAGroup]],
    backups: list[tuple[str, Backup]],
) -> None:
    instance_ids = {i.id for _, i in instances}
    by_id = {b.id: (where, b) for where, b in backups}
    # An instance's `ha_id` may name a group the state lacks (the group went, its members
    # stayed): nothing reads it but the control API's view. A group's members are read.
    for where, instance in instances:
        _running_link(where, instance.running_backup, by_id)
    for where, group in groups:
        for member in group.members:
            if member not in instance_ids:
                raise ValueError(f"{where}.members: {member!r} names no instance of the state")
        _running_link(where, group.running_backup, by_id)
    for where, backup in backups:
        if backup.parent_id is None:
            continue
        found = by_id.get(backup.parent_id)
        if found is None:
            raise ValueError(
                f"{where}.parent_id {backup.parent_id!r} names no backup of the state"
            )
        parent = found[1]
        if (parent.project_id, parent.region) != (backup.project_id, backup.region):
            raise ValueError(
                f"{where}.parent_id {backup.parent_id!r} is a backup of another project or "
                "region"
            )
    _check_no_cycle(backups, by_id)


def _running_link(where: str, backup_id: str | None, by_id: dict[str, Any]) -> None:
    if backup_id is not None and backup_id not in by_id:
        raise ValueError(f"{where}.running_backup {backup_id!r} names no backup of the state")


def _check_no_cycle(
    backups: list[tuple[str, Backup]], by_id: dict[str, tuple[str, Backup]]
) -> None:
    """Every parent chain must end: a cycle would make deletes and restores loop forever."""
    done: set[str] = set()
    for where, backup in backups:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = backup.id
        while current is not None and current not in done:
            if current in on_path:
                raise ValueError(
                    f"{where}.parent_id: the parents of backup {backup.id} form a cycle "
                    f"({' -> '.join(path[path.index(current):] + [current])})"
                )
            on_path.add(current)
            path.append(current)
            current = by_id[current][1].parent_id
        done.update(path)


def _read(state: dict[str, Any], kind: str, read: Callable[[dict[str, Any], str], Any]) -> list:
    """[(place, record)] of one kind, each read by `read`; the same id twice is refused."""
    records = [(where, read(data, where)) for where, data in fields.items(state, kind)]
    seen: dict[str, str] = {}
    for where, record in records:
        key = record[0] if isinstance(record, tuple) else record.id
        if key in seen:
            what = "token" if kind == "tokens" else "id"
            raise ValueError(f"{where}: {what} {key!r} is also {seen[key]}")
        seen[key] = where
    return records


# -- out ----------------------------------------------------------------------------------
def _time(when: datetime) -> str:
    return when.isoformat()


def datastore_out(datastore: Datastore) -> dict[str, str]:
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
        "datastore": datastore_out(i.datastore),
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
        "access": i.access.view() if i.access is not None else None,
        "configuration_id": i.configuration_id,
        "restart_required": i.restart_required,
        "replica_of": i.replica_of,
    }


def _configuration_out(c: Configuration) -> dict[str, Any]:
    return {
        "id": c.id,
        "project_id": c.project_id,
        "region": c.region,
        "name": c.name,
        "description": c.description,
        "datastore": datastore_out(c.datastore),
        "values": dict(c.values),
        "created": _time(c.created),
        "updated": _time(c.updated),
    }


def _configuration_in(reader: _Reader, d: dict[str, Any], where: str) -> Configuration:
    datastore = reader.datastore(d, where)
    values = fields.need(d, "values", dict, where)
    try:
        check_values(values, datastore)
    except DomainError as error:
        raise ValueError(f"{where}.values: {error}") from None
    return Configuration(
        id=fields.text(d, "id", where),
        project_id=fields.text(d, "project_id", where),
        region=reader.region(d, where),
        name=fields.need(d, "name", str, where),
        description=fields.optional_text(d, "description", where),
        datastore=datastore,
        values=dict(values),
        created=fields.when(d, "created", where),
        updated=fields.when(d, "updated", where),
    )


def _group_out(g: HAGroup) -> dict[str, Any]:
    return {
        "id": g.id,
        "project_id": g.project_id,
        "region": g.region,
        "name": g.name,
        "status": g.status,
        "created": _time(g.created),
        "updated": _time(g.updated),
        "datastore": datastore_out(g.datastore),
        "volume_size": g.volume_size,
        "flavor_id": g.flavor_id,
        "members": list(g.members),
        "running_backup": g.running_backup,
    }


_BACKUP_PLAIN = tuple(
    f.name
    for f in dataclass_fields(Backup)
    if f.name not in ("created", "updated", "datastore", "contents", "copy_to", "generation")
)


def _backup_out(b: Backup) -> dict[str, Any]:
    data = {name: getattr(b, name) for name in _BACKUP_PLAIN}
    data.update(
        created=_time(b.created),
        updated=_time(b.updated),
        datastore=datastore_out(b.datastore),
        contents={
            "databases": list(b.contents.databases),
            "users": {name: list(dbs) for name, dbs in b.contents.users},
        },
        copy_to=list(b.copy_to),
    )
    return data


def _token_out(token: str, project_id: str | None, roles: tuple[str, ...]) -> dict[str, Any]:
    return {"token": token, "project_id": project_id, "roles": sorted(roles)}


# -- in -----------------------------------------------------------------------------------
class _Reader:
    """Reads typed fields of one record, naming the place of any refusal."""

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.datastores: set[tuple[str, str]] = set()

    def region(self, data: dict[str, Any], where: str) -> str:
        return fields.region(self.cloud, data, where)

    def datastore(self, data: dict[str, Any], where: str) -> Datastore:
        ds = fields.need(data, "datastore", dict, where)
        kind = fields.text(ds, "type", f"{where}.datastore")
        version = fields.text(ds, "version", f"{where}.datastore")
        self.datastores.add((kind, version))
        # The same value the cloud's registry makes; `install` swaps in the registered one.
        return Datastore(kind, version, stable_id("version", kind, version), stable_id(kind))


def _contents_in(data: dict[str, Any], where: str) -> Contents:
    databases = fields.names(data.get("databases"), f"{where}.databases")
    users = fields.need(data, "users", dict, where)
    grants = tuple(
        (name, fields.names(dbs, f"{where}.users[{name!r}]")) for name, dbs in users.items()
    )
    if not all(name for name, _ in grants):
        raise ValueError(f"{where}.users: a user name is empty")
    return Contents(databases, grants)


def _flavor(data: dict[str, Any], key: str, where: str) -> str | None:
    """A flavor id this cloud knows (None where the key is absent or null)."""
    flavor_id = fields.optional_id(data, key, where)
    if flavor_id is not None and flavor_id not in FLAVORS:
        raise ValueError(f"{where}.{key} {flavor_id!r} is not one of {', '.join(FLAVORS)}")
    return flavor_id


def _placed(reader: _Reader, d: dict[str, Any], where: str) -> dict[str, Any]:
    """The fields instances and HA groups share."""
    flavor_id = _flavor(d, "flavor_id", where)
    if flavor_id is None:
        raise ValueError(f"{where}.flavor_id is missing or has the wrong type")
    return {
        "id": fields.text(d, "id", where),
        "project_id": fields.text(d, "project_id", where),
        "region": reader.region(d, where),
        "name": fields.need(d, "name", str, where),
        "status": fields.one_of(d, "status", INSTANCE_STATUSES, where),
        "created": fields.when(d, "created", where),
        "updated": fields.when(d, "updated", where),
        "datastore": reader.datastore(d, where),
        "volume_size": fields.whole(d, "volume_size", where),
        "flavor_id": flavor_id,
        "running_backup": fields.optional_id(d, "running_backup", where),
    }


def _instance_in(reader: _Reader, d: dict[str, Any], where: str) -> Instance:
    contents = _contents_in(d, where)
    return Instance(
        **_placed(reader, d, where),
        used_gb=float(fields.number(d, "used_gb", where)),
        databases=list(contents.databases),
        users=dict(contents.users),
        ha_id=fields.optional_id(d, "ha_id", where),
        root_enabled=fields.flag(d, "root_enabled", where),
        service_reset=fields.flag(d, "service_reset", where),
        resize_flavor_id=_flavor(d, "resize_flavor_id", where),
        resize_volume_size=fields.whole(d, "resize_volume_size", where, optional=True),
        access=_access_in(d, where),
        configuration_id=fields.optional_id(d, "configuration_id", where),
        restart_required=bool(d.get("restart_required", False)),
        replica_of=fields.optional_id(d, "replica_of", where),
    )


def _access_in(d: dict[str, Any], where: str) -> Access | None:
    value = d.get("access")
    if value is None:
        return None
    try:
        return check_access(value)
    except DomainError as error:
        raise ValueError(f"{where}.access: {error}") from None


def _group_in(reader: _Reader, d: dict[str, Any], where: str) -> HAGroup:
    return HAGroup(
        **_placed(reader, d, where),
        members=list(fields.names(d.get("members"), f"{where}.members")),
    )


def _backup_in(reader: _Reader, d: dict[str, Any], where: str) -> Backup:
    backup_id = fields.text(d, "id", where)
    copy_to = d.get("copy_to") or []
    backup = Backup(
        id=backup_id,
        project_id=fields.text(d, "project_id", where),
        region=reader.region(d, where),
        name=fields.need(d, "name", str, where),
        description=fields.optional_text(d, "description", where),
        status=fields.one_of(d, "status", BACKUP_STATUSES, where),
        created=fields.when(d, "created", where),
        updated=fields.when(d, "updated", where),
        datastore=reader.datastore(d, where),
        instance_id=fields.optional_id(d, "instance_id", where),
        parent_id=fields.optional_id(d, "parent_id", where),
        contents=_contents_in(fields.need(d, "contents", dict, where), f"{where}.contents"),
        size=fields.number(d, "size", where, optional=True),
        location_ref=fields.optional_text(d, "location_ref", where),
        source_type=fields.one_of(d, "source_type", ("instance", "ha"), where)
        if "source_type" in d
        else "instance",
        source_id=fields.optional_id(d, "source_id", where),
        flavor_ram=fields.whole(d, "flavor_ram", where, optional=True),
        volume_size=fields.whole(d, "volume_size", where, optional=True),
        is_automated=fields.flag(d, "is_automated", where),
        swift_container=fields.optional_text(d, "swift_container", where),
        used_gb=float(fields.number(d, "used_gb", where)) if "used_gb" in d else 0.0,
        outcome=fields.one_of(d, "outcome", ("COMPLETED", "FAILED"), where)
        if "outcome" in d
        else "COMPLETED",
        copy_to=tuple(
            reader.region({"region": r}, f"{where}.copy_to") for r in _list(copy_to, where)
        ),
        origin_id=fields.optional_id(d, "origin_id", where) or backup_id,
        schedule_id=fields.optional_id(d, "schedule_id", where),
        pinned=fields.flag(d, "pinned", where),
        new_seconds=fields.seconds(d, "new_seconds", where),
        building_seconds=fields.seconds(d, "building_seconds", where),
        order=fields.whole(d, "order", where, optional=True) or 0,
        deleting=fields.flag(d, "deleting", where),
    )
    if backup.size is not None:
        backup.size = float(backup.size)
    return backup


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{where}.copy_to must be a list")
    return value


def _token_in(d: dict[str, Any], where: str) -> tuple[str, str | None, tuple[str, ...]]:
    token = fields.text(d, "token", where)
    project_id = fields.optional_id(d, "project_id", where)
    roles = fields.names(d.get("roles", []), f"{where}.roles")
    return token, project_id, roles
