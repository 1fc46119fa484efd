"""Cross-region backup copies (Rackspace): `copy_to` on create and the `copy-backup` action."""

from __future__ import annotations

import uuid
from datetime import datetime

from trovemock.model import data
from trovemock.model.access import Caller, visible_backup
from trovemock.model.catalog import COPY_REGIONS
from trovemock.model.cloud import Cloud, Event
from trovemock.model.entities import Backup
from trovemock.model.errors import BadRequest, Unprocessable


def check_regions(cloud: Cloud, source_region: str, regions: object) -> tuple[str, ...]:
    """The destinations must be a list of supported regions other than the source's."""
    if not isinstance(regions, list | tuple):
        raise BadRequest("copy_to must be a list of regions.")
    if source_region not in COPY_REGIONS:
        raise BadRequest(f"Backups cannot be copied from region {source_region}.")
    checked: list[str] = []
    for region in regions:
        if not isinstance(region, str):
            raise BadRequest("copy_to must be a list of region names.")
        name = region.upper()
        if name == "LON":
            raise BadRequest("Backups cannot be copied to region LON: it is not supported.")
        if name not in COPY_REGIONS:
            raise BadRequest(
                f"Unknown region {region!r} in copy_to; use one of {', '.join(COPY_REGIONS)}."
            )
        if name == source_region:
            raise BadRequest(f"A backup cannot be copied to its own region {name}.")
        if name not in checked:
            checked.append(name)
    return tuple(checked)


def copy_in(cloud: Cloud, backup: Backup, region: str) -> Backup | None:
    """The live backup in `region` that holds the same data as `backup`, if any."""
    if backup.region == region:
        return backup
    found = cloud.copies.get(backup.origin_id, {}).get(region)
    return cloud.backups.get(found) if found else None


def check_parent_copied(cloud: Cloud, parent: Backup, regions: tuple[str, ...] | list) -> None:
    for region in regions:
        if copy_in(cloud, parent, region.upper()) is None:
            raise BadRequest(
                f"The parent backup {parent.id} of this incremental backup is not found "
                f"in the destination region {region.upper()}; copy the parent first."
            )


def make_copy(
    cloud: Cloud,
    source: Backup,
    region: str,
    when: datetime,
    *,
    name: str | None = None,
    description: str | None = None,
) -> Backup:
    """A new, independent backup in `region`: BUILDING now, COMPLETED after copy_seconds."""
    parent_id = None
    status = "BUILDING"
    if source.parent_id is not None:
        parent = cloud.backups.get(source.parent_id)
        parent_copy = copy_in(cloud, parent, region) if parent else None
        if parent_copy is None:
            status = "FAILED"  # the parent's copy vanished between request and completion
        else:
            parent_id = parent_copy.id
    copy_id = str(uuid.uuid4())
    copy = Backup(
        id=copy_id,
        project_id=source.project_id,
        region=region,
        name=name if name is not None else source.name,
        description=description if description is not None else source.description,
        status=status,
        created=when,
        updated=when,
        datastore=source.datastore,
        instance_id=source.instance_id,
        parent_id=parent_id,
        contents=source.contents,
        size=source.size,
        source_type=source.source_type,
        source_id=source.source_id,
        flavor_ram=source.flavor_ram,
        volume_size=source.volume_size,
        used_gb=source.used_gb,
        origin_id=source.origin_id,
    )
    cloud.schedule(pending(cloud, copy))  # first: computing the due time is what may fail
    cloud.store_backup(copy)
    data.share_object(cloud, source, copy)
    return copy


def arrives_by_itself(backup: Backup) -> bool:
    """A copy arrives `copy_seconds` after it was made, unless a test set its durations."""
    return (
        backup.origin_id != backup.id
        and backup.new_seconds is None
        and backup.building_seconds is None
    )


def pending(cloud: Cloud, copy: Backup) -> list[Event]:
    """A copy on its way (BUILDING, not forced) arrives `copy_seconds` after it was made."""
    if not arrives_by_itself(copy) or copy.pinned or copy.status not in ("NEW", "BUILDING"):
        return []
    due = cloud.later(copy.created, cloud.config.copy_seconds)
    return [(due, _finish_copy, (cloud, copy, copy.generation), copy)]


def _finish_copy(when: datetime, cloud: Cloud, copy: Backup, generation: int) -> None:
    if copy.generation != generation or copy.status != "BUILDING":
        return
    copy.status = "COMPLETED"
    copy.location_ref = location_of(cloud, copy)
    cloud.touch(copy, when)


def copy_backup(
    cloud: Cloud,
    caller: Caller,
    backup_id: str,
    *,
    target_region: str,
    name: str | None = None,
    description: str | None = None,
) -> Backup:
    """The `copy-backup` action: the source must be COMPLETED."""
    now = cloud.time
    source = visible_backup(cloud, caller, backup_id)
    (region,) = check_regions(cloud, caller.region, [target_region])
    if source.status != "COMPLETED":
        raise Unprocessable(
            f"Backup {source.id} cannot be copied because it is not completed "
            f"(status was {source.status})."
        )
    if source.parent_id is not None:
        parent = cloud.backups.get(source.parent_id)
        if parent is None:
            raise BadRequest(f"The parent backup {source.parent_id} no longer exists.")
        check_parent_copied(cloud, parent, [region])
    return make_copy(cloud, source, region, now, name=name, description=description)


def location_of(cloud: Cloud, backup: Backup) -> str:
    """Where the backup's object lives, in each dialect's documented shape."""
    if cloud.dialect == "rackspace":
        return (
            f"https://snet-storage101.{backup.region.lower()}1.clouddrive.com/v1/"
            f"MossoCloudFS_{backup.project_id}/z_CLOUDDB_BACKUPS/{backup.id}.xbstream.gz"
        )
    container = backup.swift_container or "database_backups"
    return f"http://127.0.0.1:8080/v1/AUTH_{backup.project_id}/{container}/{backup.id}.xbstream.gz"
