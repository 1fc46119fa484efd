"""Replicas: an instance created with `replica_of` takes its primary's flavor, datastore,
volume size and configuration, and (with a data plane) is seeded from a backup of the
primary and kept in step with it by the engine's own replication. A replica can be promoted
to primary, detached, and a primary whose agent went silent ejected; a primary with replicas
cannot be deleted. Checks and words as Trove 26.0.0's."""

from __future__ import annotations

from datetime import datetime

from trovemock.model import data
from trovemock.model.access import (
    Caller,
    refusal_noted,
    require_available,
    visible_instance,
)
from trovemock.model.catalog import REPLICATION_STRATEGIES
from trovemock.model.cloud import Cloud
from trovemock.model.entities import Instance
from trovemock.model.errors import (
    BadRequest,
    Forbidden,
    NotFound,
    TroveForbidden,
    Unprocessable,
)

# Statuses of the replication tasks while the taskmanager runs them.
PROMOTE, EJECT, DETACH = "PROMOTE", "EJECT", "DETACH"


def replicas_of(cloud: Cloud, instance: Instance) -> list[Instance]:
    """The instance's replicas, in the order they were made (Trove lists its `slaves`)."""
    return [i for i in cloud.instances.values()
            if i.replica_of == instance.id and not i.deleting]


def check_create(cloud: Cloud, caller: Caller, source_id: str, *, flavor: bool,
                 datastore: bool, volume: bool, contents: bool) -> Instance:
    """Trove's checks of a replica create, in its order: what a replica may not name, then
    its source (found, not itself a replica, of a datastore that replicates, available)."""
    if flavor:
        raise BadRequest("Cannot specify flavor when creating replicas.")
    if datastore:
        raise BadRequest("Cannot specify datastore when creating replicas.")
    if volume:
        raise BadRequest("Cannot specify volume when creating replicas.")
    source = cloud.instances.get(source_id)
    if source is None or source.deleting or source.region != caller.region or (
            source.project_id != caller.project_id and not caller.is_admin):
        raise NotFound(f"Resource {source_id} cannot be found.")
    if source.replica_of is not None:
        raise TroveForbidden(f"Cannot create a replica of a replica {source_id}")
    if contents:
        raise BadRequest("Cannot create a replica with users or databases.")
    if source.datastore.type not in REPLICATION_STRATEGIES:
        raise BadRequest(f"Replication is not supported for the '{source.datastore.type}' "
                         "datastore.")
    require_available(cloud, source)
    return source


def _start_task(cloud: Cloud, instance: Instance, status: str) -> None:
    instance.status = status
    instance.updated = cloud.time
    due = cloud.later(cloud.time, cloud.config.instance_action_seconds)
    instance.generation += 1
    cloud.schedule([(due, _task_done, (cloud, instance, instance.generation), instance)])


def _task_done(when: datetime, cloud: Cloud, instance: Instance, generation: int) -> None:
    if instance.generation != generation or instance.id not in cloud.instances:
        return
    instance.status = "ACTIVE"
    instance.updated = when


def promote(cloud: Cloud, caller: Caller, instance_id: str) -> None:
    """The replica becomes the primary; the old primary and its other replicas follow it."""
    replica = visible_instance(cloud, caller, instance_id)
    with refusal_noted(cloud, replica.id):
        require_available(cloud, replica)
        if replica.replica_of is None:
            raise BadRequest(f"Instance {replica.id} is not a replica.")
    old = cloud.instances[replica.replica_of]
    siblings = [i for i in replicas_of(cloud, old) if i.id != replica.id]
    data.run(cloud, replica, "promote", old.id, [s.id for s in siblings])
    replica.replica_of = None
    for follower in [old, *siblings]:
        follower.replica_of = replica.id
        _start_task(cloud, follower, PROMOTE)
    _start_task(cloud, replica, PROMOTE)


def eject(cloud: Cloud, caller: Caller, instance_id: str) -> None:
    """Trove ejects a primary only once its guest agent stopped answering (its heartbeat
    expired); trovemock's guests always answer, so the primary must have been reset
    (`reset_status`) for the ejection to go ahead: its newest replica then leads."""
    primary = visible_instance(cloud, caller, instance_id)
    replicas = replicas_of(cloud, primary)
    with refusal_noted(cloud, primary.id):
        if not replicas:
            raise BadRequest(f"Instance {primary.id} is not a replica source.")
        if not primary.service_reset:
            raise BadRequest(f"Replica Source {primary.id} cannot be ejected as it has a "
                             "current heartbeat")
    leader = replicas[-1]
    others = replicas[:-1]
    data.run(cloud, leader, "promote", None, [o.id for o in others])
    leader.replica_of = None
    for follower in others:
        follower.replica_of = leader.id
        _start_task(cloud, follower, EJECT)
    _start_task(cloud, leader, EJECT)


def detach(cloud: Cloud, caller: Caller, instance_id: str) -> None:
    """`PUT /instances/{id} {"instance": {"replica_of": ""}}`: the replica stops following
    its primary and becomes a standalone instance with the data it has."""
    replica = visible_instance(cloud, caller, instance_id)
    with refusal_noted(cloud, replica.id):
        if replica.status == "BUILD":  # Trove cannot load an instance whose server is not up
            raise Unprocessable(f"Instance {replica.id} is not ready.")
        require_available(cloud, replica)
        if replica.replica_of is None:
            raise BadRequest(f"Instance {replica.id} is not a replica.")
    data.run(cloud, replica, "detach_replica")
    replica.replica_of = None
    _start_task(cloud, replica, DETACH)


def check_delete(instance: Instance, cloud: Cloud) -> None:
    with refusal_noted(cloud, instance.id):
        if replicas_of(cloud, instance):
            raise Forbidden("Detach replicas before deleting replica source.")
