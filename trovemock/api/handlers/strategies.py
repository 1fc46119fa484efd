"""Handlers of Trove's backup strategies (`/backup_strategies`); the rules are in
`trovemock.model.strategies`."""

from __future__ import annotations

from trovemock.api.context import Ctx, Reply
from trovemock.api.views import strategy_view
from trovemock.model import strategies as model


def create(ctx: Ctx) -> Reply:
    body = ctx.body["backup_strategy"]
    strategy = model.put_strategy(
        ctx.cloud, ctx.caller, body["swift_container"], body.get("instance_id")
    )
    return 202, {"backup_strategy": strategy_view(strategy)}


def list_(ctx: Ctx) -> Reply:
    """All of them at once: Trove pages nothing here."""
    found = model.list_strategies(
        ctx.cloud,
        ctx.caller,
        instance_id=ctx.query.get("instance_id"),
        project_id=ctx.query.get("project_id"),
    )
    return 200, {"backup_strategies": [strategy_view(s) for s in found]}


def delete(ctx: Ctx) -> Reply:
    model.delete_strategy(
        ctx.cloud,
        ctx.caller,
        instance_id=ctx.query.get("instance_id"),
        project_id=ctx.query.get("project_id"),
    )
    return 202, None
