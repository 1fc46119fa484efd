"""Per-cloud settings: lifecycle durations, quota and paging."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class Config:
    """Durations are in seconds of the emulator clock."""

    backup_new_seconds: float = 1.0  # NEW -> BUILDING
    backup_building_seconds: float = 5.0  # BUILDING -> COMPLETED (or FAILED)
    instance_build_seconds: float = 10.0  # BUILD -> ACTIVE (create and restore)
    instance_action_seconds: float = 5.0  # REBOOT/RESIZE -> ACTIVE
    copy_seconds: float = 5.0  # a cross-region copy: BUILDING -> COMPLETED
    delete_seconds: float = 1.0  # upstream fidelity: a DELETE takes effect this much later
    backup_quota: int = 50  # live backups per project and region; negative = unlimited
    page_size: int = 20  # default `limit` of list calls
    default_region: str = "DFW"  # rackspace: the region of unprefixed /v1.0 URLs
    openstack_region: str = "RegionOne"  # openstack: the single region's name
    default_used_gb: float = 0.18  # data on a seeded instance; becomes a backup's size
    max_body_bytes: int = 1_048_576  # larger request bodies get 413
    # "documented" (default) or "upstream": bug-for-bug Trove 26.0.0 (trovemock/fidelity.py)
    fidelity: str = "documented"
    # single deviations to reproduce bug-for-bug while the rest stays documented
    upstream_deviations: list[str] = field(default_factory=list)
    # identity users configured or not, accept only tokens issued or registered
    strict_tokens: bool = False
    # openstack: the datastore a restore without one gets (Trove's CONF.default_datastore);
    # rackspace answers "mysql" when this is empty, as Cloud Databases does
    default_datastore: str = ""

    def __post_init__(self) -> None:
        for name in ("fidelity", "upstream_deviations"):
            _check(name, "", getattr(self, name))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def update(self, values: dict[str, Any]) -> None:
        """Validate every field first, then apply all of them (nothing half-applied)."""
        if not isinstance(values, dict):
            raise ValueError("config must be a JSON object")
        types = {f.name: f.type for f in fields(self)}
        checked: dict[str, Any] = {}
        for name, value in values.items():
            if name not in types:
                raise ValueError(f"unknown config field: {name!r}")
            checked[name] = _check(name, types[name], value)
        for name, value in checked.items():
            setattr(self, name, value)


def _check(name: str, kind: str, value: Any) -> Any:
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"config field {name!r} must be true or false")
        return value
    if name == "fidelity":
        from trovemock.fidelity import FIDELITIES

        if value not in FIDELITIES:
            raise ValueError(f"config field 'fidelity' must be one of {', '.join(FIDELITIES)}")
        return value
    if name == "upstream_deviations":
        from trovemock.fidelity import DEVIATIONS

        if not isinstance(value, list) or not all(v in DEVIATIONS for v in value):
            raise ValueError(
                "config field 'upstream_deviations' must be a list of deviation names: "
                + ", ".join(DEVIATIONS)
            )
        return list(value)
    if name == "default_datastore":
        if not isinstance(value, str):
            raise ValueError("config field 'default_datastore' must be a string")
        return value
    if kind == "str":
        if not isinstance(value, str) or not value:
            raise ValueError(f"config field {name!r} must be a non-empty string")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"config field {name!r} must be a number")
    if kind == "int":
        if value != int(value):
            raise ValueError(f"config field {name!r} must be an integer")
        value = int(value)
        if name in ("page_size", "max_body_bytes") and value < 1:
            raise ValueError(f"config field {name!r} must be at least 1")
        return value
    if value < 0 or value != value or value == float("inf"):
        raise ValueError(f"config field {name!r} must be a finite number >= 0")
    return float(value)
