"""Configuration groups: parameter values checked against the datastore's parameter list as
Trove checks them, attached to instances (one group per instance), re-applied to every
attached instance when changed. With a data plane the values reach the server: a dynamic
parameter at once, one that needs a restart at the next restart (until then the instance
shows RESTART_REQUIRED, as Trove shows it)."""

from __future__ import annotations

import uuid
from typing import Any

from trovemock.model import data, datastores
from trovemock.model.access import Caller, refusal_noted, visible_instance
from trovemock.model.cloud import Cloud
from trovemock.model.entities import Configuration, Datastore, Instance
from trovemock.model.errors import BadRequest, NotFound, Unprocessable
from trovemock.model.parameter_catalog import PARAMETERS, Parameter

PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "boolean": bool, "string": str, "integer": int, "float": float,
}


def parameters(datastore: Datastore) -> dict[str, Parameter]:
    return PARAMETERS.get(datastore.type, {})


def parameter(cloud: Cloud, datastore: Datastore, name: str) -> tuple[str, Parameter]:
    """One parameter by name; 404 as Trove: "... Not Found" from its lookup."""
    for known, rule in parameters(datastore).items():
        if known == name:
            return known, rule
    raise NotFound(f"Resource {name} cannot be found.")


def check_values(values: Any, datastore: Datastore) -> dict[str, Any]:
    """Trove's `_validate_configuration`, in its order and words (422 each)."""
    rules = {name.lower(): rule for name, rule in parameters(datastore).items()}
    shown = f"{datastore.type} {datastore.version}"
    if not rules:
        raise Unprocessable(f"Configuration groups are not supported for this datastore: "
                            f"{shown}")
    for key, value in values.items():
        rule = rules.get(key.lower())
        if rule is None:
            raise Unprocessable(f"The configuration parameter {key} is not supported for this "
                                f"datastore: {shown}.")
        kind, low, high, _restart = rule
        # isinstance, as Trove checks: an integer parameter takes true/false too
        if not isinstance(value, PYTHON_TYPES[kind]):
            raise Unprocessable(f"The value provided for the configuration parameter {key} "
                                f"is not of type {kind}.")
        if isinstance(value, int | float) and not isinstance(value, bool):
            if low is not None and value < low:
                raise Unprocessable(f"The value for the configuration parameter {key} is "
                                    f"less than the minimum allowed: {_bound(low, value)}")
            if high is not None and value > high:
                raise Unprocessable(f"The value for the configuration parameter {key} is "
                                    f"greater than the maximum allowed: {_bound(high, value)}")
    return dict(values)


def _bound(bound: int | float, value: Any) -> int | float:
    return float(bound) if isinstance(value, float) else int(bound)


def _datastore(cloud: Cloud, kind: str | None, version: str | None) -> Datastore:
    """The datastore version a group is for: Trove's `get_datastore_version` (the default
    datastore and its default version when not named)."""
    if kind is None:
        default = cloud.config.default_datastore
        if not default:
            raise BadRequest("Please specify datastore. No default datastore is defined.")
        kind = default
    found = cloud.datastores.type_named(kind)
    if found is None:
        raise NotFound(f"Datastore '{kind}' cannot be found.")
    if version is None:
        chosen = cloud.datastores.default_for(found)
        assert chosen is not None
        return chosen
    return datastores.find_version(cloud, found, version)


def create(cloud: Cloud, caller: Caller, *, name: str, description: str | None,
           values: dict[str, Any], datastore_type: str | None,
           datastore_version: str | None) -> Configuration:
    datastore = _datastore(cloud, datastore_type, datastore_version)
    if values:
        check_values(values, datastore)
    now = cloud.time
    group = Configuration(
        id=str(uuid.uuid4()), project_id=caller.project_id, region=caller.region, name=name,
        description=description, datastore=datastore, values=dict(values), created=now,
        updated=now,
    )
    cloud.configurations[group.id] = group
    return group


def visible(cloud: Cloud, caller: Caller, group_id: str) -> Configuration:
    """The group, if the caller's project owns it (an admin sees every project's)."""
    group = cloud.configurations.get(group_id)
    if group is None or group.region != caller.region or (
            group.project_id != caller.project_id and not caller.is_admin):
        raise NotFound(f"Configuration group with ID {group_id} could not be found.")
    return group


def listed(cloud: Cloud, caller: Caller) -> list[Configuration]:
    return sorted((g for g in cloud.configurations.values()
                   if g.region == caller.region
                   and (caller.is_admin or g.project_id == caller.project_id)),
                  key=lambda g: (g.created, g.id))


def attached(cloud: Cloud, caller: Caller, group: Configuration) -> list[Instance]:
    """The instances using the group (the caller's project's; an admin's: every one)."""
    return sorted((i for i in cloud.instances.values()
                   if i.configuration_id == group.id and not i.deleting
                   and (caller.is_admin or i.project_id == caller.project_id)),
                  key=lambda i: (i.created, i.id))


