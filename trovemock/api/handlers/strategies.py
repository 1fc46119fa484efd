"""Handlers of Trove's backup strategies (`/backup_strategies`); the rules are in
`trovemock.model.strategies`."""

from __future__ import annotations

from typing import Any

from trovemock.api.context import Ctx
from trovemock.api.views import strategy_view
from trovemock.model import strategies as model

Reply = tuple[int, Any]
FEATURE = "Backup strategies (/backup_strategies)"


def create(ctx: Ctx) -> Reply:
    ctx.only_in("openstack", FEATURE)
    body = ctx.body["backup_strategy"]
    strategy = model.put_strategy(
        ctx.cloud, ctx.caller, body["swift_container"], body.get("instance_id")
    )
    return 202, {"backup_strategy": strategy_view(strategy)}


def list_(ctx: Ctx) -> Reply:
    """All of them at once: Trove pages nothing here."""
    ctx.only_in("openstack", FEATURE)
    found = model.list_strategies(
        ctx.cloud,
        ctx.caller,
        instance_id=ctx.query.get("instance_id"),
        project_id=ctx.query.get("project_id"),
    )
    return 200, {"backup_strategies": [strategy_view(s) for s in found]}


def delete(ctx: Ctx) -> Reply:
    ctx.only_in("openstack", FEATURE)
    model.delete_strategy(
        ctx.cloud,
        ctx.caller,
        instance_id=ctx.query.get("instance_id"),
        project_id=ctx.query.get("project_id"),
    )
    return 202, None
