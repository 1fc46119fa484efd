"""The differential suite: the same requests to real Trove 26.0.0 and to trovemock, in both
fidelity modes (tests/upstream/cases.py; tests/upstream/differences.json is the table of
what differs in the default mode)."""

from __future__ import annotations

import re

import pytest
from werkzeug.exceptions import HTTPException

from tests.upstream.cases import CASES
from tests.upstream.differential import differences
from tests.upstream.sides import Request
from tests.upstream.table import TABLE, load, mock_answers, summary, upstream_answers
from trovemock.api.routes import URL_MAP
from trovemock.api.spec import routes_for
from trovemock.fidelity import DEVIATIONS

BY_NAME = {case.name: case for case in CASES}
KNOWN = load()


def test_the_suite_has_at_least_200_cases() -> None:
    assert len(CASES) >= 200
    assert len(BY_NAME) == len(CASES)


# Routes of the openstack dialect no case sends, and why.
NOT_COMPARED = {
    "flavors.list": "flavors are nova's: the harness's fake nova is not the catalogue",
    "flavors.show": "flavors are nova's: the harness's fake nova is not the catalogue",
}


def test_every_openstack_route_is_compared_or_said_why_not() -> None:
    adapter = URL_MAP.bind("trovemock")
    sent: set[str] = set()
    for case in CASES:
        for step in case.steps:
            if isinstance(step, Request) and not step.path.startswith("//"):
                path = re.sub(r"\{\w+\}", "00000000-0000-4000-8000-000000000000",
                              step.url({}).split("?")[0])
                try:
                    sent.add(adapter.match(path, step.method)[0])
                except HTTPException:
                    continue  # a wrong method or an unknown path: a case of its own
    routes = {r.name for r in routes_for("openstack")}
    assert routes - sent == set(NOT_COMPARED), routes - sent - set(NOT_COMPARED)


def test_the_table_names_only_cases_and_deviations_that_exist() -> None:
    assert set(KNOWN) <= set(BY_NAME), set(KNOWN) - set(BY_NAME)
    for name, entry in KNOWN.items():
        assert entry["deviations"] and set(entry["deviations"]) <= set(DEVIATIONS), name


def test_every_deviation_is_seen_by_some_case() -> None:
    seen = {d for entry in KNOWN.values() for d in entry["deviations"]}
    assert seen == set(DEVIATIONS), set(DEVIATIONS) - seen


@pytest.mark.parametrize("name", list(BY_NAME))
def test_upstream_fidelity_is_identical(name: str) -> None:
    case = BY_NAME[name]
    found = differences(upstream_answers(case), mock_answers(case, "upstream"))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", list(BY_NAME))
def test_documented_mode_differs_only_as_the_table_says(name: str) -> None:
    case = BY_NAME[name]
    theirs = upstream_answers(case)
    mine = mock_answers(case)
    found = differences(theirs, mine)
    entry = KNOWN.get(name)
    if entry is None:
        assert not found, (f"a difference not in {TABLE.name} (fix it, or declare a "
                           "deviation in trovemock/fidelity.py and regenerate the table "
                           "with python -m tests.upstream.figures --write):\n"
                           + "\n".join(found))
        return
    assert found, f"{name} is listed in {TABLE.name} but is now identical: remove it"
    assert (summary(theirs, mine), summary(mine, theirs)) == (
        entry["upstream"], entry["trovemock"]), "\n".join(found)
    # the listed deviations are the whole reason: following upstream there, nothing differs
    rest = differences(theirs, mock_answers(case, deviations=tuple(entry["deviations"])))
    assert not rest, "\n".join(rest)
