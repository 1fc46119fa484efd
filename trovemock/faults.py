"""Fault injection rules (placeholder: the test-control issue fills this in)."""

from __future__ import annotations

from trovemock.hooks import FaultAction, RequestInfo


class FaultRules:
    def __init__(self, seed: int = 0) -> None:
        self._rules: list = []

    def decide(self, info: RequestInfo) -> FaultAction | None:
        return None

    def clear(self) -> None:
        self._rules.clear()
