"""Cross-region backup copies (Rackspace): `copy_to` on create and the `copy-backup` action."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from trovemock.model.catalog import COPY_REGIONS
from trovemock.model.entities import Backup
from trovemock.model.errors import BadRequest, Unprocessable

if TYPE_CHECKING:
    from trovemock.model.backups import Caller
    from trovemock.model.cloud import Cloud


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
    if status == "BUILDING":  # scheduled first: computing the due time is what may fail
        cloud.timeline.at(
            cloud.later(when, cloud.config.copy_seconds), _finish_copy, cloud, copy, 0
        )
    cloud.store_backup(copy)
    return copy


def _finish_copy(when: datetime, cloud: Cloud, copy: Backup, generation: int) -> None:
    if copy.generation != generation or copy.status != "BUILDING":
        return
    from trovemock.model.backups import location_of

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
    from trovemock.model.backups import visible_backup

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
