"""A database user's own routes: show, update (rename, password, host), and the databases it
may use (list, grant, revoke), with Trove's errors. Users live at host `%`, the only host
trovemock keeps: `name@%` in a path names the same user as `name`, any other host none."""

from __future__ import annotations

from trovemock.model import data
from trovemock.model.access import Caller, require_available, visible_instance
from trovemock.model.cloud import Cloud
from trovemock.model.entities import Instance
from trovemock.model.errors import BadRequest, NotFound

ANY_HOST = "%"


def user_named(cloud: Cloud, caller: Caller, instance_id: str, user_id: str) -> tuple[
        Instance, str, tuple[str, ...]]:
    """(instance, name, granted databases) of `user_id` (`name` or `name@host`); 404 as
    Trove: "User <id> cannot be found on the instance."."""
    instance = visible_instance(cloud, caller, instance_id)
    data.refresh(cloud, instance)
    name, _, host = user_id.rpartition("@") if "@" in user_id else (user_id, "", ANY_HOST)
    if host != ANY_HOST or name not in instance.users:
        raise NotFound(f"User {user_id} cannot be found on the instance.")
    return instance, name, instance.users[name]


def update_user(
    cloud: Cloud, caller: Caller, instance_id: str, user_id: str,
    new_name: str | None, new_host: str | None, password: str | None = None,
) -> None:
    """Rename a user (its grants follow) and/or set its password (on the server, when the
    instance has one). A name already taken is Trove's 400 `A user with the name "x"
    already exists.`."""
    instance, name, granted = user_named(cloud, caller, instance_id, user_id)
    require_available(cloud, instance)
    if new_host not in (None, ANY_HOST):
        raise BadRequest(f"trovemock keeps users at host '{ANY_HOST}' only; host "
                         f"{new_host!r} cannot be set.")
    renamed = new_name is not None and new_name != name
    if renamed and new_name in instance.users:
        raise BadRequest(f'A user with the name "{new_name}" already exists.')
    if password is not None:
        data.run(cloud, instance, "set_password", name, ANY_HOST, password)
    if not renamed or new_name is None:
        return
    data.run(cloud, instance, "rename_user", name, ANY_HOST, new_name, ANY_HOST)
    instance.users = {
        (new_name if key == name else key): value for key, value in instance.users.items()
    }


def grant(cloud: Cloud, caller: Caller, instance_id: str, user_id: str,
          databases: list[str]) -> None:
    """Give the user access to `databases`; granting one it has is fine, and so is one that
    does not exist (yet): MySQL keeps such a grant, and Trove's guest lists it."""
    instance, name, granted = user_named(cloud, caller, instance_id, user_id)
    require_available(cloud, instance)
    added = [d for d in dict.fromkeys(databases) if d not in granted]
    data.run(cloud, instance, "grant", name, ANY_HOST, list(dict.fromkeys(databases)))
    instance.users[name] = (*granted, *added)


def revoke(cloud: Cloud, caller: Caller, instance_id: str, user_id: str, database: str) -> None:
    """Take one database away; one the user cannot use is Trove's 404."""
    instance, name, granted = user_named(cloud, caller, instance_id, user_id)
    require_available(cloud, instance)
    if database not in granted:
        raise NotFound(f"Database {database} cannot be found on the instance.")
    data.run(cloud, instance, "revoke", name, ANY_HOST, database)
    instance.users[name] = tuple(d for d in granted if d != database)


def change_passwords(cloud: Cloud, caller: Caller, instance_id: str,
                     users: list[tuple[str, str | None, str]]) -> None:
    """`PUT .../users`: each (name, host) must exist; the passwords go to the server when
    the instance has one."""
    instance = visible_instance(cloud, caller, instance_id)
    data.refresh(cloud, instance)
    for name, host, _password in users:
        if (host or ANY_HOST) != ANY_HOST or name not in instance.users:
            raise NotFound(f"User {name}@{host or ANY_HOST} cannot be found on the "
                           "instance.")
    require_available(cloud, instance)
    for name, _host, password in users:
        data.run(cloud, instance, "set_password", name, ANY_HOST, password)
