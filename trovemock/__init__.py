"""trovemock: an emulator of the OpenStack Trove / Rackspace Cloud Databases Backups API."""

from trovemock.clock import ManualClock, SystemClock
from trovemock.config import Config
from trovemock.mock import RegionApp, TroveMock

__version__ = "0.1.0"

__all__ = ["Config", "ManualClock", "RegionApp", "SystemClock", "TroveMock", "__version__"]
