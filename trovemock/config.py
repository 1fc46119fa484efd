"""Per-cloud settings: lifecycle durations, quota, paging, and the limits that keep one
request or one long-running server from using unbounded time or memory.

Every field is checked when it is set (`Config(...)`, `config.update({...})`, or a plain
`config.field = value`), so a value the emulator cannot honour is refused at the door with a
ValueError naming the field, never accepted and turned into a 500 later.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from trovemock.checks import Fields
from trovemock.clock import MAX_DURATION_SECONDS
from trovemock.fidelity import DEVIATIONS, FIDELITIES

DIALECTS = ("openstack", "rackspace")

# The largest whole-number setting the emulator can honour (a count or size it slices and
# compares with; far beyond any memory it could use).
MAX_WHOLE = 2**31 - 1

# The regions of a rackspace cloud (Cloud Databases' six), which `default_region` names.
RACKSPACE_REGIONS = ("DFW", "IAD", "ORD", "HKG", "SYD", "LON")

MIB = 1024 * 1024


@dataclass
class Config:
    """Durations are in seconds of the emulator clock (at most `MAX_DURATION_SECONDS`, about
    100 years: far enough for "never finishes", near enough that no due time overflows)."""

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
    # "documented" (default) or "upstream": bug-for-bug Trove 26.0.0 (trovemock/fidelity.py)
    fidelity: str = "documented"
    # single deviations to reproduce bug-for-bug while the rest stays documented
    upstream_deviations: list[str] = field(default_factory=list)
    # identity users configured or not, accept only tokens issued or registered
    strict_tokens: bool = False
    # openstack: the datastore a restore without one gets (Trove's CONF.default_datastore);
    # rackspace answers "mysql" when this is empty, as Cloud Databases does
    default_datastore: str = ""
    # -- limits ---------------------------------------------------------------------------
    max_body_bytes: int = MIB  # Trove API request bodies: larger ones get 413
    max_control_body_bytes: int = 64 * MIB  # control API bodies (a state import): 413 above
    max_items_per_request: int = 1000  # items of any list in a Trove API body: 400 above
    journal_max_bytes: int = 64 * MIB  # the journal forgets its oldest entries above this
    max_fault_rules: int = 1000  # adding one more fault rule is refused
    max_identity_tokens: int = 10_000  # the identity service forgets its oldest tokens

    def __setattr__(self, name: str, value: Any) -> None:
        kinds = _KINDS.get(name)
        if kinds is not None:
            value = _check(name, kinds, value)
        object.__setattr__(self, name, value)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def update(self, values: dict[str, Any]) -> None:
        """Validate every field first, then apply all of them (nothing half-applied)."""
        if not isinstance(values, dict):
            raise ValueError("config must be a JSON object")
        checked: dict[str, Any] = {}
        for name, value in values.items():
            if name not in _KINDS:
                raise ValueError(
                    f"unknown config field: {name!r} (known: {', '.join(sorted(_KINDS))})"
                )
            checked[name] = _check(name, _KINDS[name], value)
        for name, value in checked.items():
            object.__setattr__(self, name, value)


_KINDS: dict[str, str] = {f.name: str(f.type) for f in fields(Config)}
# Limits and sizes: whole numbers >= 1.
_AT_LEAST_ONE = frozenset(
    {
        "page_size",
        "max_body_bytes",
        "max_control_body_bytes",
        "max_items_per_request",
        "journal_max_bytes",
        "max_fault_rules",
        "max_identity_tokens",
    }
)
_DURATIONS = frozenset(
    {
        "delete_seconds",
        "backup_new_seconds",
        "backup_building_seconds",
        "instance_build_seconds",
        "instance_action_seconds",
        "copy_seconds",
    }
)


def _check(name: str, kind: str, value: Any) -> Any:
    field = Fields({name: value}, "config")
    if kind == "bool":
        return field.flag(name)
    if name == "fidelity":
        return field.one_of(name, FIDELITIES)
    if name == "upstream_deviations":
        names = field.names(name, required=True)
        if not all(v in DEVIATIONS for v in names):
            field.refuse(name, "a list of deviation names: " + ", ".join(DEVIATIONS), value)
        return names
    if name == "default_datastore":
        return field.text(name, empty=True)
    if kind == "str":
        text = field.text(name)
        return _region(text) if name == "default_region" else text
    if kind == "int":
        if isinstance(value, float) and value.is_integer():
            field = Fields({name: int(value)}, "config")  # JSON may say 10.0
        return field.whole(name, low=1 if name in _AT_LEAST_ONE else None, high=MAX_WHOLE)
    if kind == "float":
        high = MAX_DURATION_SECONDS if name in _DURATIONS else None
        return field.number(name, low=0, high=high)
    return value  # a field of another kind checks itself where it is used


def _region(value: str) -> str:
    for region in RACKSPACE_REGIONS:
        if region.lower() == value.lower():
            return region
    Fields({"default_region": value}, "config").refuse(
        "default_region", "one of " + ", ".join(RACKSPACE_REGIONS), value
    )
