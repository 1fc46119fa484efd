"""trovemock: an emulator of the OpenStack Trove / Rackspace Cloud Databases Backups API.

The public names are imported on first use (PEP 562), so importing a submodule, the pytest
plugin's entry point or `trovemock.__version__` does not load the emulator and werkzeug.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Config", "ManualClock", "RegionApp", "SystemClock", "TroveMock", "WSGITransport",
    "__version__",
]

_HOME = {
    "Config": "trovemock.config",
    "ManualClock": "trovemock.clock",
    "SystemClock": "trovemock.clock",
    "RegionApp": "trovemock.mock",
    "TroveMock": "trovemock.mock",
    "WSGITransport": "trovemock.transport",  # needs `requests`
}

if TYPE_CHECKING:
    from trovemock.clock import ManualClock, SystemClock
    from trovemock.config import Config
    from trovemock.mock import RegionApp, TroveMock
    from trovemock.transport import WSGITransport


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'trovemock' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
