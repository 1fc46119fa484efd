"""Handlers of the instance, database, user, flavor and HA routes."""

from __future__ import annotations

from typing import Any

from trovemock.api.context import Ctx, Reply, page
from trovemock.api.errors import HttpError
from trovemock.api.views import flavor_view, flavors, instance_view
from trovemock.exchange import OUTCOME_RESTORE_ERROR
from trovemock.fidelity import upstream
from trovemock.model import configurations, guest, replication
from trovemock.model import instances as model
from trovemock.model import users as users_model
from trovemock.model.access import visible_instance
from trovemock.model.catalog import FLAVORS
from trovemock.model.errors import BadRequest, NotFound


def _view(ctx: Ctx, detail: bool = True, just_created: bool = False):
    return lambda i: instance_view(
        ctx.cloud, i, ctx.base_url, ctx.caller.project_id,
        detail=detail, is_admin=ctx.caller.is_admin, just_created=just_created,
    )


def create(ctx: Ctx) -> Reply:
    """Plain create or restore (`restorePoint.backupRef`): 200 and status BUILD."""
    body = ctx.body["instance"]
    datastore = body.get("datastore") or {}
    restore = body.get("restorePoint")
    request = model.InstanceRequest(
        name=body["name"],
        flavor_ref=str(body["flavorRef"]) if body.get("flavorRef") is not None else None,
        volume_size=(body.get("volume") or {}).get("size"),
        datastore_type=datastore.get("type"),
        datastore_version=datastore.get("version"),
        databases=tuple(d["name"] for d in body.get("databases") or ()),
        users=tuple(
            (u["name"], tuple(d["name"] for d in u.get("databases") or ()))
            for u in body.get("users") or ()
        ),
        backup_ref=restore["backupRef"] if restore else None,
        fail=ctx.outcome == OUTCOME_RESTORE_ERROR,
        access=model.check_access(body["access"]) if body.get("access") is not None else None,
        passwords=tuple((u["name"], u.get("password") or "") for u in body.get("users") or ()),
        configuration=(body["configuration"].rstrip("/").rsplit("/", 1)[-1]
                       if body.get("configuration") else None),
        replica_of=body.get("replica_of") or None,
        replica_count=body.get("replica_count"),
        named_datastore=bool(body.get("datastore")),
        named_volume=bool(body.get("volume")),
    )
    instance = model.create_instance(ctx.cloud, ctx.caller, request)
    shown = _view(ctx, just_created=True)(instance)
    count = request.replica_count or 1
    if request.replica_of and count > 1 and upstream(ctx.cloud.config, "replica_count_password"):
        shown["password"] = [None] * count
    return 200, {"instance": shown}


# What `PUT /instances/{id}` may also change in Trove, and trovemock does not emulate yet.
NOT_EMULATED_UPDATES = ("datastore_version",)


def update(ctx: Ctx) -> Reply:
    """`PUT` (and the deprecated `PATCH`) `/instances/{id}`: Trove takes a name plus at most
    one other attribute."""
    attributes = ctx.body["instance"]
    name = attributes.get("name")
    others = [key for key in attributes if key != "name"]
    if len(others) > 1:
        raise BadRequest("Only one attribute (except 'name') is allowed to update.")
    visible_instance(ctx.cloud, ctx.caller, ctx.args["instance_id"])
    unsupported = [key for key in others if key in NOT_EMULATED_UPDATES]
    if unsupported:
        raise HttpError(501, f"Updating an instance's {unsupported[0]} is not emulated by "
                             "trovemock yet.")
    access = model.check_access(attributes["access"]) if "access" in attributes else None
    model.update_instance(ctx.cloud, ctx.caller, ctx.args["instance_id"], name=name,
                          access=access)
    if "replica_of" in attributes or "slave_of" in attributes:
        replication.detach(ctx.cloud, ctx.caller, ctx.args["instance_id"])
    if "configuration" in attributes or not attributes:  # an empty body detaches, as Trove
        wanted = attributes.get("configuration")
        if wanted:
            configurations.attach(ctx.cloud, ctx.caller, ctx.args["instance_id"],
                                  wanted.rstrip("/").rsplit("/", 1)[-1])
        else:
            configurations.detach(ctx.cloud, ctx.caller, ctx.args["instance_id"])
    return 202, None


def list_(ctx: Ctx) -> Reply:
    found = model.list_instances(ctx.cloud, ctx.caller)
    return 200, page(ctx, found, _view(ctx, detail=False), "instances")


def show(ctx: Ctx) -> Reply:
    instance = visible_instance(ctx.cloud, ctx.caller, ctx.args["instance_id"])
    return 200, {"instance": _view(ctx)(instance)}


def delete(ctx: Ctx) -> Reply:
    model.delete_instance(ctx.cloud, ctx.caller, ctx.args["instance_id"])
    return 202, None


