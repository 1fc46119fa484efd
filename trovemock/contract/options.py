"""What a contract run is told: the deployment's URL, a token, and how far it may go."""

from __future__ import annotations

from dataclasses import dataclass

from trovemock.config import DIALECTS


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
        if self.dialect not in ("auto", *DIALECTS):
            raise ValueError(
                f"--dialect must be auto, openstack or rackspace, not {self.dialect!r}")
        if self.allow_writes and not self.instance:
            raise ValueError("--allow-writes needs --instance (the instance to back up)")
        if self.timeout <= 0:
            raise ValueError("--timeout must be positive")
