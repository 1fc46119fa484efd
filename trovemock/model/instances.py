"""Instance rules: the surface the backup rules touch (status BACKUP, actions refused while a
backup runs, databases and users that a restore brings back)."""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import dataclass
from datetime import datetime

from trovemock.dataplane.protocol import UserSpec
from trovemock.fidelity import upstream
from trovemock.model import configurations, data, datastores, replication
from trovemock.model.access import (
    Caller,
    instance_status,
    refusal_noted,
    require_available,
    visible_backup,
    visible_instance,
)
from trovemock.model.catalog import FLAVORS, PRIVATE_NETWORK_ID, PUBLIC_NETWORK_ID
from trovemock.model.cloud import Cloud, Event
from trovemock.model.entities import RESTORABLE, Access, Backup, Contents, Datastore, Instance
from trovemock.model.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    Unprocessable,
)
from trovemock.model.schedules import forget_source


def server_id(instance_id: str) -> str:
    """The id of the instance's Nova server (admins see it), stable for a given instance."""
    return str(uuid.uuid5(_as_uuid(instance_id), "nova-server"))


def volume_id(instance_id: str) -> str:
    """The id of the instance's Cinder volume (admins see it)."""
    return str(uuid.uuid5(_as_uuid(instance_id), "cinder-volume"))


def addresses(instance_id: str, public: bool = False) -> list[dict[str, str]]:
    """The instance's address on the project's private network, as Trove lists the fixed
    IPs of the server's user ports: one private IPv4 address, stable for a given instance;
    and, when it is public, the floating IP on the public network Trove gives it."""
    raw = _as_uuid(instance_id).bytes
    address = f"10.{raw[0]}.{raw[1]}.{1 + raw[2] % 254}"
    found = [{"address": address, "type": "private", "network": PRIVATE_NETWORK_ID}]
    if public:
        found.append({"address": f"172.24.{raw[3]}.{1 + raw[4] % 254}", "type": "public",
                      "network": PUBLIC_NETWORK_ID})
    return found


def check_access(value: object) -> Access:
    """Trove's `access` object: `is_public` a boolean, `allowed_cidrs` a list of CIDRs."""
    if not isinstance(value, dict):
        raise BadRequest("access must be an object such as {\"is_public\": true}.")
    unknown = sorted(set(value) - {"is_public", "allowed_cidrs"})
    if unknown:
        raise BadRequest(f"access has unknown key(s): {', '.join(unknown)} (is_public, "
                         "allowed_cidrs).")
    public = value.get("is_public", False)
    if not isinstance(public, bool):
        raise BadRequest("access.is_public must be true or false.")
    cidrs = value.get("allowed_cidrs", [])
    if not isinstance(cidrs, list) or not all(isinstance(c, str) for c in cidrs):
        raise BadRequest("access.allowed_cidrs must be a list of CIDRs.")
    for cidr in cidrs:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise BadRequest(f"access.allowed_cidrs: {cidr!r} is not a CIDR.") from None
    return Access(is_public=public, allowed_cidrs=tuple(cidrs))


def update_instance(
    cloud: Cloud, caller: Caller, instance_id: str, *, name: str | None,
    access: Access | None,
) -> None:
    """`PUT`/`PATCH /instances/{id}`: a new name, and a new access (applied at once; Trove's
    taskmanager moves the instance's ports)."""
    instance = visible_instance(cloud, caller, instance_id)
    if access is not None:
        require_available(cloud, instance)
        instance.access = access
    if name is not None:
        instance.name = name
    instance.updated = cloud.time


