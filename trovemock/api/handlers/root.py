"""Handlers of the root user routes (`/instances/{id}/root`)."""

from __future__ import annotations

from trovemock.api.context import Ctx, Reply
from trovemock.model import guest as model
from trovemock.model.errors import UpstreamBug


def enable(ctx: Ctx) -> Reply:
    """The body is optional; its `password` (a string, or empty / null for a generated
    one) is checked by the request schema, except in upstream fidelity (deviation
    root_password_body), where Trove's reading applies: a body that is not an object means
    no password, and a password that is set but not a string crashes the guest call."""
    body = ctx.body if isinstance(ctx.body, dict) else {}
    wanted = body.get("password")
    if wanted and not isinstance(wanted, str):
        raise UpstreamBug("the guest agent's enable_root fails on a password of another type")
    name, password = model.enable_root(ctx.cloud, ctx.caller, ctx.args["instance_id"], wanted)
    return 200, {"user": {"name": name, "password": password}}


def show(ctx: Ctx) -> Reply:
    return 200, {"rootEnabled": model.root_enabled(ctx.cloud, ctx.caller, ctx.args["instance_id"])}


def disable(ctx: Ctx) -> Reply:
    model.disable_root(ctx.cloud, ctx.caller, ctx.args["instance_id"])
    return 204, None
