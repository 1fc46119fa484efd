"""Handlers of the HA instance routes (rackspace): list and show."""

from __future__ import annotations

from trovemock.api.context import Ctx, Reply, page
from trovemock.api.views import ha_summary_view, ha_view
from trovemock.model import ha as model
from trovemock.model.access import instance_status, visible_group


def list_(ctx: Ctx) -> Reply:
    groups = model.list_groups(ctx.cloud, ctx.caller)
    return 200, page(
        ctx, groups, lambda g: ha_summary_view(g, instance_status(ctx.cloud, g)), "ha_instances"
    )


def show(ctx: Ctx) -> Reply:
    group = visible_group(ctx.cloud, ctx.caller, ctx.args["ha_id"])
    return 200, {"ha_instance": ha_view(ctx.cloud, group, ctx.base_url, ctx.caller.project_id)}
