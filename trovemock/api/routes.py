"""The Trove API's routes, each with the name fault rules and the journal use."""

from __future__ import annotations

from werkzeug.routing import Map, Rule

from trovemock.api import backups, instances

P = "/v1.0/<project_id>"

# name -> (method, path, handler)
ROUTES = {
    "backups.list": ("GET", f"{P}/backups", backups.list_),
    "backups.create": ("POST", f"{P}/backups", backups.create),
    "backups.show": ("GET", f"{P}/backups/<backup_id>", backups.show),
    "backups.delete": ("DELETE", f"{P}/backups/<backup_id>", backups.delete),
    "backups.action": ("POST", f"{P}/backups/<backup_id>/action", backups.action),
    "instances.list": ("GET", f"{P}/instances", instances.list_),
    "instances.create": ("POST", f"{P}/instances", instances.create),
    "instances.show": ("GET", f"{P}/instances/<instance_id>", instances.show),
    "instances.delete": ("DELETE", f"{P}/instances/<instance_id>", instances.delete),
    "instances.action": ("POST", f"{P}/instances/<instance_id>/action", instances.action),
    "instances.backups": ("GET", f"{P}/instances/<instance_id>/backups", backups.of_instance),
    "databases.list": ("GET", f"{P}/instances/<instance_id>/databases", instances.databases),
    "databases.create": (
        "POST",
        f"{P}/instances/<instance_id>/databases",
        instances.add_databases,
    ),
    "databases.delete": (
        "DELETE",
        f"{P}/instances/<instance_id>/databases/<name>",
        instances.delete_database,
    ),
    "users.list": ("GET", f"{P}/instances/<instance_id>/users", instances.users),
    "users.create": ("POST", f"{P}/instances/<instance_id>/users", instances.add_users),
    "users.delete": (
        "DELETE",
        f"{P}/instances/<instance_id>/users/<name>",
        instances.delete_user,
    ),
    "flavors.list": ("GET", f"{P}/flavors", instances.list_flavors),
    "flavors.show": ("GET", f"{P}/flavors/<flavor_id>", instances.show_flavor),
    "ha.show": ("GET", f"{P}/ha/<ha_id>", instances.show_ha),
    "ha.backups": ("GET", f"{P}/ha/<ha_id>/backups", backups.of_ha),
}

URL_MAP = Map(
    [Rule(path, methods=[method], endpoint=name) for name, (method, path, _) in ROUTES.items()],
    strict_slashes=False,
    merge_slashes=False,
)
HANDLERS = {name: handler for name, (_, _, handler) in ROUTES.items()}
