"""Who may see and act on what: the caller of a request, the one visibility rule, the status
clients see, and the availability check every action makes. A leaf of the model: the rule
modules all import it, it imports none of them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from trovemock.model.cloud import Cloud
from trovemock.model.entities import Backup, HAGroup, Instance, Schedule
from trovemock.model.errors import DomainError, Unprocessable, not_found

_Record = TypeVar("_Record", Backup, Instance, HAGroup)


@dataclass(frozen=True)
class Caller:
    """Who is asking: the URL's project, the region addressed, and whether admin."""

    project_id: str
    region: str
    is_admin: bool = False

    def sees(self, item: Backup | Instance | HAGroup | None) -> bool:
        """Whether a record exists for this caller: in its region, and in its project unless
        it is an admin. Everything else is 404, never 403 (as Trove does)."""
        return (
            item is not None
            and item.region == self.region
            and (item.project_id == self.project_id or self.is_admin)
        )


# -- reading --------------------------------------------------------------------------
def _seen(caller: Caller, found: _Record | None, record_id: str) -> _Record:
    """The one visibility rule: what the caller does not see is 404, never 403 (as Trove
    does): another project's record for a non-admin, another region's for anyone."""
    if found is None or not caller.sees(found):
        raise not_found(record_id)
    return found


def visible_backup(cloud: Cloud, caller: Caller, backup_id: str) -> Backup:
    return _seen(caller, cloud.backups.get(backup_id), backup_id)


def visible_instance(cloud: Cloud, caller: Caller, instance_id: str) -> Instance:
    return _seen(caller, cloud.instances.get(instance_id), instance_id)


def instance_status(cloud: Cloud, owner: Instance | HAGroup) -> str:
    """What clients see of an instance or HA group: BACKUP while one of its backups runs."""
    if owner.running_backup is not None and owner.status == "ACTIVE" and not getattr(
        owner, "deleting", False
    ):
        running = cloud.backups.get(owner.running_backup)
        if running is not None and running.running:
            return "BACKUP"
    if isinstance(owner, Instance) and owner.restart_required and owner.status == "ACTIVE":
        return "RESTART_REQUIRED"
    return owner.status


def require_available(cloud: Cloud, owner: Instance | HAGroup) -> None:
    """Trove's check before any action: 422 unless the shown status is ACTIVE and the
    datastore allows actions (not after `reset_status`, until the next heartbeat)."""
    shown = instance_status(cloud, owner)
    # a configuration waiting for a restart leaves actions allowed (Trove's RESTART_REQUIRED
    # task is the one task that does)
    if shown not in ("ACTIVE", "RESTART_REQUIRED") or (
            isinstance(owner, Instance) and owner.service_reset):
        kind, word = (
            ("HA instance", "ha") if isinstance(owner, HAGroup) else ("Instance", "instance")
        )
        raise Unprocessable(
            f"{kind} {owner.id} is not currently available for an action to be "
            f"performed ({word} status was {shown})."
        )


def record_fault(cloud: Cloud, instance_id: str, message: str) -> None:
    """Note a refused action on the instance (any project's: Trove looks it up by id), shown
    as `fault` in its detail view."""
    instance = cloud.instances.get(instance_id)
    if instance is not None:
        instance.fault = (wrapped(message, truncate=255), cloud.time)


@contextmanager
def refusal_noted(cloud: Cloud, instance_id: str | None) -> Iterator[None]:
    """A refused action or backup is noted as the instance's `fault` (openstack), as Trove's
    notification of the failed action does."""
    try:
        yield
    except DomainError as error:
        if cloud.dialect == "openstack" and instance_id is not None:
            record_fault(cloud, instance_id, str(error))
        raise


def wrapped(message: str, width: int = 79, truncate: int | None = None, turn: int = 0) -> str:
    """Trove's way of keeping fault lines short (trove/common/utils.py format_output): a
    line longer than `width` gets one line break at the first ". ", " (" or ": " (taken in
    turn), and again while a piece is still too long; then the text is cut at `truncate`."""
    breaks = ((". ", ".\n"), (" (", "\n("), (": ", ":\n    "))
    out = []
    for line in message.splitlines(keepends=True):
        if len(line) <= width:
            out.append(line)
            continue
        pieces, split = [line], False
        for _ in breaks:
            old, new = breaks[turn % len(breaks)]
            pieces = line.replace(old, new, 1).splitlines(keepends=True)
            turn += 1
            if len(pieces) > 1:
                split = True
                break
        for piece in pieces:
            if split and len(piece) > width:
                piece = wrapped(piece, width, turn=turn)
            out.append(piece)
    text = "".join(out)
    if truncate and len(text) > truncate:
        text = text[: truncate - 3] + "..."
    return text


def visible_group(cloud: Cloud, caller: Caller, ha_id: str) -> HAGroup:
    return _seen(caller, cloud.ha_groups.get(ha_id), ha_id)


# -- reading ----------------------------------------------------------------------------------
def visible_schedule(cloud: Cloud, caller: Caller, schedule_id: str) -> Schedule:
    """A schedule is seen in its own project only, admins included: Rackspace's schedules
    API has no admin view (and an admin's schedule of another project's instance is made in
    that project)."""
    found = cloud.schedules.get(schedule_id)
    if found is None or found.region != caller.region or found.project_id != caller.project_id:
        raise not_found(schedule_id)
    return found


def operating_status(cloud: Cloud, owner: Instance | HAGroup) -> str:
    """Trove's `operating_status` (the database service's health): HEALTHY while the server
    is ACTIVE and no task runs (a running backup included), "" while a task runs or the
    server is not ACTIVE (trove/instance/models.py SimpleInstance.operating_status), and
    ERROR after `reset_status` (Trove's UNKNOWN service status) until the guest agent's
    next heartbeat (or the instance next settles)."""
    if owner.status == "ACTIVE":
        if isinstance(owner, Instance) and owner.service_reset:
            return "ERROR"
        if isinstance(owner, Instance) and owner.restart_required:
            return ""  # a task (RESTART_REQUIRED) is pending
        return "HEALTHY"
    if owner.status == "BLOCKED":  # the server runs, the datastore reports itself blocked
        return "BLOCKED"
    return ""
