"""Backup rules: create (full, incremental, HA, restore_from), show, list, cascade delete,
and the NEW -> BUILDING -> COMPLETED/FAILED lifecycle driven by the clock."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import islice

from trovemock.clock import check_seconds
from trovemock.config import Config
from trovemock.fidelity import upstream
from trovemock.model import copies, data, strategies
from trovemock.model.access import (
    Caller,
    refusal_noted,
    require_available,
    visible_backup,
    visible_group,
    visible_instance,
)
from trovemock.model.catalog import FLAVORS
from trovemock.model.cloud import Cloud, Event
from trovemock.model.copies import location_of
from trovemock.model.entities import BACKUP_STATUSES, RUNNING, Backup, BackupRequest, Instance
from trovemock.model.errors import (
    BadRequest,
    Forbidden,
    NotFound,
    OverLimit,
    Unprocessable,
    UpstreamBug,
    not_found,
)

SHELL_SAFE = re.compile(r"^[A-Za-z0-9_@%+=:,./-]*$")

# Told when a scheduled backup reaches its final status. The schedules module, which builds
# on this one, adds its retention rule here when it is imported: a backup with a schedule_id
# exists only once it is, and this module never imports it back.
FINAL_LISTENERS: list[Callable[[Cloud, Backup], None]] = []


def list_backups(
    cloud: Cloud,
    caller: Caller,
    *,
    instance_id: str | None = None,
    datastore: str | None = None,
    project_id: str | None = None,
    all_projects: bool = False,
    ha_id: str | None = None,
) -> Iterable[Backup]:
    """Backups newest first. `project_id` and `all_projects` need the admin role."""
    if project_id is not None or all_projects:
        if not caller.is_admin:
            raise Forbidden("Policy doesn't allow backup:index:all_projects to be performed.")
    scope: str | None = caller.project_id
    if project_id is not None:  # project_id wins over all_projects, as in Trove
        scope = project_id
    elif all_projects:
        scope = None
    if scope is not None and datastore is None and instance_id is None and ha_id is None:
        return cloud.newest_first_list(caller.region, scope)
    found: Iterator[Backup] = cloud.newest_first(caller.region, scope)
    if datastore is not None:
        kind = cloud.datastores.type_named(datastore)
        if kind is None:
            raise NotFound(f"Datastore '{datastore}' cannot be found.")
        found = (b for b in found if b.datastore.type == kind)
    if instance_id is not None:
        found = (b for b in found if b.instance_id == instance_id)
    if ha_id is not None:
        found = (b for b in found if b.source_type == "ha" and b.source_id == ha_id)
    return found


def instance_backups(cloud: Cloud, caller: Caller, instance_id: str) -> Iterator[Backup]:
    visible_instance(cloud, caller, instance_id)  # 404 unless the caller sees it
    scope = None if caller.is_admin else caller.project_id
    return (b for b in cloud.newest_first(caller.region, scope) if b.instance_id == instance_id)


# -- creating -------------------------------------------------------------------------
def create_backup(cloud: Cloud, caller: Caller, req: BackupRequest) -> Backup:
    """Checks run in Trove's order; nothing is stored unless every check passes, but a
    refusal once the instance is looked up is noted as that instance's fault (openstack),
    as Trove's notification of the failed create does."""
    if req.swift_container is not None and not SHELL_SAFE.match(req.swift_container):
        raise BadRequest(f"The value is not allowed: {req.swift_container}.")
    if req.copy_to is not None:
        copies.check_regions(cloud, caller.region, req.copy_to)
    if req.source_type is None and req.instance_id is None:
        raise BadRequest("instance is missing.")
    with refusal_noted(cloud, req.instance_id):
        return _create_backup(cloud, caller, req)


