"""The opt-in data plane: a real database server behind every emulated instance, and real
backups (Trove's tools and formats) behind every backup.

Nothing here is imported unless a cloud is made with a data plane, so the default API-only
emulator keeps its start-up cost. `trovemock.dataplane.servers.ServersPlane` is the
implementation; the model talks to it through `trovemock.dataplane.protocol.DataPlane`.
"""

from __future__ import annotations

from typing import Any

KINDS = ("none", "servers")


def open_dataplane(spec: Any) -> Any:
    """A data plane from `"servers"`, a `servers.Settings`, or a ready plane (returned as
    it is). Imported on first use: an API-only emulator never loads the data plane."""
    from trovemock.dataplane import servers

    if spec == "servers":
        return servers.ServersPlane()
    if isinstance(spec, servers.Settings):
        return servers.ServersPlane(spec)
    if isinstance(spec, servers.ServersPlane):
        return spec
    raise ValueError(f"dataplane must be one of {KINDS} or a trovemock.dataplane.servers."
                     f"Settings, not {spec!r}")
