"""Handlers of the configuration group routes and the datastore parameter lists."""

from __future__ import annotations

from typing import Any

from trovemock.api.context import Ctx, Reply, page
from trovemock.api.views import configuration_view, parameter_view
from trovemock.model import configurations as model
from trovemock.model import datastores


def create(ctx: Ctx) -> Reply:
    body = ctx.body["configuration"]
    datastore = body.get("datastore") or {}
    group = model.create(
        ctx.cloud, ctx.caller, name=body["name"], description=body.get("description"),
        values=body.get("values") or {}, datastore_type=datastore.get("type"),
        datastore_version=datastore.get("version"),
    )
    return 200, {"configuration": configuration_view(group, detail=True, instance_count=0)}


def list_(ctx: Ctx) -> Reply:
    found = model.listed(ctx.cloud, ctx.caller)
    return 200, page(ctx, found, lambda g: configuration_view(g), "configurations")


def show(ctx: Ctx) -> Reply:
    group = model.visible(ctx.cloud, ctx.caller, ctx.args["configuration_id"])
    count = len(model.attached(ctx.cloud, ctx.caller, group))
    return 200, {"configuration": configuration_view(group, detail=True, instance_count=count)}


def instances(ctx: Ctx) -> Reply:
    group = model.visible(ctx.cloud, ctx.caller, ctx.args["configuration_id"])
    found = model.attached(ctx.cloud, ctx.caller, group)
    return 200, page(ctx, found, lambda i: {"id": i.id, "name": i.name}, "instances")


def update(ctx: Ctx) -> Reply:
    """PUT: the values become exactly the body's (name and description optional)."""
    body: dict[str, Any] = ctx.body["configuration"]
    model.update(ctx.cloud, ctx.caller, ctx.args["configuration_id"], name=body.get("name"),
                 description=body.get("description"), values=body.get("values", {}),
                 replace=True)
    return 202, None


def edit(ctx: Ctx) -> Reply:
    """PATCH: the body's values are set, the others kept; Trove answers 200, no body."""
    body: dict[str, Any] = ctx.body["configuration"]
    model.update(ctx.cloud, ctx.caller, ctx.args["configuration_id"], name=None,
                 description=None, values=body.get("values", {}), replace=False)
    return 200, None


def delete(ctx: Ctx) -> Reply:
    model.delete(ctx.cloud, ctx.caller, ctx.args["configuration_id"])
    return 202, None


def parameters(ctx: Ctx) -> Reply:
    found = datastores.find_version(ctx.cloud, ctx.args["datastore_id"], ctx.args["version_id"])
    return 200, _parameters(found)


def parameters_by_version(ctx: Ctx) -> Reply:
    return 200, _parameters(datastores.version_by_id(ctx.cloud, ctx.args["version_id"]))


def parameter(ctx: Ctx) -> Reply:
    found = datastores.find_version(ctx.cloud, ctx.args["datastore_id"], ctx.args["version_id"])
    name, rule = model.parameter(ctx.cloud, found, ctx.args["name"])
    return 200, parameter_view(name, rule, found)


def parameter_by_version(ctx: Ctx) -> Reply:
    found = datastores.version_by_id(ctx.cloud, ctx.args["version_id"])
    name, rule = model.parameter(ctx.cloud, found, ctx.args["name"])
    return 200, parameter_view(name, rule, found)


def _parameters(found: Any) -> dict[str, Any]:
    return {"configuration-parameters": [
        parameter_view(name, rule, found) for name, rule in model.parameters(found).items()]}
