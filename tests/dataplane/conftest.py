"""Fixtures of the data plane tests: a cloud whose instances are real servers, per engine.
Without an engine the tests skip, saying which; with TROVEMOCK_REQUIRE_DATAPLANE=1 (CI) they
fail instead."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dataplane_support import ENGINES, Api, make_plane, require
from werkzeug.test import Client

from trovemock import TroveMock


@pytest.fixture(params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest) -> str:
    require(request.param)
    return str(request.param)


@pytest.fixture
def mock(tmp_path, engine: str) -> Iterator[TroveMock]:
    with TroveMock(dataplane=make_plane(tmp_path)) as cloud:
        yield cloud


@pytest.fixture
def client(mock: TroveMock) -> Client:
    return Client(mock)


@pytest.fixture
def api(client: Client, mock: TroveMock, engine: str) -> Api:
    return Api(client, mock, engine)