def _create_backup(cloud: Cloud, caller: Caller, req: BackupRequest) -> Backup:
    now = cloud.time
    source = _source(cloud, caller, req)
    parent_id = req.parent_id
    if parent_id is not None:
        parent = cloud.backups.get(parent_id)
        if parent is None or not caller.sees(parent):  # an admin may name any project's backup
            raise not_found(parent_id)
        if req.copy_to:
            copies.check_parent_copied(cloud, parent, req.copy_to)
    elif req.incremental and isinstance(source, Instance):
        parent_id = _last_completed(cloud, caller, source.id)
    _check_quota(cloud, caller)

    if isinstance(source, Instance):
        instance_id, contents = source.id, source.contents()
        source_type, used_gb = "instance", source.used_gb
    else:
        replica = cloud.instances[source.members[-1]]
        instance_id, contents = None, replica.contents()
        source_type, used_gb = "ha", replica.used_gb
    swift_container = req.swift_container
    if swift_container is None and req.instance_id is not None:
        swift_container = strategies.container_for(cloud, caller, req.instance_id)
    backup_id = str(uuid.uuid4())
    backup = Backup(
        id=backup_id,
        project_id=caller.project_id,
        region=caller.region,
        name=req.name,
        description=req.description,
        status="NEW",
        created=now,
        updated=now,
        datastore=source.datastore,
        instance_id=instance_id,
        parent_id=parent_id,
        contents=contents,
        source_type=source_type,
        source_id=source.id,
        flavor_ram=_flavor_ram(source.flavor_id),
        volume_size=source.volume_size,
        is_automated=req.schedule_id is not None,
        swift_container=swift_container,
        used_gb=used_gb,
        outcome="FAILED" if req.fail else "COMPLETED",
        copy_to=tuple(req.copy_to or ()),
        origin_id=backup_id,
        schedule_id=req.schedule_id,
    )
    schedule_lifecycle(cloud, backup)  # first: it is the step that computes times
    cloud.store_backup(backup)
    source.running_backup = backup_id
    data.start_backup(cloud, backup, _finish_with_data)
    return backup


def _finish_with_data(cloud: Cloud, backup: Backup, status: str) -> None:
    """A backup whose emulated time ran out before its tool finished ends now."""
    if backup.status in RUNNING:
        if backup.size is None:
            backup.size = backup.used_gb
        _set_final(cloud, backup, status, cloud.time)


def create_restored_backup(
    cloud: Cloud,
    caller: Caller,
    *,
    name: str,
    description: str | None,
    remote_location: str,
    version_id: str,
    size: float,
) -> Backup:
    """openstack `restore_from`: register a backup stored elsewhere (status RESTORED)."""
    now = cloud.time
    datastore = cloud.datastores.find_version(version_id)
    if datastore is None:
        raise BadRequest(f"Datastore version '{version_id}' cannot be found.")
    _check_quota(cloud, caller)
    backup_id = str(uuid.uuid4())
    backup = Backup(
        id=backup_id,
        project_id=caller.project_id,
        region=caller.region,
        name=name,
        description=description,
        status="RESTORED",
        created=now,
        updated=now,
        datastore=datastore,
        instance_id=None,
        parent_id=None,
        size=float(size),
        location_ref=remote_location,
        source_type="instance",
        used_gb=float(size),
        origin_id=backup_id,
        pinned=True,
    )
    cloud.store_backup(backup)
    return backup


def _source(cloud: Cloud, caller: Caller, req: BackupRequest):
    """The instance or HA group to back up, checked for existence and availability."""
    if req.source_type == "ha":
        if req.instance_id is not None:
            raise BadRequest("instance must be empty for a backup of an HA instance.")
        group = visible_group(cloud, caller, req.source_id or "")
        require_available(cloud, group)
        return group
    instance_id = req.instance_id
    if req.source_type == "instance" and req.source_id is not None:
        if instance_id is not None and instance_id != req.source_id:
            raise BadRequest("instance and source.id name different instances.")
        instance_id = req.source_id
    if instance_id is None:
        raise BadRequest("instance is missing.")
    instance = cloud.instances.get(instance_id)
    if instance is None or not caller.sees(instance):  # an admin backs up any project's one
        raise not_found(instance_id)
    require_available(cloud, instance)
    return instance


def _last_completed(cloud: Cloud, caller: Caller, instance_id: str) -> str | None:
    """Trove's parent auto-pick: the newest COMPLETED backup on the instance's first page."""
    scope = None if caller.is_admin else caller.project_id
    mine = (b for b in cloud.newest_first(caller.region, scope) if b.instance_id == instance_id)
    for backup in islice(mine, cloud.config.page_size):
        if backup.status == "COMPLETED":
            return backup.id
    return None


def _check_quota(cloud: Cloud, caller: Caller) -> None:
    quota = cloud.config.backup_quota
    if quota < 0:
        return
    project = cloud.existing_project(caller.region, caller.project_id)
    if project is None:
        return
    live = len(project.backups)
    if upstream(cloud.config, "async_delete"):  # a pending delete frees its quota at once
        live -= sum(1 for b in project.backups.values() if b.deleting)
    if live >= quota:
        raise OverLimit("Quota exceeded for resources: ['backups'].")


def _flavor_ram(flavor_id: str) -> int | None:
    flavor = FLAVORS.get(flavor_id)
    return flavor.ram if flavor else None