def action(ctx: Ctx) -> Reply:
    body = ctx.body
    instance_id = ctx.args["instance_id"]
    if "reset_status" in body:
        ctx.only_in("openstack", "The reset_status action")
        guest.reset_status(
            ctx.cloud, ctx.caller, instance_id, force_delete="force_delete" in body["reset_status"]
        )
    elif "restart" in body:
        model.restart(ctx.cloud, ctx.caller, instance_id)
    elif "promote_to_replica_source" in body:
        ctx.only_in("openstack", "Promoting a replica")
        replication.promote(ctx.cloud, ctx.caller, instance_id)
    elif "eject_replica_source" in body:
        ctx.only_in("openstack", "Ejecting a replica source")
        replication.eject(ctx.cloud, ctx.caller, instance_id)
    else:
        resize = body["resize"]
        model.resize(
            ctx.cloud,
            ctx.caller,
            instance_id,
            flavor_ref=str(resize["flavorRef"]) if "flavorRef" in resize else None,
            volume_size=(resize.get("volume") or {}).get("size"),
        )
    return 202, None


def databases(ctx: Ctx) -> Reply:
    instance = model.contents_of(ctx.cloud, ctx.caller, ctx.args["instance_id"])
    return 200, page(ctx, instance.databases, lambda name: {"name": name}, "databases")


def add_databases(ctx: Ctx) -> Reply:
    body = ctx.body
    names = [d["name"] for d in body["databases"]]
    model.add_databases(ctx.cloud, ctx.caller, ctx.args["instance_id"], names)
    return 202, None


def delete_database(ctx: Ctx) -> Reply:
    model.remove_database(ctx.cloud, ctx.caller, ctx.args["instance_id"], ctx.args["name"])
    return 202, None


# WebOb's explanation of HTTPNotImplemented, which Trove's fault wrapper sends as it is.
WEBOB_NOT_IMPLEMENTED = (
    "The server has either erred or is incapable of performing the requested operation."
)


def show_database(ctx: Ctx) -> Reply:
    """Trove 26.0.0 routes `GET .../databases/{name}` (upstream fidelity only) to a show that
    checks the instance (404 when the caller cannot see it), then answers 501."""
    visible_instance(ctx.cloud, ctx.caller, ctx.args["instance_id"])
    raise HttpError(501, WEBOB_NOT_IMPLEMENTED)


def users(ctx: Ctx) -> Reply:
    instance = model.contents_of(ctx.cloud, ctx.caller, ctx.args["instance_id"])

    def render(item: tuple[str, tuple[str, ...]]) -> dict[str, Any]:
        name, granted = item
        return {"name": name, "host": "%", "databases": [{"name": d} for d in granted]}

    return 200, page(ctx, list(instance.users.items()), render, "users")


def add_users(ctx: Ctx) -> Reply:
    body = ctx.body
    users = [(u["name"], tuple(d["name"] for d in u.get("databases") or ())) for u in body["users"]]
    passwords = {u["name"]: u.get("password") or "" for u in body["users"]}
    model.add_users(ctx.cloud, ctx.caller, ctx.args["instance_id"], users, passwords)
    return 202, None


def delete_user(ctx: Ctx) -> Reply:
    model.remove_user(ctx.cloud, ctx.caller, ctx.args["instance_id"], ctx.args["name"])
    return 202, None


def _user_view(name: str, granted: tuple[str, ...]) -> dict[str, Any]:
    return {"name": name, "host": users_model.ANY_HOST,
            "databases": [{"name": d} for d in granted]}


def show_user(ctx: Ctx) -> Reply:
    _, name, granted = users_model.user_named(
        ctx.cloud, ctx.caller, ctx.args["instance_id"], ctx.args["name"])
    return 200, {"user": _user_view(name, granted)}


def update_user(ctx: Ctx) -> Reply:
    attributes = ctx.body["user"]
    users_model.update_user(ctx.cloud, ctx.caller, ctx.args["instance_id"], ctx.args["name"],
                            attributes.get("name"), attributes.get("host"),
                            attributes.get("password"))
    return 202, None


def change_passwords(ctx: Ctx) -> Reply:
    users = [(u["name"], u.get("host"), u.get("password") or "") for u in ctx.body["users"]]
    users_model.change_passwords(ctx.cloud, ctx.caller, ctx.args["instance_id"], users)
    return 202, None


def user_access(ctx: Ctx) -> Reply:
    _, _, granted = users_model.user_named(
        ctx.cloud, ctx.caller, ctx.args["instance_id"], ctx.args["name"])
    return 200, {"databases": [{"name": d} for d in granted]}


def grant_access(ctx: Ctx) -> Reply:
    names = [d["name"] for d in ctx.body["databases"]]
    users_model.grant(ctx.cloud, ctx.caller, ctx.args["instance_id"], ctx.args["name"], names)
    return 202, None


def revoke_access(ctx: Ctx) -> Reply:
    users_model.revoke(ctx.cloud, ctx.caller, ctx.args["instance_id"], ctx.args["name"],
                       ctx.args["database"])
    return 202, None


def list_flavors(ctx: Ctx) -> Reply:
    return 200, {"flavors": flavors(ctx.base_url, ctx.caller.project_id)}


def show_flavor(ctx: Ctx) -> Reply:
    flavor = FLAVORS.get(ctx.args["flavor_id"])
    if flavor is None:
        raise NotFound(f"Resource {ctx.args['flavor_id']} cannot be found.")  # as Trove
    return 200, {"flavor": flavor_view(flavor, ctx.base_url, ctx.caller.project_id)}
