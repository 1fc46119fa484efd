"""The Trove API's router: each documented route (`trovemock.api.spec`) and its handler.

Route names (``backups.create``) are what fault rules and the journal match on."""

from __future__ import annotations

from collections.abc import Callable

from werkzeug.routing import Map, Rule

from trovemock.api import spec
from trovemock.api.handlers import (
    backups,
    datastores,
    ha,
    instances,
    root,
    schedules,
    strategies,
)

HANDLERS = {
    "backups.list": backups.list_,
    "backups.create": backups.create,
    "backups.show": backups.show,
    "backups.delete": backups.delete,
    "backups.action": backups.action,
    "instances.list": instances.list_,
    "instances.create": instances.create,
    "instances.show": instances.show,
    "instances.delete": instances.delete,
    "instances.action": instances.action,
    "instances.backups": backups.of_instance,
    "databases.list": instances.databases,
    "databases.create": instances.add_databases,
    "databases.delete": instances.delete_database,
    "users.list": instances.users,
    "users.create": instances.add_users,
    "users.delete": instances.delete_user,
    "flavors.list": instances.list_flavors,
    "flavors.show": instances.show_flavor,
    "root.enable": root.enable,
    "root.show": root.show,
    "root.disable": root.disable,
    "datastores.list": datastores.list_,
    "datastores.show": datastores.show,
    "datastores.versions": datastores.versions,
    "datastores.version": datastores.version,
    "datastores.version_by_id": datastores.version_by_id,
    "ha.list": ha.list_,
    "ha.show": ha.show,
    "ha.backups": backups.of_ha,
    "schedules.create": schedules.create,
    "schedules.list": schedules.list_,
    "schedules.show": schedules.show,
    "schedules.update": schedules.update,
    "schedules.delete": schedules.delete,
    "backup_strategies.create": strategies.create,
    "backup_strategies.list": strategies.list_,
    "backup_strategies.delete": strategies.delete,
}

if set(HANDLERS) != set(spec.ROUTES_BY_NAME):  # pragma: no cover - a developer's slip
    raise RuntimeError(f"routes without handlers: {set(spec.ROUTES_BY_NAME) ^ set(HANDLERS)}")


class _MatchOnlyRule(Rule):
    """The app only matches URLs, never builds them: skipping werkzeug's URL builders (code
    it generates and compiles for every rule) saves about 10 ms of every process start."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        def no_building(*args: object, **kwargs: object) -> tuple[str, str]:
            raise NotImplementedError("trovemock's URL map matches URLs; it builds none")

        return no_building


URL_MAP = Map(
    [
        _MatchOnlyRule(route.rule, methods=[route.method], endpoint=route.name)
        for route in spec.ROUTES
    ],
    strict_slashes=True,  # Trove: /backups/ is no route (404), and werkzeug must not redirect
    merge_slashes=False,
)
