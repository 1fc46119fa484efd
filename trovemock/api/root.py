"""Handlers of the root user routes (`/instances/{id}/root`)."""

from __future__ import annotations

from typing import Any

from trovemock.api.context import Ctx
from trovemock.model import instances as model

Reply = tuple[int, Any]


def enable(ctx: Ctx) -> Reply:
    name, password = model.enable_root(
        ctx.cloud, ctx.caller, ctx.args["instance_id"], ctx.body.get("password")
    )
    return 200, {"user": {"name": name, "password": password}}


def show(ctx: Ctx) -> Reply:
    return 200, {"rootEnabled": model.root_enabled(ctx.cloud, ctx.caller, ctx.args["instance_id"])}


def disable(ctx: Ctx) -> Reply:
    ctx.only_in("openstack", "DELETE /instances/{instanceId}/root")
    model.disable_root(ctx.cloud, ctx.caller, ctx.args["instance_id"])
    return 204, None
