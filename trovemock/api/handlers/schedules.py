"""Handlers of Rackspace's scheduled backups (`/schedules`); the rules are in
`trovemock.model.schedules`."""

from __future__ import annotations

from trovemock.api.context import Ctx, Reply, page
from trovemock.api.views import schedule_view
from trovemock.model import schedules as model
from trovemock.model.access import visible_schedule


def create(ctx: Ctx) -> Reply:
    body = ctx.body["schedule"]
    schedule = model.create_schedule(
        ctx.cloud,
        ctx.caller,
        day_of_week=body["day_of_week"],
        hour=body["hour"],
        minute=body["minute"],
        instance_id=body.get("instance_id"),
        source_id=body.get("source_id"),
        source_type=body.get("source_type"),
        full_backup_retention=body.get("full_backup_retention"),
        copy_to=body.get("copy_to"),
    )
    return 202, {"schedule": schedule_view(ctx.cloud, schedule)}


def list_(ctx: Ctx) -> Reply:
    found = model.list_schedules(
        ctx.cloud,
        ctx.caller,
        action=ctx.query.get("action"),
        source_id=ctx.query.get("source_id"),
        source_type=ctx.query.get("source_type"),
    )
    return 200, page(ctx, found, lambda s: schedule_view(ctx.cloud, s), "schedules")


def show(ctx: Ctx) -> Reply:
    schedule = visible_schedule(ctx.cloud, ctx.caller, ctx.args["schedule_id"])
    return 200, {"schedule": schedule_view(ctx.cloud, schedule)}


def update(ctx: Ctx) -> Reply:
    """202 with an empty body, as the documentation's example exchange shows (its table
    says 200; clients ignore the body and accept any 2xx)."""
    body = ctx.body["schedule"]
    model.update_schedule(
        ctx.cloud,
        ctx.caller,
        ctx.args["schedule_id"],
        day_of_week=body.get("day_of_week"),
        hour=body.get("hour"),
        minute=body.get("minute"),
        full_backup_retention=body.get("full_backup_retention"),
        copy_to=body["copy_to"] if body.get("copy_to") is not None else model.KEEP,
        run_now=_true(body.get("run_now")),
        source_check={k: body[k] for k in ("instance_id", "source_id", "source_type") if k in body},
    )
    return 202, None


def delete(ctx: Ctx) -> Reply:
    model.delete_schedule(ctx.cloud, ctx.caller, ctx.args["schedule_id"])
    return 202, None


def _true(value: object) -> bool:
    """`run_now` as cdb-cli sends it (a JSON boolean) or as the documentation's example
    does (the string "true"); the request schema allows nothing else."""
    if isinstance(value, str):
        return value.lower() == "true"
    return value is True
