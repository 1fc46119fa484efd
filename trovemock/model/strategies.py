"""Trove backup strategies: which Swift container a project's backups (or one instance's)
go to. One per (project, instance); a project-wide strategy has `instance_id` "".

As in Trove (`trove/backup/models.py` BackupStrategy): create is an upsert, nothing checks
that the instance exists, and deleting an instance leaves its strategy behind.
"""

from __future__ import annotations

from trovemock.model.access import Caller
from trovemock.model.cloud import Cloud
from trovemock.model.entities import BackupStrategy
from trovemock.model.errors import Forbidden

PROJECT_WIDE = ""


def put_strategy(
    cloud: Cloud, caller: Caller, swift_container: str, instance_id: str | None = None
) -> BackupStrategy:
    """Create the strategy of the caller's project (or of one of its instances), or change
    the container of the existing one (it keeps its place in lists)."""
    key = (caller.region, caller.project_id, instance_id or PROJECT_WIDE)
    found = cloud.strategies.get(key)
    if found is None:
        found = cloud.strategies[key] = BackupStrategy(
            project_id=caller.project_id,
            region=caller.region,
            instance_id=instance_id or PROJECT_WIDE,
            swift_container=swift_container,
        )
    else:
        found.swift_container = swift_container
    return found


def list_strategies(
    cloud: Cloud, caller: Caller, *, instance_id: str | None = None, project_id: str | None = None
) -> list[BackupStrategy]:
    """Oldest first. An empty `instance_id` is no filter (so the project-wide row cannot be
    asked for alone, as in Trove); another project needs the admin role."""
    project = _project(caller, project_id)
    return [
        s
        for (region, owner, _), s in cloud.strategies.items()
        if region == caller.region
        and owner == project
        and (not instance_id or s.instance_id == instance_id)
    ]


def delete_strategy(
    cloud: Cloud, caller: Caller, *, instance_id: str | None = None, project_id: str | None = None
) -> None:
    """Delete the project-wide row (no `instance_id`) or one instance's row; a row that
    does not exist is no error."""
    project = _project(caller, project_id)
    cloud.strategies.pop((caller.region, project, instance_id or PROJECT_WIDE), None)


def container_for(cloud: Cloud, caller: Caller, instance_id: str) -> str | None:
    """The container a backup of `instance_id` goes to when the request names none: the
    instance's strategy, else the project's, else None (the deployment's default)."""
    for key in (instance_id, PROJECT_WIDE):
        found = cloud.strategies.get((caller.region, caller.project_id, key))
        if found is not None:
            return found.swift_container
    return None


def _project(caller: Caller, project_id: str | None) -> str:
    if project_id is None or project_id == caller.project_id:
        return caller.project_id
    if not caller.is_admin:
        raise Forbidden(f"Operation not allowed for tenant {caller.project_id}.")
    return project_id
