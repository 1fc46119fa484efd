"""What the guest agent does inside an instance: the root user, and the datastore status
that `reset_status` sets and the agent's next heartbeat restores."""

from __future__ import annotations

import secrets
from datetime import datetime

from trovemock.fidelity import upstream
from trovemock.model import data
from trovemock.model.access import Caller, instance_status, operating_status, visible_instance
from trovemock.model.backups import fail_running_backups
from trovemock.model.cloud import Cloud, Event
from trovemock.model.entities import Instance
from trovemock.model.errors import Forbidden, NotFound, Unprocessable, not_found

# -- root user ----------------------------------------------------------------------------
# The datastores whose root user the API manages (Trove: mysql, mariadb and postgresql;
# Rackspace's MySQL family: mysql, percona and mariadb).
ROOT_DATASTORES = {
    "openstack": frozenset({"mysql", "mariadb", "postgresql"}),
    "rackspace": frozenset({"mysql", "percona", "mariadb"}),
}


# What the guest agent reports of the database while the instance is not serving, as Trove
# words it (ServiceStatuses' descriptions): installing it while the server builds, nothing
# yet when the build failed, stopped while off or resizing.
GUEST_STATUS = {
    "BUILD": "building",
    "ERROR": "new",
    "SHUTDOWN": "shutdown",
    "RESIZE": "shutdown",
    "REBOOT": "restarting",
    "BLOCKED": "blocked",
}


def _root_instance(cloud: Cloud, caller: Caller, instance_id: str) -> Instance:
    """Trove's checks before any root call: the instance, in the URL's project even for an
    admin (Trove looks it up by project), its datastore, its status."""
    instance = cloud.instances.get(instance_id)
    if (
        instance is None
        or instance.region != caller.region
        or instance.project_id != caller.project_id
    ):
        if upstream(cloud.config, "root_not_found_message"):
            raise NotFound("DBCluster Not Found")
        raise not_found(instance_id)
    if instance.datastore.type not in ROOT_DATASTORES[cloud.dialect]:
        raise Unprocessable(f"Operation not supported for datastore {instance.datastore.type}.")
    if operating_status(cloud, instance) != "HEALTHY":
        if instance.service_reset:
            shown = "unknown"
        else:
            status = instance_status(cloud, instance)
            shown = GUEST_STATUS.get(status, status.lower())
        raise Unprocessable(f"Instance {instance.id} is not ready, status: {shown}.")
    return instance


def enable_root(
    cloud: Cloud, caller: Caller, instance_id: str, password: str | None = None
) -> tuple[str, str]:
    """Enable (or reset) the root user: ("root", the given or a generated password; an
    empty one is generated too, as the guest agent does)."""
    instance = _root_instance(cloud, caller, instance_id)
    password = password or secrets.token_urlsafe(24)
    data.run(cloud, instance, "enable_root", password)
    instance.root_enabled = True
    return "root", password


def root_enabled(cloud: Cloud, caller: Caller, instance_id: str) -> bool:
    """Whether root was enabled and not disabled since (history, not a live check)."""
    return _root_instance(cloud, caller, instance_id).root_enabled


def disable_root(cloud: Cloud, caller: Caller, instance_id: str) -> None:
    instance = _root_instance(cloud, caller, instance_id)
    if not instance.root_enabled:
        raise NotFound("Root user has never been enabled on the instance.")
    data.run(cloud, instance, "disable_root")
    instance.root_enabled = False


def reset_status(cloud: Cloud, caller: Caller, instance_id: str, *, force_delete: bool) -> None:
    """Trove's `reset_status` action: admin only, or the owner when it asks for
    `force_delete`. Every running backup of the instance becomes FAILED (completed ones are
    untouched) and the datastore status is UNKNOWN (ERROR, no actions) until the guest
    agent's next heartbeat."""
    instance = visible_instance(cloud, caller, instance_id)
    if not caller.is_admin and not (force_delete and instance.project_id == caller.project_id):
        policy = "instance:force_delete" if force_delete else "instance:reset_status"
        raise Forbidden(f"Policy doesn't allow {policy} to be performed.")
    cloud.later(cloud.time, HEARTBEAT_SECONDS)  # before any change: it may overflow
    instance.service_reset = True
    instance.updated = cloud.time
    fail_running_backups(cloud, instance)
    cloud.schedule(pending(cloud, instance))


def pending(cloud: Cloud, instance: Instance) -> list[Event]:
    """After `reset_status`, the guest agent's next heartbeat restores the datastore status,
    HEARTBEAT_SECONDS after the reset."""
    if not instance.service_reset:
        return []
    return [(cloud.later(instance.updated, HEARTBEAT_SECONDS), _heartbeat, (cloud, instance), None)]


# The guest agent reports the database's status on its periodic task (oslo.service's
# default interval): a status `reset_status` set is replaced within that time.
HEARTBEAT_SECONDS = 60.0


def _heartbeat(when: datetime, cloud: Cloud, instance: Instance) -> None:
    """The guest's next heartbeat: the datastore reads HEALTHY again (the server's own
    status is untouched)."""
    if instance.id in cloud.instances and instance.service_reset:
        instance.service_reset = False