# -- lifecycle --------------------------------------------------------------------------
def lifecycle_times(config: Config, backup: Backup) -> tuple[datetime, datetime]:
    """When the backup turns BUILDING and when it ends (its own durations, else the
    config's), counted from its creation."""
    new_s = backup.new_seconds if backup.new_seconds is not None else config.backup_new_seconds
    build_s = (
        backup.building_seconds
        if backup.building_seconds is not None
        else config.backup_building_seconds
    )
    building_at = Cloud.later(backup.created, new_s)
    return building_at, Cloud.later(building_at, build_s)


def schedule_lifecycle(cloud: Cloud, backup: Backup) -> None:
    cloud.schedule(pending(cloud, backup))  # computed before any change: it may overflow


def pending(cloud: Cloud, backup: Backup) -> list[Event]:
    """The timed transitions ahead of a backup made here: NEW -> BUILDING -> final while it
    runs (unless forced), and, upstream fidelity, the taskmanager's removal once it is
    marked deleting. A copy follows this lifecycle only once given its own durations
    (`set_durations`); until then its arrival is `copies.pending`'s."""
    events: list[Event] = []
    if backup.deleting:
        events.append(_delete_event(cloud, backup, fail=False))
    if backup.pinned or backup.status not in RUNNING or copies.arrives_by_itself(backup):
        return events
    building_at, done_at = lifecycle_times(cloud.config, backup)
    args = (cloud, backup, backup.generation)
    if backup.status == "NEW":
        events.append((building_at, _start_building, args, backup))
    events.append((done_at, _finish, args, backup))
    return events


def _delete_event(cloud: Cloud, backup: Backup, *, fail: bool) -> Event:
    due = cloud.later(cloud.time, cloud.config.delete_seconds)
    return (due, _finish_delete, (cloud, backup, backup.generation, fail), backup)


def _start_building(when: datetime, cloud: Cloud, backup: Backup, generation: int) -> None:
    if backup.generation != generation or backup.status != "NEW":
        return
    backup.status = "BUILDING"
    backup.size = backup.used_gb
    cloud.touch(backup, when)


def _finish(when: datetime, cloud: Cloud, backup: Backup, generation: int) -> None:
    if backup.generation != generation or backup.status not in RUNNING:
        return
    if not data.finishes_now(backup):  # its tool still runs: it ends when the tool does
        return
    if backup.size is None:
        backup.size = backup.used_gb
    _set_final(cloud, backup, backup.outcome, when)


def _set_final(cloud: Cloud, backup: Backup, status: str, when: datetime) -> None:
    backup.status = status
    if status in ("COMPLETED", "RESTORED") and backup.location_ref is None:
        backup.location_ref = location_of(cloud, backup)
    _release_source(cloud, backup)
    cloud.touch(backup, when)
    if status == "COMPLETED" and backup.copy_to:
        for region in backup.copy_to:
            copy = copies.make_copy(cloud, backup, region, when)
            copy.is_automated, copy.schedule_id = backup.is_automated, backup.schedule_id
    if backup.schedule_id is not None:
        for listener in FINAL_LISTENERS:
            listener(cloud, backup)


def _release_source(cloud: Cloud, backup: Backup) -> None:
    owner = _owner(cloud, backup)
    if owner is not None and owner.running_backup == backup.id:
        owner.running_backup = None


def _owner(cloud: Cloud, backup: Backup):
    if backup.source_type == "ha":
        return cloud.ha_groups.get(backup.source_id or "")
    return cloud.instances.get(backup.instance_id or "")


def fail_running_backups(cloud: Cloud, instance: Instance) -> list[Backup]:
    """Trove's `fail_for_instance` (reset_status): every NEW, BUILDING or SAVING backup of
    the instance becomes FAILED, at once; the others are untouched."""
    now = cloud.time
    failed = [b for b in cloud.backups.values() if b.instance_id == instance.id and b.running]
    for backup in failed:
        backup.generation += 1
        _set_final(cloud, backup, "FAILED", now)
    return failed


