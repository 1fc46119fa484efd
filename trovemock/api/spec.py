"""The documented routes of both dialects: path, success status and body schemas.

One table feeds the app's router and request validation, the response checks (tests,
contract mode) and the OpenAPI document, so they cannot drift apart. Schema names are paths
relative to the `schemas/` directory, without ".json" (as `trovemock.schema` names them);
``{dialect}`` in a name is replaced by ``openstack`` or ``rackspace``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from trovemock.api.context import Ctx, Reply
from trovemock.api.errors import FAULT_NAME_OF
from trovemock.api.handlers import (
    backups,
    configurations,
    datastores,
    ha,
    instances,
    root,
    schedules,
    strategies,
)
from trovemock.config import DIALECTS

# Documented error statuses of every Trove call (seed 002's tables, plus 409 for restores and
# 415 for an unsupported Content-Type, which trove-behavior.md §2-3 list).
ERROR_STATUSES = (400, 401, 403, 404, 405, 409, 413, 415, 422, 500, 501, 503)

# The fault names a deployment may send for each status: the emulator's own name, plus
# Trove's `serverError` for a 500 caused by Swift and keystonemiddleware's `error` for a 401.
_EXTRA_NAMES = {500: ("serverError",), 401: ("error",)}
FAULT_NAMES: dict[int, tuple[str, ...]] = {
    status: (name, *_EXTRA_NAMES.get(status, ())) for status, name in FAULT_NAME_OF.items()
}

FAULT_SCHEMA = "fault"

# A route's handler: the request's context in, (status, JSON body or None) out.
Handler = Callable[[Ctx], Reply]


@dataclass(frozen=True)
class Route:
    """One documented call. `response` None means the success body is empty."""

    name: str
    method: str
    path: str  # relative to /v1.0/{project_id}
    status: int
    response: str | None
    request: str | None = None
    dialects: tuple[str, ...] = DIALECTS
    summary: str = ""
    handler: Handler | None = field(default=None, compare=False, repr=False)
    # What a client of the other dialect is told it asked for (its 501 names it).
    feature: str | None = None

    @property
    def feature_name(self) -> str:
        return self.feature or f"{self.method} {self.path}"

    def response_schema(self, dialect: str) -> str | None:
        return self.response.format(dialect=dialect) if self.response else None

    def request_schema(self, dialect: str) -> str | None:
        return self.request.format(dialect=dialect) if self.request else None

    @property
    def rule(self) -> str:
        """The werkzeug rule under /v1.0: `{backupId}` becomes `<backup_id>`."""
        return "/v1.0/<project_id>" + re.sub(
            r"\{(\w+)\}", lambda m: "<" + _snake(m.group(1)) + ">", self.path
        )


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


ROUTES: tuple[Route, ...] = (
    Route("backups.list", "GET", "/backups", 200, "responses/backup-list-{dialect}",
          summary="List backups", handler=backups.list_),
    Route("backups.create", "POST", "/backups", 202, "responses/backup-{dialect}",
          request="requests/backup-create-{dialect}", summary="Create a backup",
          handler=backups.create),
    Route("backups.show", "GET", "/backups/{backupId}", 200, "responses/backup-{dialect}",
          summary="Show a backup", handler=backups.show),
    Route("backups.delete", "DELETE", "/backups/{backupId}", 202, None,
          summary="Delete a backup and its incremental descendants", handler=backups.delete),
    Route("backups.action", "POST", "/backups/{backupId}/action", 202, None,
          request="requests/backup-action-rackspace", dialects=("rackspace",),
          summary="Copy a backup to another region (copy-backup)",
          handler=backups.action, feature="POST /backups/{id}/action (copy-backup)"),
    Route("instances.list", "GET", "/instances", 200, "responses/instance-list",
          summary="List instances", handler=instances.list_),
    Route("instances.create", "POST", "/instances", 200, "responses/instance",
          request="requests/instance-create",
          summary="Create an instance (restore with restorePoint.backupRef)",
          handler=instances.create),
    Route("instances.show", "GET", "/instances/{instanceId}", 200, "responses/instance",
          summary="Show an instance", handler=instances.show),
    Route("instances.delete", "DELETE", "/instances/{instanceId}", 202, None,
          summary="Delete an instance", handler=instances.delete),
    Route("instances.action", "POST", "/instances/{instanceId}/action", 202, None,
          request="requests/instance-action",
          summary="Restart or resize an instance; reset_status (openstack, admin)",
          handler=instances.action),
    Route("root.enable", "POST", "/instances/{instanceId}/root", 200, "responses/root-user",
          request="requests/root-enable", summary="Enable the root user (or reset its password)",
          handler=root.enable),
    Route("root.show", "GET", "/instances/{instanceId}/root", 200, "responses/root-enabled",
          summary="Whether the root user has been enabled", handler=root.show),
    Route("root.disable", "DELETE", "/instances/{instanceId}/root", 204, None,
          dialects=("openstack",), summary="Disable the root user", handler=root.disable),
    Route("instances.update", "PUT", "/instances/{instanceId}", 202, None,
          request="requests/instance-update", summary="Rename an instance or change its access",
          handler=instances.update),
    Route("instances.edit", "PATCH", "/instances/{instanceId}", 202, None,
          request="requests/instance-update",
          summary="Rename an instance or change its access (Trove's deprecated PATCH)",
          handler=instances.update),
    Route("instances.backups", "GET", "/instances/{instanceId}/backups", 200,
          "responses/backup-list-{dialect}", summary="List the backups of an instance",
          handler=backups.of_instance),
    Route("databases.list", "GET", "/instances/{instanceId}/databases", 200,
          "responses/database-list", summary="List databases", handler=instances.databases),
    Route("databases.create", "POST", "/instances/{instanceId}/databases", 202, None,
          request="requests/databases-create", summary="Create databases",
          handler=instances.add_databases),
    Route("databases.delete", "DELETE", "/instances/{instanceId}/databases/{name}", 202, None,
          summary="Delete a database", handler=instances.delete_database),
    Route("users.list", "GET", "/instances/{instanceId}/users", 200,
          "responses/user-list", summary="List users", handler=instances.users),
    Route("users.create", "POST", "/instances/{instanceId}/users", 202, None,
          request="requests/users-create", summary="Create users", handler=instances.add_users),
    Route("users.delete", "DELETE", "/instances/{instanceId}/users/{name}", 202, None,
          summary="Delete a user", handler=instances.delete_user),
    Route("users.passwords", "PUT", "/instances/{instanceId}/users", 202, None,
          request="requests/users-passwords", summary="Change users' passwords",
          handler=instances.change_passwords),
    Route("users.show", "GET", "/instances/{instanceId}/users/{name}", 200,
          "responses/user", summary="Show a user (name or name@host)",
          handler=instances.show_user),
    Route("users.update", "PUT", "/instances/{instanceId}/users/{name}", 202, None,
          request="requests/user-update", summary="Rename a user or change its password",
          handler=instances.update_user),
    Route("users.access", "GET", "/instances/{instanceId}/users/{name}/databases", 200,
          "responses/database-list", summary="List the databases a user may use",
          handler=instances.user_access),
    Route("users.grant", "PUT", "/instances/{instanceId}/users/{name}/databases", 202, None,
          request="requests/user-access-grant", summary="Grant a user access to databases",
          handler=instances.grant_access),
    Route("users.revoke", "DELETE",
          "/instances/{instanceId}/users/{name}/databases/{database}", 202, None,
          summary="Revoke a user's access to a database", handler=instances.revoke_access),
    Route("flavors.list", "GET", "/flavors", 200, "responses/flavor-list",
          summary="List flavors", handler=instances.list_flavors),
    Route("flavors.show", "GET", "/flavors/{flavorId}", 200, "responses/flavor",
          summary="Show a flavor", handler=instances.show_flavor),
    Route("datastores.list", "GET", "/datastores", 200, "responses/datastore-list-{dialect}",
          summary="List datastore types and their versions", handler=datastores.list_),
    Route("datastores.show", "GET", "/datastores/{datastoreId}", 200,
          "responses/datastore-{dialect}", summary="Show a datastore type (by id or name)",
          handler=datastores.show),
    Route("datastores.versions", "GET", "/datastores/{datastoreId}/versions", 200,
          "responses/datastore-version-list-{dialect}", summary="List a datastore's versions",
          handler=datastores.versions),
    Route("datastores.version", "GET", "/datastores/{datastoreId}/versions/{versionId}", 200,
          "responses/datastore-version-{dialect}",
          summary="Show a datastore version (by id or name)", handler=datastores.version),
    Route("datastores.version_by_id", "GET", "/datastores/versions/{versionId}", 200,
          "responses/datastore-version-{dialect}", summary="Show a datastore version by id",
          handler=datastores.version_by_id),
    Route("configurations.list", "GET", "/configurations", 200, "responses/configuration-list",
          dialects=("openstack",), summary="List configuration groups",
          handler=configurations.list_),
    Route("configurations.create", "POST", "/configurations", 200,
          "responses/configuration", request="requests/configuration-create",
          dialects=("openstack",), summary="Create a configuration group",
          handler=configurations.create),
    Route("configurations.show", "GET", "/configurations/{configurationId}", 200,
          "responses/configuration", dialects=("openstack",),
          summary="Show a configuration group", handler=configurations.show),
    Route("configurations.update", "PUT", "/configurations/{configurationId}", 202, None,
          request="requests/configuration-update", dialects=("openstack",),
          summary="Replace a configuration group's values", handler=configurations.update),
    Route("configurations.edit", "PATCH", "/configurations/{configurationId}", 200, None,
          request="requests/configuration-edit", dialects=("openstack",),
          summary="Set some of a configuration group's values", handler=configurations.edit),
    Route("configurations.delete", "DELETE", "/configurations/{configurationId}", 202, None,
          dialects=("openstack",), summary="Delete a configuration group",
          handler=configurations.delete),
    Route("configurations.instances", "GET", "/configurations/{configurationId}/instances",
          200, "responses/configuration-instances", dialects=("openstack",),
          summary="List the instances using a configuration group",
          handler=configurations.instances),
    Route("parameters.list", "GET", "/datastores/{datastoreId}/versions/{versionId}/parameters",
          200, "responses/configuration-parameter-list", dialects=("openstack",),
          summary="List a datastore version's configuration parameters",
          handler=configurations.parameters),
    Route("parameters.show", "GET",
          "/datastores/{datastoreId}/versions/{versionId}/parameters/{name}", 200,
          "responses/configuration-parameter", dialects=("openstack",),
          summary="Show a configuration parameter", handler=configurations.parameter),
    Route("parameters.list_by_version", "GET", "/datastores/versions/{versionId}/parameters",
          200, "responses/configuration-parameter-list", dialects=("openstack",),
          summary="List a datastore version's configuration parameters, by version id",
          handler=configurations.parameters_by_version),
    Route("parameters.show_by_version", "GET",
          "/datastores/versions/{versionId}/parameters/{name}", 200,
          "responses/configuration-parameter", dialects=("openstack",),
          summary="Show a configuration parameter, by version id",
          handler=configurations.parameter_by_version),
    Route("ha.list", "GET", "/ha", 200, "responses/ha-list", dialects=("rackspace",),
          summary="List HA instances", handler=ha.list_),
    Route("ha.show", "GET", "/ha/{haId}", 200, "responses/ha", dialects=("rackspace",),
          summary="Show an HA instance", handler=ha.show),
    Route("ha.backups", "GET", "/ha/{haId}/backups", 200,
          "responses/backup-list-rackspace", dialects=("rackspace",),
          summary="List the backups of an HA instance", handler=backups.of_ha),
    # Scheduled backups (Rackspace). Update is 202 with an empty body, as the documented
    # example exchange shows (the operation's table says 200).
    Route("schedules.create", "POST", "/schedules", 202, "responses/schedule",
          request="requests/schedule-create", dialects=("rackspace",),
          summary="Create a backup schedule",
          handler=schedules.create, feature="Scheduled backups (/schedules)"),
    Route("schedules.list", "GET", "/schedules", 200, "responses/schedule-list",
          dialects=("rackspace",), summary="List backup schedules",
          handler=schedules.list_, feature="Scheduled backups (/schedules)"),
    Route("schedules.show", "GET", "/schedules/{scheduleId}", 200, "responses/schedule",
          dialects=("rackspace",), summary="Show a backup schedule",
          handler=schedules.show, feature="Scheduled backups (/schedules)"),
    Route("schedules.update", "PUT", "/schedules/{scheduleId}", 202, None,
          request="requests/schedule-update", dialects=("rackspace",),
          summary="Update a backup schedule (run_now runs it at once)",
          handler=schedules.update, feature="Scheduled backups (/schedules)"),
    Route("schedules.delete", "DELETE", "/schedules/{scheduleId}", 202, None,
          dialects=("rackspace",), summary="Delete a backup schedule",
          handler=schedules.delete, feature="Scheduled backups (/schedules)"),
    # Backup strategies (Trove).
    Route("backup_strategies.create", "POST", "/backup_strategies", 202,
          "responses/backup-strategy", request="requests/backup-strategy-create",
          dialects=("openstack",), summary="Create or update a backup strategy",
          handler=strategies.create, feature="Backup strategies (/backup_strategies)"),
    Route("backup_strategies.list", "GET", "/backup_strategies", 200,
          "responses/backup-strategy-list", dialects=("openstack",),
          summary="List backup strategies",
          handler=strategies.list_, feature="Backup strategies (/backup_strategies)"),
    Route("backup_strategies.delete", "DELETE", "/backup_strategies", 202, None,
          dialects=("openstack",),
          summary="Delete the project's (or one instance's) backup strategy",
          handler=strategies.delete, feature="Backup strategies (/backup_strategies)"),
)

# Routes real Trove has and the documents do not: routed in upstream fidelity only (the
# documented mode answers their paths 405, as for any method a path does not document).
UPSTREAM_ROUTES: tuple[Route, ...] = (
    Route("databases.show", "GET", "/instances/{instanceId}/databases/{name}", 501, None,
          summary="Trove's database show: checks the instance, then answers 501",
          handler=instances.show_database),
)

ROUTES_BY_NAME: dict[str, Route] = {route.name: route for route in (*ROUTES, *UPSTREAM_ROUTES)}


def routes_for(dialect: str) -> list[Route]:
    """The routes `dialect` documents (the others answer 501 notImplemented)."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}: expected one of {', '.join(DIALECTS)}")
    return [route for route in ROUTES if dialect in route.dialects]