def _as_uuid(instance_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(instance_id)
    except ValueError:  # an imported state may name instances freely
        return uuid.uuid5(uuid.NAMESPACE_URL, instance_id)


def list_instances(cloud: Cloud, caller: Caller) -> list[Instance]:
    """Newest first, as Trove sorts them (`created` descending; the later seeded first on
    a tie)."""
    project = cloud.existing_project(caller.region, caller.project_id)
    if project is None:
        return []
    newest = list(reversed(project.instances.values()))
    return sorted(newest, key=lambda i: i.created, reverse=True)


def flavor_id_of(flavor_ref: str | int) -> str:
    """The id in a flavor reference: an id or a flavor href (pyrax sends the self link)."""
    return str(flavor_ref).rstrip("/").rsplit("/", 1)[-1]


def flavor(flavor_ref: str | int) -> str:
    """A known flavor's id from a reference; an unknown one is Trove's FlavorNotFound, a 400
    on create and resize."""
    flavor_id = flavor_id_of(flavor_ref)
    if flavor_id not in FLAVORS:
        raise BadRequest(f"Resource {flavor_id} cannot be found.")
    return flavor_id


def store_instance(
    cloud: Cloud,
    *,
    instance_id: str,
    project_id: str,
    region: str,
    name: str,
    status: str,
    datastore: Datastore,
    volume_size: int,
    flavor_id: str,
    used_gb: float,
    contents: Contents,
    when: datetime,
    ends_in: str | None = None,
) -> Instance:
    """Store an instance; with `ends_in`, it moves from its status to that one after
    `instance_build_seconds`."""
    due = cloud.later(when, cloud.config.instance_build_seconds) if ends_in else None
    instance = Instance(
        id=instance_id,
        project_id=project_id,
        region=region,
        name=name,
        status=status,
        created=when,
        updated=when,
        datastore=datastore,
        volume_size=volume_size,
        flavor_id=flavor_id,
        used_gb=used_gb,
        databases=list(contents.databases),
        users=dict(contents.users),
    )
    cloud.instances[instance_id] = instance
    cloud.project(region, project_id).instances[instance_id] = instance
    if due is not None and ends_in is not None:
        _settle_at(cloud, instance, due, ends_in)
    return instance


def _settle_at(cloud: Cloud, instance: Instance, due: datetime, status: str) -> None:
    instance.generation += 1
    cloud.schedule([(due, _settle, (cloud, instance, instance.generation, status), instance)])


# Statuses an instance leaves by itself, and the setting that says how long it stays.
SETTLING = {
    "BUILD": "instance_build_seconds",
    "REBOOT": "instance_action_seconds",
    "RESIZE": "instance_action_seconds",
}


def pending(cloud: Cloud, instance: Instance) -> list[Event]:
    """An instance building, rebooting or resizing becomes ACTIVE its duration after it
    last changed. Asking supersedes any event queued before (the generation moves on)."""
    setting = SETTLING.get(instance.status)
    if setting is None:
        return []
    due = cloud.later(instance.updated, getattr(cloud.config, setting))
    instance.generation += 1
    return [(due, _settle, (cloud, instance, instance.generation, "ACTIVE"), instance)]


def _settle(when: datetime, cloud: Cloud, instance: Instance, generation: int, status: str):
    if instance.generation != generation or instance.id not in cloud.instances:
        return
    settled = data.settles_now(instance, status)
    if settled is None:  # its server is not answering yet: it settles when it does
        return
    instance.status = settled
    instance.service_reset = False
    instance.updated = when
    if instance.resize_flavor_id is not None:
        instance.flavor_id = instance.resize_flavor_id
    if instance.resize_volume_size is not None:
        instance.volume_size = instance.resize_volume_size
    instance.resize_flavor_id = instance.resize_volume_size = None


@dataclass(frozen=True)
class InstanceRequest:
    name: str
    flavor_ref: str | None
    volume_size: int | None
    datastore_type: str | None = None
    datastore_version: str | None = None
    databases: tuple[str, ...] = ()
    users: tuple[tuple[str, tuple[str, ...]], ...] = ()
    backup_ref: str | None = None
    fail: bool = False  # a fault rule asked for the restore to end in ERROR
    access: Access | None = None
    passwords: tuple[tuple[str, str], ...] = ()  # user name -> password, for a data plane
    configuration: str | None = None  # a configuration group's id
    replica_of: str | None = None  # the primary a replica follows
    replica_count: int | None = None
    # what the body named besides: a replica may not name them (Trove's words)
    named_datastore: bool = False
    named_volume: bool = False


def create_instance(cloud: Cloud, caller: Caller, req: InstanceRequest) -> Instance:
    """Plain create, a restore when `backup_ref` is set, replicas when `replica_of` is
    (checks in Trove's order)."""
    if req.replica_of is not None:
        return _create_replicas(cloud, caller, req)
    if req.replica_count is not None and req.replica_count > 1:
        raise BadRequest("Replica count only valid when creating replicas. Cannot create "
                         f"{req.replica_count} instances.")
    if req.flavor_ref is None:
        raise BadRequest("'flavorRef' is a required property")
    now = cloud.time
    flavor_id = flavor(req.flavor_ref)
    volume_size = req.volume_size if req.volume_size is not None else 1
    keep_backups = req.datastore_type is None and req.backup_ref and cloud.dialect == "rackspace"
    datastore = None if keep_backups else _requested_datastore(cloud, req)
    contents = Contents()
    used_gb = cloud.config.default_used_gb
    chain: list[Backup] = []
    if req.backup_ref is not None:
        backup = visible_backup(cloud, caller, req.backup_ref)
        if backup.status not in RESTORABLE:
            raise Conflict(
                f"Unable to create instance because backup {backup.id} is not completed. "
                f"Actual state: {backup.status}."
            )
        if backup.size is not None and backup.size > volume_size:
            raise Forbidden(
                f"Backup is too large for given flavor or volume. Backup size: "
                f"{backup.size} GBs. Available size: {volume_size} GBs."
            )
        chain = _check_chain(cloud, backup)
        if datastore is not None and datastore.type != backup.datastore.type:
            raise BadRequest(
                f"The datastore from which the backup was taken, {backup.datastore.type}, "
                f"does not match the destination datastore of {datastore.type}."
            )
        datastore = backup.datastore
        contents = backup.contents
        used_gb = backup.size if backup.size is not None else used_gb
    if datastore is None:
        datastore = cloud.datastores.register("mysql", "5.7")  # a restore brings its own
    group = None
    if req.configuration is not None:
        group = configurations.find_for(cloud, caller, req.configuration, datastore,
                                        creating=True)
    contents = _merge_contents(contents, req.databases, req.users)
    instance = store_instance(
        cloud,
        instance_id=str(uuid.uuid4()),
        project_id=caller.project_id,
        region=caller.region,
        name=req.name,
        status="BUILD",
        datastore=datastore,
        volume_size=volume_size,
        flavor_id=flavor_id,
        used_gb=used_gb,
        contents=contents,
        when=now,
        ends_in="ERROR" if req.fail else "ACTIVE",
    )
    instance.access = req.access
    if group is not None:
        instance.configuration_id = group.id
    if not req.fail:
        secrets = dict(req.passwords)
        users = tuple(UserSpec(name, secrets.get(name, ""), data.ANY_HOST, granted)
                      for name, granted in req.users)
        data.start_server(cloud, instance, req.databases, users, tuple(b.id for b in chain),
                          settings=dict(group.values) if group is not None else {})
    return instance


def _create_replicas(cloud: Cloud, caller: Caller, req: InstanceRequest) -> Instance:
    """A replica (or `replica_count` of them, named NAME-1, NAME-2, ...) of `replica_of`:
    its flavor, datastore, volume size and configuration; seeded from the primary's data
    when there is a data plane. Returns the last, as Trove's create answers."""
    assert req.replica_of is not None
    source = replication.check_create(
        cloud, caller, req.replica_of, flavor=req.flavor_ref is not None,
        datastore=req.named_datastore, volume=req.named_volume,
        contents=bool(req.databases or req.users))
    group = None
    wanted = req.configuration or source.configuration_id
    if wanted is not None:
        group = configurations.find_for(cloud, caller, wanted, source.datastore, creating=True)
    count = req.replica_count or 1
    flavor_id, volume_size = source.flavor_id, source.volume_size
    if cloud.dialect == "rackspace":  # the request's own flavor and volume
        if req.flavor_ref is not None:
            flavor_id = flavor(req.flavor_ref)
        if req.volume_size is not None:
            volume_size = req.volume_size
    made = []
    for number in range(1, count + 1):
        instance = store_instance(
            cloud, instance_id=str(uuid.uuid4()), project_id=source.project_id,
            region=source.region,
            name=f"{req.name}-{number}" if count > 1 else req.name, status="BUILD",
            datastore=source.datastore, volume_size=volume_size,
            flavor_id=flavor_id, used_gb=source.used_gb, contents=source.contents(),
            when=cloud.time, ends_in="ACTIVE",
        )
        instance.replica_of = source.id
        instance.access = req.access
        instance.configuration_id = group.id if group is not None else None
        data.start_replica(cloud, instance, source,
                           settings=dict(group.values) if group is not None else {})
        made.append(instance)
    return made[-1]


def _merge_contents(
    restored: Contents,
    databases: tuple[str, ...],
    users: tuple[tuple[str, tuple[str, ...]], ...],
) -> Contents:
    """A restore's databases and users: the backup's, plus those the request names. Trove
    passes the request's on to the guest, which creates what is missing, so a name the backup
    already holds is accepted (a user keeps its grants and gains the requested ones)."""
    # Ordered sets (dicts): a request may repeat names, and a list scan per name would make
    # the cost quadratic under the cloud's lock.
    names = dict.fromkeys(restored.databases)
    names.update(dict.fromkeys(databases))
    grants = {name: dict.fromkeys(granted) for name, granted in restored.users}
    for name, granted in users:
        grants.setdefault(name, {}).update(dict.fromkeys(granted))
    return Contents(tuple(names), tuple((n, tuple(g)) for n, g in grants.items()))


def _check_chain(cloud: Cloud, backup: Backup) -> list[Backup]:
    """An incremental restore applies every ancestor first: each must still be usable (and,
    with a data plane, its object there and intact). Returns the chain, full first."""
    chain = [backup]
    parent_id = backup.parent_id
    while parent_id is not None:
        parent = cloud.backups.get(parent_id)
        if parent is None:
            raise NotFound(f"Resource {parent_id} cannot be found.")
        if parent.status not in RESTORABLE:
            raise Conflict(
                f"Unable to create instance because backup {parent.id} is not completed. "
                f"Actual state: {parent.status}."
            )
        chain.append(parent)
        parent_id = parent.parent_id
    chain.reverse()
    data.check_restore(cloud, chain)
    return chain


def _requested_datastore(cloud: Cloud, req: InstanceRequest) -> Datastore | None:
    """The datastore asked for, else `config.default_datastore` (rackspace: mysql, as Cloud
    Databases defaults it); with neither, Trove's 400 (trove/datastore/models.py)."""
    if req.datastore_type is None:
        default = cloud.config.default_datastore or (
            "mysql" if cloud.dialect == "rackspace" else ""
        )
        if not default:
            raise BadRequest("Please specify datastore. No default datastore is defined.")
        kind = cloud.datastores.type_named(default)
        if kind is None:
            raise NotFound(f"Datastore '{default}' cannot be found.")
        return cloud.datastores.default_for(kind)
    kind = cloud.datastores.type_named(req.datastore_type)
    if kind is None:
        raise NotFound(f"Datastore '{req.datastore_type}' cannot be found.")
    if req.datastore_version is None:
        return cloud.datastores.default_for(kind)
    return datastores.find_version(cloud, kind, req.datastore_version)


def delete_instance(cloud: Cloud, caller: Caller, instance_id: str) -> None:
    """Backups outlive their instance. In the rackspace dialect a running backup blocks the
    delete (the seeds say so); Trove deletes anyway. In upstream fidelity the instance shows
    SHUTDOWN until the taskmanager removes it (deviation async_delete)."""
    instance = visible_instance(cloud, caller, instance_id)
    replication.check_delete(instance, cloud)
    if instance.ha_id is not None and instance.ha_id in cloud.ha_groups:
        # Rackspace manages an HA group's members through the group: deleting one alone
        # would leave the group (its backups, its schedule) naming an instance that is gone.
        raise Unprocessable(
            f"Instance {instance.id} is a member of HA instance {instance.ha_id}; it cannot "
            "be deleted on its own."
        )
    if cloud.dialect == "rackspace" and instance_status(cloud, instance) == "BACKUP":
        require_available(cloud, instance)
    instance.generation += 1
    if upstream(cloud.config, "async_delete"):
        if not instance.deleting:
            instance.deleting = True
            instance.status = "SHUTDOWN"
            due = cloud.later(cloud.time, cloud.config.delete_seconds)
            cloud.schedule([(due, _forget, (cloud, instance, instance.generation), instance)])
        return
    _forget(cloud.time, cloud, instance, instance.generation)


def _forget(when: datetime, cloud: Cloud, instance: Instance, generation: int) -> None:
    if instance.generation != generation or instance.id not in cloud.instances:
        return
    del cloud.instances[instance.id]
    del cloud.project(instance.region, instance.project_id).instances[instance.id]
    data.remove_server(cloud, instance)
    forget_source(cloud, "instance", instance.id)  # its backup schedule stops


def restart(cloud: Cloud, caller: Caller, instance_id: str) -> None:
    now = cloud.time
    instance = visible_instance(cloud, caller, instance_id)
    with refusal_noted(cloud, instance.id):
        require_available(cloud, instance)
    due = cloud.later(now, cloud.config.instance_action_seconds)
    instance.status = "REBOOT"
    instance.updated = now
    instance.restart_required = False  # the restart applies what waited for it
    data.restart_server(cloud, instance)
    _settle_at(cloud, instance, due, "ACTIVE")


def resize(
    cloud: Cloud,
    caller: Caller,
    instance_id: str,
    *,
    flavor_ref: str | None = None,
    volume_size: int | None = None,
) -> None:
    now = cloud.time
    instance = visible_instance(cloud, caller, instance_id)
    new_flavor = None
    with refusal_noted(cloud, instance.id):  # in Trove's order
        if volume_size is not None and volume_size <= instance.volume_size:
            raise BadRequest(
                f"The new volume 'size' must be larger than the current volume size of "
                f"'{instance.volume_size}'."
            )
        require_available(cloud, instance)
        if flavor_ref is not None:
            wanted = flavor_id_of(flavor_ref)
            if wanted == instance.flavor_id:
                raise BadRequest(
                    "The new flavor id must be different than the current flavor id of "
                    f"'{instance.flavor_id}'."
                )
            new_flavor = flavor(wanted)
    due = cloud.later(now, cloud.config.instance_action_seconds)
    instance.resize_flavor_id = new_flavor
    instance.resize_volume_size = volume_size
    instance.status = "RESIZE"
    instance.updated = now
    _settle_at(cloud, instance, due, "ACTIVE")


# -- databases and users ------------------------------------------------------------------
def add_databases(cloud: Cloud, caller: Caller, instance_id: str, names: list[str]) -> None:
    """All or nothing; checks cost O(existing + new) (sets, never a list scan per name)."""
    instance = visible_instance(cloud, caller, instance_id)
    require_available(cloud, instance)
    data.refresh(cloud, instance)
    existing = set(instance.databases)
    taken = [n for n in names if n in existing]
    if taken or len(set(names)) != len(names):
        raise BadRequest(f'A database with the name "{(taken or names)[0]}" already exists.')
    data.run(cloud, instance, "create_databases", names)
    instance.databases.extend(names)


def remove_database(cloud: Cloud, caller: Caller, instance_id: str, name: str) -> None:
    instance = visible_instance(cloud, caller, instance_id)
    require_available(cloud, instance)
    data.refresh(cloud, instance)
    if name not in instance.databases:
        raise NotFound(f"Database {name} cannot be found on the instance.")
    data.run(cloud, instance, "drop_database", name)
    instance.databases.remove(name)


def add_users(
    cloud: Cloud, caller: Caller, instance_id: str, users: list[tuple[str, tuple[str, ...]]],
    passwords: dict[str, str] | None = None,
) -> None:
    instance = visible_instance(cloud, caller, instance_id)
    require_available(cloud, instance)
    data.refresh(cloud, instance)
    names = [name for name, _ in users]
    taken = [n for n in names if n in instance.users]
    if taken or len(set(names)) != len(names):
        raise BadRequest(f'A user with the name "{(taken or names)[0]}" already exists.')
    # a grant of a database that does not exist is kept (MySQL keeps it; Trove's guest
    # lists it), so the databases named are not checked
    data.run(cloud, instance, "create_users", [
        UserSpec(name, (passwords or {}).get(name, ""), data.ANY_HOST, granted)
        for name, granted in users])
    for name, databases in users:
        instance.users[name] = databases


def remove_user(cloud: Cloud, caller: Caller, instance_id: str, name: str) -> None:
    instance = visible_instance(cloud, caller, instance_id)
    require_available(cloud, instance)
    data.refresh(cloud, instance)
    if name not in instance.users:
        raise NotFound(f"User {name} cannot be found on the instance.")
    data.run(cloud, instance, "drop_user", name, data.ANY_HOST)
    del instance.users[name]




def contents_of(cloud: Cloud, caller: Caller, instance_id: str) -> Instance:
    """The instance, its databases and users read back from its server when it has one
    (the list routes)."""
    instance = visible_instance(cloud, caller, instance_id)
    data.refresh(cloud, instance)
    return instance


def shown_addresses(cloud: Cloud, instance: Instance, public: bool) -> list[dict[str, str]]:
    """The addresses the API shows: with a data plane, the server's loopback address for
    both the private and the public one (clients connect to whichever they pick)."""
    found = addresses(instance.id, public)
    served = data.server_address(cloud, instance)
    if served is not None:
        for entry in found:
            entry["address"] = served[0]
    return found
