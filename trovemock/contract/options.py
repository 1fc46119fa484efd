"""What a contract run is told: the deployment's URL, a token, and how far it may go."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from trovemock.config import DIALECTS

ENDPOINT_PATH = re.compile(r"/v1\.0/[^/]+/?$")


@dataclass
class ContractOptions:
    url: str  # e.g. https://dfw.databases.api.rackspacecloud.com/v1.0/<project>
    token: str | None
    dialect: str = "auto"  # "auto", "openstack" or "rackspace"
    instance: str | None = None
    allow_writes: bool = False
    timeout: float = 600.0  # bound of each wait (backup to COMPLETED, delete to 404)
    request_timeout: float = 30.0

    def validate(self) -> None:
        """Raise ValueError naming the bad option."""
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"--url must be an http(s) URL, got {self.url!r}")
        if not ENDPOINT_PATH.search(urlsplit(self.url).path):
            raise ValueError(
                "--url must end in /v1.0/<project> (the Trove endpoint with the project, as "
                f"the service catalog lists it), got {self.url!r}")
        if self.dialect not in ("auto", *DIALECTS):
            raise ValueError(
                f"--dialect must be auto, openstack or rackspace, not {self.dialect!r}")
        if self.allow_writes and not self.instance:
            raise ValueError("--allow-writes needs --instance (the instance to back up)")
        if self.timeout <= 0:
            raise ValueError("--timeout must be positive")
