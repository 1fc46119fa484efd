"""Handlers of the HA instance routes (rackspace): list and show."""

from __future__ import annotations

from typing import Any

from trovemock.api.context import Ctx, page
from trovemock.api.views import ha_summary_view, ha_view
from trovemock.model import ha as model
from trovemock.model.access import instance_status, visible_group

Reply = tuple[int, Any]


def list_(ctx: Ctx) -> Reply:
    ctx.only_in("rackspace", "GET /ha")
    groups = model.list_groups(ctx.cloud, ctx.caller)
    return 200, page(
        ctx, groups, lambda g: ha_summary_view(g, instance_status(ctx.cloud, g)), "ha_instances"
    )


def show(ctx: Ctx) -> Reply:
    ctx.only_in("rackspace", "GET /ha/{haId}")
    group = visible_group(ctx.cloud, ctx.caller, ctx.args["ha_id"])
    return 200, {"ha_instance": ha_view(ctx.cloud, group, ctx.base_url, ctx.caller.project_id)}