def delete(cloud: Cloud, caller: Caller, group_id: str) -> None:
    group = visible(cloud, caller, group_id)
    if any(i.configuration_id == group.id and not i.deleting
           and i.project_id == caller.project_id for i in cloud.instances.values()):
        raise BadRequest("A configuration group cannot be deleted if it is associated with "
                         "one or more non-terminated instances. Detach the configuration "
                         "group from all non-terminated instances and please try again.")
    del cloud.configurations[group.id]


def update(cloud: Cloud, caller: Caller, group_id: str, *, name: str | None,
           description: str | None, values: dict[str, Any] | None, replace: bool) -> None:
    """PUT (`replace`: the values become exactly these) or PATCH (these values are set,
    the others kept); then every attached instance gets the new values."""
    group = visible(cloud, caller, group_id)
    if values is not None:
        check_values(values, group.datastore)
    before = dict(group.values)
    if name is not None:
        group.name = name
    if description is not None:
        group.description = description
    if values is not None:
        group.values = dict(values) if replace else {**group.values, **values}
    group.updated = cloud.time
    for instance in attached(cloud, caller, group):
        _apply(cloud, instance, group, before)


# -- instances ------------------------------------------------------------------------------
def _can_assign(instance: Instance) -> None:
    """Trove's `_validate_can_perform_assign`: the server ACTIVE and no task running (a
    pending restart is a task)."""
    status = None
    if instance.status != "ACTIVE":
        status = instance.status
    elif instance.restart_required:
        status = "RESTART_REQUIRED"
    if status is not None:
        raise BadRequest("The operation you have requested cannot be executed because the "
                         f"instance status is currently: {status}.")


def find_for(cloud: Cloud, caller: Caller, group_id: str, datastore: Datastore, *,
             creating: bool = False) -> Configuration:
    """Trove's lookups of a group for an instance: on create its `load` (its words), on
    attach its `find`; then the group must be for the instance's datastore version."""
    group = cloud.configurations.get(group_id)
    if group is None or group.region != caller.region or (
            group.project_id != caller.project_id and not caller.is_admin):
        if creating:
            raise NotFound(f"Configuration group with ID {group_id} could not be found.")
        raise NotFound(f"Configuration group id: {group_id} could not be found.")
    if group.datastore.version_id != datastore.version_id:
        raise BadRequest(f"Datastore Version on Configuration {group.datastore.version_id} "
                         "does not match the Datastore Version on the instance "
                         f"{datastore.version_id}.")
    return group


def attach(cloud: Cloud, caller: Caller, instance_id: str, group_id: str) -> None:
    """A refusal is noted as the instance's fault, as Trove's notification of it is."""
    instance = visible_instance(cloud, caller, instance_id)
    with refusal_noted(cloud, instance.id):
        if instance.configuration_id is not None:
            raise BadRequest(f"Instance {instance.id} already has a Configuration Group "
                             f"attached: {instance.configuration_id}.")
        _can_assign(instance)
        group = find_for(cloud, caller, group_id, instance.datastore)
    instance.configuration_id = group.id
    _apply(cloud, instance, group, {})


def detach(cloud: Cloud, caller: Caller, instance_id: str) -> None:
    instance = visible_instance(cloud, caller, instance_id)
    group = cloud.configurations.get(instance.configuration_id or "")
    if group is None:
        instance.configuration_id = None
        return
    with refusal_noted(cloud, instance.id):
        _can_assign(instance)
    instance.configuration_id = None
    removed = {name: value for name, value in group.values.items()}
    if any(_needs_restart(group.datastore, name) for name in removed):
        instance.restart_required = True
    data.run(cloud, instance, "remove_configuration", list(removed),
             [n for n in removed if _needs_restart(group.datastore, n)])


def on_create(cloud: Cloud, instance: Instance, group: Configuration) -> None:
    """A create's `configuration`: the server starts with the values (no restart needed)."""
    instance.configuration_id = group.id


def _needs_restart(datastore: Datastore, name: str) -> bool:
    rule = {k.lower(): v for k, v in parameters(datastore).items()}.get(name.lower())
    return bool(rule and rule[3])


def _apply(cloud: Cloud, instance: Instance, group: Configuration,
           before: dict[str, Any]) -> None:
    """New values on an instance: dynamic ones at once (on its server), the others wait
    for a restart (RESTART_REQUIRED). Parameters dropped from the group go back to their
    defaults."""
    changed = {k: v for k, v in group.values.items() if before.get(k, object()) != v}
    dropped = [k for k in before if k not in group.values]
    restart = [k for k in [*changed, *dropped] if _needs_restart(group.datastore, k)]
    if restart:
        instance.restart_required = True
    if dropped:
        data.run(cloud, instance, "remove_configuration", dropped,
                 [k for k in dropped if k in restart])
    if changed:
        data.run(cloud, instance, "apply_configuration", changed,
                 [k for k in changed if k in restart])


def values_of(cloud: Cloud, instance: Instance) -> dict[str, Any]:
    group = cloud.configurations.get(instance.configuration_id or "")
    return dict(group.values) if group is not None else {}
