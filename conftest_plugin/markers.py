"""The `trove` and `trove_faults` markers: reading them and applying them to a fresh cloud."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from trovemock import TroveMock

TROVE_MARKER_HELP = (
    "trove(dialect=..., quota=..., durations={...}, start=..., dataplane=..., engines=..., "
    "<Config field>=...): configure the cloud of the trovemock fixtures (dialect 'openstack' "
    "or 'rackspace'; quota sets config.backup_quota; durations maps Config *_seconds fields "
    "to seconds; start sets the manual clock's start time; dataplane='servers' backs "
    "instances with real database servers; engines names those the test needs, "
    "('mariadb', 'postgresql'): the test skips when one is not installed, or fails when "
    "TROVEMOCK_REQUIRE_DATAPLANE=1)"
)
REQUIRE_VARIABLE = "TROVEMOCK_REQUIRE_DATAPLANE"
FAULTS_MARKER_HELP = (
    "trove_faults(dict(...), ...): preload fault rules (each dict is the keyword arguments of "
    "mock.faults.add) into the trovemock fixtures' cloud"
)


def trove_settings(node: pytest.Item) -> dict[str, Any]:
    """The keyword arguments of every `trove` marker on the test, the closest one winning."""
    settings: dict[str, Any] = {}
    for marker in reversed(list(node.iter_markers("trove"))):
        if marker.args:
            _usage("trove", "takes keyword arguments only, e.g. trove(dialect='rackspace')")
        settings.update(marker.kwargs)
    return settings


def marked_dialect(node: pytest.Item) -> str | None:
    return trove_settings(node).get("dialect")


def configure(mock: TroveMock, settings: dict[str, Any]) -> None:
    """Apply `trove` marker settings (other than dialect and start) to `mock.config`."""
    from trovemock.config import Config

    names = {name for name in Config().to_dict()}
    values: dict[str, Any] = {}
    for key, value in settings.items():
        if key in ("dialect", "start", "dataplane", "engines"):
            continue
        if key == "quota":
            values["backup_quota"] = value
        elif key == "durations":
            values.update(_durations(value, names))
        elif key in names:
            values[key] = value
        else:
            _usage("trove", f"unknown option {key!r}; use dialect, quota, durations, start "
                   f"or a Config field ({', '.join(sorted(names))})")
    try:
        mock.config.update(values)
    except ValueError as error:
        _usage("trove", str(error))


def preload_faults(mock: TroveMock, node: pytest.Item) -> None:
    """Add the rules of every `trove_faults` marker, the closest marker's rules first (the
    first matching rule wins, so a test's own rules beat its module's)."""
    for marker in node.iter_markers("trove_faults"):
        rules = list(marker.args) + ([marker.kwargs] if marker.kwargs else [])
        for rule in rules:
            if not isinstance(rule, dict):
                _usage("trove_faults", f"each rule must be a dict, not {rule!r}")
            try:
                mock.faults.add(**rule)
            except ValueError as error:
                _usage("trove_faults", f"{error} (rule {rule!r})")


def require_engines(node: pytest.Item, engines: Any) -> None:
    """Skip the test (fail it when TROVEMOCK_REQUIRE_DATAPLANE=1) unless every engine it
    names is installed; no names: at least one engine."""
    import os

    from trovemock.dataplane.servers import make_engines

    found = make_engines(())
    if isinstance(engines, str):
        engines = (engines,)
    unknown = [name for name in engines or () if name not in found]
    if unknown:
        _usage("trove", f"engines: unknown {unknown} (known: {', '.join(found)})")
    wanted = list(engines) if engines else list(found)
    missing = {name: reason for name in wanted if (reason := found[name].missing())}
    if not missing or (not engines and len(missing) < len(found)):
        return
    text = "; ".join(missing.values())
    if os.environ.get(REQUIRE_VARIABLE) == "1":
        pytest.fail(f"data plane engine missing ({REQUIRE_VARIABLE}=1): {text}",
                    pytrace=False)
    pytest.skip(f"data plane engine missing: {text}")


def _durations(value: Any, names: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        _usage("trove", "durations must be a dict such as {'backup_building_seconds': 60}")
    allowed = sorted(name for name in names if name.endswith("_seconds"))
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        _usage("trove", f"unknown duration(s) {', '.join(unknown)}; known: {', '.join(allowed)}")
    return dict(value)


def _usage(marker: str, message: str) -> None:
    pytest.fail(f"@pytest.mark.{marker}: {message}", pytrace=False)
