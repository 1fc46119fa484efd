"""Handlers of the backup routes. Each parses, calls one model operation, renders."""

from __future__ import annotations

from typing import Any

from trovemock.api.context import Ctx, Reply, page
from trovemock.api.views import backup_view
from trovemock.exchange import OUTCOME_BACKUP_FAILED, OUTCOME_DELETE_FAILED
from trovemock.model import backups as model
from trovemock.model import copies
from trovemock.model.access import visible_backup, visible_group
from trovemock.model.entities import BackupRequest
from trovemock.model.errors import NotImplementedForDialect

OPENSTACK_ONLY_FIELDS = ("swift_container", "restore_from")
RACKSPACE_ONLY_FIELDS = ("copy_to", "source")
OPENSTACK_ONLY_FILTERS = ("instance_id", "all_projects", "project_id")


def create(ctx: Ctx) -> Reply:
    body = ctx.body["backup"]
    _refuse_other_dialect_fields(ctx, body)
    caller = ctx.caller
    restore_from = body.get("restore_from")
    if restore_from is not None:
        backup = model.create_restored_backup(
            ctx.cloud,
            caller,
            name=body["name"],
            description=body.get("description"),
            remote_location=restore_from["remote_location"],
            version_id=restore_from["local_datastore_version_id"],
            size=restore_from["size"],
        )
        return 202, {"backup": backup_view(backup, ctx.dialect)}
    source = body.get("source") or {}
    request = BackupRequest(
        name=body["name"],
        description=body.get("description"),
        instance_id=body.get("instance"),
        parent_id=body.get("parent_id"),
        incremental=body.get("incremental") == 1,
        swift_container=body.get("swift_container"),
        source_type=source.get("type"),
        source_id=source.get("id"),
        copy_to=tuple(body["copy_to"]) if body.get("copy_to") is not None else None,
        fail=ctx.outcome == OUTCOME_BACKUP_FAILED,
    )
    backup = model.create_backup(ctx.cloud, caller, request)
    return 202, {"backup": backup_view(backup, ctx.dialect)}


def _refuse_other_dialect_fields(ctx: Ctx, body: dict[str, Any]) -> None:
    other = RACKSPACE_ONLY_FIELDS if ctx.dialect == "openstack" else OPENSTACK_ONLY_FIELDS
    for field in other:
        if field in body:
            raise NotImplementedForDialect(
                f"The backup field {field!r} is not implemented by the {ctx.dialect} API."
            )
    # python-troveclient always sends `incremental: 0`, so only a real request for an
    # incremental backup by that flag is refused in the rackspace dialect.
    if ctx.dialect == "rackspace" and body.get("incremental") not in (None, 0, False):
        raise NotImplementedForDialect(
            "The backup field 'incremental' is not implemented by the rackspace API; "
            "send parent_id to make an incremental backup."
        )


def list_(ctx: Ctx) -> Reply:
    if ctx.dialect == "rackspace":
        for name in OPENSTACK_ONLY_FILTERS:
            if name in ctx.query:
                raise NotImplementedForDialect(
                    f"The list filter {name!r} is not implemented by the rackspace API."
                )
    found = model.list_backups(
        ctx.cloud,
        ctx.caller,
        instance_id=ctx.query.get("instance_id"),
        datastore=ctx.query.get("datastore"),
        project_id=ctx.query.get("project_id"),
        all_projects=ctx.query_bool("all_projects"),
    )
    return 200, page(ctx, found, lambda b: backup_view(b, ctx.dialect), "backups")


def show(ctx: Ctx) -> Reply:
    backup = visible_backup(ctx.cloud, ctx.caller, ctx.args["backup_id"])
    return 200, {"backup": backup_view(backup, ctx.dialect)}


def delete(ctx: Ctx) -> Reply:
    model.delete_backup(
        ctx.cloud,
        ctx.caller,
        ctx.args["backup_id"],
        fail=ctx.outcome == OUTCOME_DELETE_FAILED,
    )
    return 202, None


def of_instance(ctx: Ctx) -> Reply:
    found = model.instance_backups(ctx.cloud, ctx.caller, ctx.args["instance_id"])
    return 200, page(ctx, found, lambda b: backup_view(b, ctx.dialect), "backups")


def action(ctx: Ctx) -> Reply:
    body = ctx.body["copy-backup"]
    copies.copy_backup(
        ctx.cloud,
        ctx.caller,
        ctx.args["backup_id"],
        target_region=body["target_backup_region"],
        name=body.get("name"),
        description=body.get("description"),
    )
    return 202, None


def of_ha(ctx: Ctx) -> Reply:
    group = visible_group(ctx.cloud, ctx.caller, ctx.args["ha_id"])
    found = model.list_backups(ctx.cloud, ctx.caller, ha_id=group.id)
    return 200, page(ctx, found, lambda b: backup_view(b, ctx.dialect), "backups")
