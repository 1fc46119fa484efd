"""Fixed reference data: regions, flavors and datastores."""

from __future__ import annotations

import uuid

from trovemock.config import RACKSPACE_REGIONS
from trovemock.model.entities import Datastore, Flavor

__all__ = ["RACKSPACE_REGIONS"]  # the regions a rackspace cloud has (a setting's domain)

# Regions that take part in cross-region copies (the seeds: "LON is not supported").
COPY_REGIONS = ("DFW", "IAD", "ORD", "HKG", "SYD")

# Rackspace Cloud Databases flavors (ids and RAM as the public service lists them).
FLAVORS = {
    f.id: f
    for f in (
        Flavor("1", "512MB Instance", 512),
        Flavor("2", "1GB Instance", 1024),
        Flavor("3", "2GB Instance", 2048),
        Flavor("4", "4GB Instance", 4096),
        Flavor("5", "8GB Instance", 8192),
        Flavor("6", "16GB Instance", 16384),
        Flavor("7", "32GB Instance", 32768),
        Flavor("8", "64GB Instance", 65536),
    )
}

_NAMESPACE = uuid.UUID("5d0c6a0e-7c2b-4f43-9a53-2a3c1d1e0b5f")
_KNOWN = (
    ("mysql", "5.7"),
    ("mysql", "5.6"),
    ("mysql", "8.0"),
    ("percona", "5.6"),
    ("percona", "5.7"),
    ("mariadb", "10.4"),
    ("postgresql", "12"),
)


def stable_id(*parts: str) -> str:
    """A deterministic UUID, so datastore ids are the same in every emulated cloud."""
    return str(uuid.uuid5(_NAMESPACE, ":".join(parts)))


# The project network every instance's address is on (Neutron's network id in Trove's view).
PRIVATE_NETWORK_ID = stable_id("network", "private")
PUBLIC_NETWORK_ID = stable_id("network", "public")


class Datastores:
    """The datastore types and versions a cloud knows. Seeding (`register`) adds a pair the
    cloud does not know yet, so tests can use any datastore they like; the API only looks
    pairs up and never adds one."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str], Datastore] = {}
        for kind, version in _KNOWN:
            self.register(kind, version)

    def register(self, kind: str, version: str) -> Datastore:
        """The pair, added first if the cloud does not know it (seeding only)."""
        key = (kind, version)
        found = self._by_key.get(key)
        if found is None:
            found = Datastore(kind, version, stable_id("version", kind, version), stable_id(kind))
            self._by_key[key] = found
        return found

    def find_version(self, version_id: str) -> Datastore | None:
        return next((d for d in self._by_key.values() if d.version_id == version_id), None)

    def type_named(self, name_or_id: str) -> str | None:
        """The datastore type named by a type name (any case) or type id, else None."""
        wanted = name_or_id.lower()
        for d in self._by_key.values():
            if d.type.lower() == wanted or d.type_id == name_or_id:
                return d.type
        return None

    def default_for(self, kind: str) -> Datastore | None:
        return next((d for d in self._by_key.values() if d.type == kind), None)

    def types(self) -> list[str]:
        """Every datastore type, by name."""
        return sorted({d.type for d in self._by_key.values()})

    def versions_of(self, kind: str) -> list[Datastore]:
        """The versions of one type, in the order they were registered."""
        return [d for d in self._by_key.values() if d.type == kind]


# What Trove shows admins of a datastore version: the guest agent's manager class
# (`registry_ext`) and replication strategy of its datastore manager, as `trove-manage
# datastore_version_update` records them by default (Trove 26 has no percona guest; an
# operator names MySQL's).
_GUEST = "trove.guestagent.datastore"
_REPLICATION = "trove.guestagent.strategies.replication"
GUEST_MANAGERS = {
    "mysql": f"{_GUEST}.mysql.manager.Manager",
    "percona": f"{_GUEST}.mysql.manager.Manager",
    "mariadb": f"{_GUEST}.mariadb.manager.Manager",
    "postgresql": f"{_GUEST}.postgres.manager.PostgresManager",
}
REPLICATION_STRATEGIES = {
    "mysql": f"{_REPLICATION}.mysql_gtid.MysqlGTIDReplication",
    "percona": f"{_REPLICATION}.mysql_gtid.MysqlGTIDReplication",
    "mariadb": f"{_REPLICATION}.mariadb_gtid.MariaDBGTIDReplication",
    "postgresql": f"{_REPLICATION}.postgresql.PostgresqlReplicationStreaming",
}


def image_id(datastore: Datastore) -> str:
    """The Glance image a datastore version's instances boot from (stable, made up)."""
    return stable_id("image", datastore.type, datastore.version)


# Rackspace marks these versions obsolete (docs: "MySQL 5.6, Percona 5.6 and MariaDB 10"):
# still listed for instances that run them, flagged `deprecated`, no scheduled backups.
OBSOLETE_VERSIONS = frozenset({("mysql", "5.6"), ("percona", "5.6"), ("mariadb", "10")})
