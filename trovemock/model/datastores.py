"""Datastore types and versions as the API shows them (`/datastores...`).

The catalogue is `cloud.datastores`; these lookups add Trove's name-or-id rules and errors:
a type is found by id or name, a version under a type by id or name (an unknown uuid is 404,
an unknown name 400), and a version on its own only by id (400 otherwise).

Versions come in the order of Trove's two queries: the list of types reads every version in
the order the operator registered them, a type's show and version list read that type's
versions through its (datastore, name) index, by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trovemock.model.catalog import OBSOLETE_VERSIONS
from trovemock.model.cloud import Cloud
from trovemock.model.entities import Datastore
from trovemock.model.errors import BadRequest, NotFound

UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class DatastoreType:
    id: str
    name: str
    versions: tuple[Datastore, ...]
    default_version_id: str | None


def is_deprecated(version: Datastore) -> bool:
    return (version.type, version.version) in OBSOLETE_VERSIONS


def list_types(cloud: Cloud) -> list[DatastoreType]:
    return [_type(cloud, kind, by_name=False) for kind in cloud.datastores.types()]


def find_type(cloud: Cloud, name_or_id: str) -> DatastoreType:
    kind = cloud.datastores.type_named(name_or_id)
    if kind is None:
        raise NotFound(f"Datastore '{name_or_id}' cannot be found.")
    return _type(cloud, kind, by_name=True)


def find_version(cloud: Cloud, type_name_or_id: str, version: str) -> Datastore:
    """A version of a type, by id or by name."""
    kind = find_type(cloud, type_name_or_id)
    for candidate in kind.versions:
        if version in (candidate.version_id, candidate.version):
            return candidate
    if UUID.match(version):
        raise NotFound("DBDatastoreVersion Not Found")  # Trove's ModelNotFoundError text
    raise BadRequest(f"Datastore version '{version}' cannot be found.")


def version_by_id(cloud: Cloud, version_id: str) -> Datastore:
    found = cloud.datastores.find_version(version_id)
    if found is None:
        raise BadRequest(f"Datastore version '{version_id}' cannot be found.")
    return found


def _type(cloud: Cloud, kind: str, *, by_name: bool) -> DatastoreType:
    versions = tuple(cloud.datastores.versions_of(kind))
    if by_name:
        versions = tuple(sorted(versions, key=lambda d: d.version))
    default = cloud.datastores.default_for(kind)
    return DatastoreType(
        id=versions[0].type_id,
        name=kind,
        versions=versions,
        default_version_id=default.version_id if default is not None else None,
    )
