"""The table of differences that remain in the default (documented) mode:
tests/upstream/differences.json, one entry per differing case with the deviations of
trovemock/fidelity.py that explain it (switching exactly those to upstream makes the case
identical) and the first differing answer on each side.

    python -m tests.upstream.figures            # identical / total per mode
    python -m tests.upstream.figures --write    # regenerate differences.json
"""

from __future__ import annotations

import itertools
import json
from functools import cache
from pathlib import Path
from typing import Any

from tests.upstream.cases import CASES
from tests.upstream.differential import Case, differences, run
from tests.upstream.sides import MockSide, UpstreamSide
from trovemock.fidelity import DEVIATIONS

TABLE = Path(__file__).with_name("differences.json")


@cache
def upstream_side() -> UpstreamSide:
    return UpstreamSide()


_ANSWERS: dict[str, list[dict[str, Any]]] = {}


def upstream_answers(case: Case) -> list[dict[str, Any]]:
    """Real Trove's answers to a case (computed once per process)."""
    if case.name not in _ANSWERS:
        _ANSWERS[case.name] = run(upstream_side(), case)
    return _ANSWERS[case.name]


def mock_answers(case: Case, fidelity: str = "documented",
                 deviations: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return run(MockSide(fidelity, deviations), case)


def summary(answers: list[dict[str, Any]], other: list[dict[str, Any]]) -> str:
    """`#n METHOD path -> status key(s)` of the first answer that differs from `other`."""
    for n, (mine, theirs) in enumerate(zip(answers, other, strict=True), 1):
        if differences([mine], [theirs]):
            body = mine["body"]
            keys = ",".join(sorted(body)) if isinstance(body, dict) else type(body).__name__
            return f"#{n} {mine['request']} -> {mine['status']} {keys}"
    return "identical"


def explain(case: Case) -> list[str] | None:
    """The smallest set of deviations (up to 3) whose upstream behaviour makes the case
    identical, or None when no set does (an unexplained difference)."""
    theirs = upstream_answers(case)
    for size in (1, 2, 3):
        for combo in itertools.combinations(DEVIATIONS, size):
            if not differences(theirs, mock_answers(case, deviations=combo)):
                return list(combo)
    return None


def build() -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for case in CASES:
        theirs = upstream_answers(case)
        mine = mock_answers(case)
        if not differences(theirs, mine):
            continue
        table[case.name] = {
            "deviations": explain(case) or ["UNEXPLAINED"],
            "upstream": summary(theirs, mine),
            "trovemock": summary(mine, theirs),
        }
    return table


def load() -> dict[str, dict[str, Any]]:
    return json.loads(TABLE.read_text(encoding="utf-8"))


def save(table: dict[str, dict[str, Any]]) -> None:
    TABLE.write_text(json.dumps(table, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                     encoding="utf-8")