# -- deleting ---------------------------------------------------------------------------
def delete_backup(cloud: Cloud, caller: Caller, backup_id: str, *, fail: bool = False) -> None:
    """Delete a backup and every descendant, or nothing at all if any of them is running.
    `fail` (a fault rule) leaves the backup itself listed as DELETE_FAILED."""
    now = cloud.time
    backup = visible_backup(cloud, caller, backup_id)
    if upstream(cloud.config, "async_delete"):
        _delete_depth_first(cloud, caller, backup, fail)
        return
    if backup.running:
        raise Unprocessable(f"Backup {backup.id} cannot be deleted because it is running.")
    descendants = descendants_of(cloud, backup.id)
    for child in descendants:
        if child.running:
            raise Unprocessable(f"Backup {child.id} cannot be deleted because it is running.")
    for child in reversed(descendants):
        cloud.drop_backup(child)
    if fail:
        backup.status = "DELETE_FAILED"
        backup.generation += 1
        cloud.touch(backup, now)
    else:
        cloud.drop_backup(backup)


def _delete_depth_first(cloud: Cloud, caller: Caller, backup: Backup, fail: bool) -> None:
    """Trove 26.0.0's Backup.delete: each child first (depth first, in creation order), then
    the backup itself; a running one crashes the request (a naive/aware datetime
    subtraction) and what was marked before stays marked. Marked backups stay listed until
    the taskmanager removes them, `config.delete_seconds` later (deviation async_delete)."""
    for child_id in list(cloud.children.get(backup.id, ())):
        child = cloud.backups.get(child_id)
        if child is not None and not child.deleting and caller.sees(child):
            _delete_depth_first(cloud, caller, child, fail)
    if backup.running:
        raise UpstreamBug("Backup.delete: can't subtract offset-naive and offset-aware datetimes")
    if backup.deleting:
        return
    event = _delete_event(cloud, backup, fail=fail)
    backup.deleting = True
    cloud.schedule([event])


def _finish_delete(when: datetime, cloud: Cloud, backup: Backup, generation: int,
                   fail: bool) -> None:
    if backup.generation != generation or backup.id not in cloud.backups:
        return
    if fail:
        backup.deleting = False
        backup.status = "DELETE_FAILED"
        backup.generation += 1
        cloud.touch(backup, when)
    else:
        cloud.drop_backup(backup)


def descendants_of(cloud: Cloud, backup_id: str) -> list[Backup]:
    """Every backup below this one, parents before children (iterative: chains of any
    depth)."""
    found: list[Backup] = []
    stack = list(reversed(cloud.children.get(backup_id, ())))
    while stack:
        child = cloud.backups[stack.pop()]
        found.append(child)
        stack.extend(reversed(cloud.children.get(child.id, ())))
    return found


# -- forcing (test control) ---------------------------------------------------------------
def force_status(cloud: Cloud, backup_id: str, status: str) -> Backup:
    """Set a status at once; the backup then stays there until told otherwise."""
    if status not in BACKUP_STATUSES:
        raise ValueError(
            f"{status!r} is not a status the real service shows; use one of "
            f"{', '.join(BACKUP_STATUSES)}"
        )
    now = cloud.time
    backup = cloud.backups.get(backup_id)
    if backup is None:
        raise KeyError(backup_id)
    owner = _owner(cloud, backup)
    if status in RUNNING and owner is not None:
        other = cloud.backups.get(owner.running_backup or "")
        if other is not None and other is not backup and other.running:
            kind = "HA instance" if backup.source_type == "ha" else "instance"
            raise ValueError(
                f"{kind} {owner.id} already runs backup {other.id} ({other.status}); one "
                f"backup runs at a time, so backup {backup.id} cannot be {status} too. "
                f"Force {other.id} to COMPLETED or FAILED first."
            )
    backup.generation += 1
    backup.pinned = True
    if status != "NEW" and backup.size is None:
        backup.size = backup.used_gb
    if status in RUNNING:
        backup.status = status
        if owner is not None:
            owner.running_backup = backup.id
        cloud.touch(backup, now)
    else:
        _set_final(cloud, backup, status, now)
    return backup


def set_durations(
    cloud: Cloud,
    backup_id: str,
    new_seconds: float | None = None,
    building_seconds: float | None = None,
) -> Backup:
    """Override one backup's NEW and BUILDING durations, counted from its creation (each a
    number of seconds from 0 to about 100 years)."""
    checked = {}
    for label, value in (("new_seconds", new_seconds), ("building_seconds", building_seconds)):
        if value is not None:
            try:
                checked[label] = check_seconds(value, label)
            except TypeError as error:
                raise ValueError(str(error)) from None
    backup = cloud.backups.get(backup_id)
    if backup is None:
        raise KeyError(backup_id)
    for label, value in checked.items():
        setattr(backup, label, value)
    if backup.running and not backup.pinned:
        backup.generation += 1
        schedule_lifecycle(cloud, backup)
        cloud.catch_up()  # a shortened duration may already be over
    return backup
