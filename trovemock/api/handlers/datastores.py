"""Handlers of the datastore routes: types and versions, each dialect's shape."""

from __future__ import annotations

from typing import Any

from trovemock.api.context import Ctx, Reply, link_base
from trovemock.api.views import datastore_type_view, datastore_version_view
from trovemock.model import datastores as model
from trovemock.model.entities import Datastore


def list_(ctx: Ctx) -> Reply:
    kinds = model.list_types(ctx.cloud)
    return 200, {"datastores": [_type(ctx, kind) for kind in kinds]}


def show(ctx: Ctx) -> Reply:
    return 200, {"datastore": _type(ctx, model.find_type(ctx.cloud, ctx.args["datastore_id"]))}


def versions(ctx: Ctx) -> Reply:
    kind = model.find_type(ctx.cloud, ctx.args["datastore_id"])
    return 200, {"versions": [_version(ctx, v) for v in kind.versions]}


def version(ctx: Ctx) -> Reply:
    found = model.find_version(ctx.cloud, ctx.args["datastore_id"], ctx.args["version_id"])
    return 200, {"version": _version(ctx, found)}


def version_by_id(ctx: Ctx) -> Reply:
    return 200, {"version": _version(ctx, model.version_by_id(ctx.cloud, ctx.args["version_id"]))}


def _type(ctx: Ctx, kind: model.DatastoreType) -> dict[str, Any]:
    return datastore_type_view(
        kind, ctx.dialect, link_base(ctx), ctx.caller.project_id, is_admin=_admin(ctx)
    )


def _version(ctx: Ctx, found: Datastore) -> dict[str, Any]:
    return datastore_version_view(
        found, ctx.dialect, link_base(ctx), ctx.caller.project_id, with_type=True,
        is_admin=_admin(ctx),
    )


def _admin(ctx: Ctx) -> bool:
    """Trove shows admins how each version is registered (openstack)."""
    return ctx.caller.is_admin and ctx.dialect == "openstack"
