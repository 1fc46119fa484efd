"""What the HTTP faces need of one emulated cloud. A `TroveMock` is one; the faces take it as
this protocol, so nothing below the facade imports the facade."""

from __future__ import annotations

from typing import Protocol

from trovemock.clock import Clock
from trovemock.config import Config
from trovemock.exchange import FaultDecider, InternalErrors
from trovemock.journal import Journal
from trovemock.model.cloud import Cloud
from trovemock.tokens import TokenRegistry


class ApiHost(Protocol):
    @property
    def cloud(self) -> Cloud: ...
    @property
    def config(self) -> Config: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def faults(self) -> FaultDecider: ...
    @property
    def journal(self) -> Journal: ...
    @property
    def tokens(self) -> TokenRegistry: ...
    @property
    def dialect(self) -> str: ...
    @property
    def internal_errors(self) -> InternalErrors: ...
