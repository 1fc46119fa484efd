"""Bad input never breaks the emulator: hypothesis-generated bodies, headers, paths and query
strings (invalid JSON, wrong types, huge strings, unicode, NUL bytes, 10 MB bodies, negative or
huge limit/marker) always get a documented status with a valid fault body, never a 500, and
a rejected request leaves the cloud exactly as it was.

Mostly in-process (werkzeug's test client, fast); the last tests go through a real loopback
server, where the body arrives over a socket.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
import pytest
import requests
from hypothesis import (
    HealthCheck,
    currently_in_test_context,
    event,
    example,
    given,
    settings,
)
from hypothesis import strategies as st
from werkzeug.test import Client

from trovemock import TroveMock
from trovemock.server import BackgroundServer

PROJECT = "p1"
TOKEN = "tok"
INSTANCE = "11111111-2222-4333-8444-555555555555"
BACKUP = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"  # an id no backup has
SUCCESS = {200, 202, 204}
DOCUMENTED_ERRORS = {400, 401, 403, 404, 405, 409, 413, 415, 422, 501}
FAULT_SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "fault.json").read_text("utf-8")
)
TEN_MB = 10 * 1024 * 1024

EXAMPLES = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# -- the cloud under attack ------------------------------------------------------------------
def make_cloud(dialect: str, running: bool = False) -> tuple[TroveMock, Client, str]:
    """A cloud with an instance and a backup of it (COMPLETED, or still running with
    `running`, so that a new backup of the instance is refused); returns that backup's id."""
    mock = TroveMock(dialect=dialect)
    mock.add_instance(PROJECT, id=INSTANCE, databases=["db1"], users=["u1"])
    client = Client(mock)
    created = client.post(
        f"/v1.0/{PROJECT}/backups",
        json={"backup": {"name": "base", "instance": INSTANCE}},
        headers={"X-Auth-Token": TOKEN},
    )
    assert created.status_code == 202, created.text
    if not running:
        mock.clock.advance(3600)
    return mock, client, created.json["backup"]["id"]


def check_answer(status: int, content_type: str, data: bytes) -> None:
    """A documented status; an error carries the fault body `{"<name>": {code, message}}`."""
    assert status != 500, data[:500]
    assert status in SUCCESS | DOCUMENTED_ERRORS, (status, data[:500])
    if status < 400:
        return
    assert content_type.startswith("application/json"), (status, content_type)
    body = json.loads(data)
    jsonschema.validate(body, FAULT_SCHEMA)
    (fault,) = body.values()
    assert fault["code"] == status, body
    assert isinstance(fault["message"], str) and fault["message"].strip(), body
    assert "Traceback" not in fault["message"]


def send(mock: TroveMock, client: Client, method: str, path: str, **kwargs: Any) -> int:
    """Send one request, check the answer, and check that a rejected one changed nothing."""
    before = mock.export_state()
    response = client.open(path, method=method, **kwargs)
    if currently_in_test_context():
        event(f"status {response.status_code}")  # shown by --hypothesis-show-statistics
    check_answer(response.status_code, response.headers.get("Content-Type", ""), response.data)
    if response.status_code >= 400:
        assert mock.export_state() == before, f"{method} {path} -> {response.status_code}"
    return response.status_code


# -- generated values ------------------------------------------------------------------------
nasty_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(["", " ", "\x00", "a\x00b", "é☃𝄞", "../../etc", "%00", "\ud7ff", "null"]),
    st.integers(min_value=1_000, max_value=400_000).map(lambda n: "é" * n),  # huge strings
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    nasty_text,
    st.sampled_from([INSTANCE, BACKUP]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def backup_bodies(draw: st.DrawFn) -> Any:
    """Mostly near-valid create bodies with fields of the wrong type, sometimes anything."""
    if draw(st.integers(0, 4)) == 0:
        return draw(json_values)

    def field(valid: st.SearchStrategy) -> Any:
        return draw(valid if draw(st.integers(0, 2)) else json_values)

    fields = {
        "name": field(st.sampled_from(["nightly", "é☃ 1", "x" * 300])),
        "instance": field(st.sampled_from([INSTANCE, BACKUP, INSTANCE.upper()])),
    }
    optional = {
        "description": st.text(max_size=30),
        "parent_id": st.sampled_from([BACKUP, INSTANCE]),
        "incremental": st.sampled_from([0, 1]),
        "swift_container": st.sampled_from(["c1", "bad container;rm"]),
        "source": st.fixed_dictionaries(
            {"type": st.sampled_from(["instance", "ha"]), "id": st.sampled_from([INSTANCE, BACKUP])}
        ),
    }
    for name, valid in optional.items():
        if draw(st.integers(0, 3)) == 0:
            fields[name] = field(valid)
    if draw(st.integers(0, 3)) == 0:
        fields[draw(st.text(max_size=10))] = draw(json_values)
    return {"backup": fields} if draw(st.integers(0, 5)) else {draw(st.text()): fields}


invalid_json = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [
            b"{",
            b"[" * 50_000,
            b'{"backup": NaN}',
            b'{"backup": Infinity}',
            b"\x00",
            b"\xff\xfe",
            b'{"backup": {"name": "a"}} trailing',
            b"'single'",
            b"{'backup': {}}",
            b"\xef\xbb\xbf{}",
        ]
    ),
)
content_types = st.one_of(
    st.just("application/json"),
    st.sampled_from(
        [
            "text/plain",
            "application/xml",
            "application/json; charset=latin-1",
            "application/vnd.api+json",
            "multipart/form-data",
            "",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30),
)
header_values = st.text(
    alphabet=st.characters(min_codepoint=0x00, max_codepoint=0xFF, exclude_characters="\r\n"),
    max_size=60,
)
dialects = st.sampled_from(["openstack", "rackspace"])


def post_routes(backup_id: str) -> list[str]:
    base = f"/v1.0/{PROJECT}"
    return [
        f"{base}/backups",
        f"{base}/instances",
        f"{base}/instances/{INSTANCE}/action",
        f"{base}/instances/{INSTANCE}/databases",
        f"{base}/instances/{INSTANCE}/users",
        f"{base}/backups/{backup_id}/action",
    ]


# -- bodies ----------------------------------------------------------------------------------
@EXAMPLES
@given(dialect=dialects, body=backup_bodies(), running=st.booleans())
def test_generated_backup_bodies_get_documented_answers(
    dialect: str, body: Any, running: bool
) -> None:
    mock, client, _ = make_cloud(dialect, running)
    status = send(
        mock,
        client,
        "POST",
        f"/v1.0/{PROJECT}/backups",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-Auth-Token": TOKEN},
    )
    if status == 202:  # the generated body happened to be valid: it made exactly one backup
        assert not running
        assert len(mock.backups()) == 2


@EXAMPLES
@given(dialect=dialects, route=st.integers(0, 5), body=json_values)
def test_generated_json_bodies_on_every_post_route(dialect: str, route: int, body: Any) -> None:
    mock, client, backup_id = make_cloud(dialect)
    send(
        mock,
        client,
        "POST",
        post_routes(backup_id)[route],
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-Auth-Token": TOKEN},
    )


@EXAMPLES
@given(dialect=dialects, route=st.integers(0, 5), raw=invalid_json, content_type=content_types)
def test_invalid_json_and_odd_content_types_are_rejected(
    dialect: str, route: int, raw: bytes, content_type: str
) -> None:
    mock, client, backup_id = make_cloud(dialect)
    send(
        mock,
        client,
        "POST",
        post_routes(backup_id)[route],
        data=raw,
        headers={"X-Auth-Token": TOKEN, "Content-Type": content_type},
    )


@pytest.mark.parametrize("route", range(6))
def test_a_ten_megabyte_body_is_refused_with_413(route: int) -> None:
    mock, client, backup_id = make_cloud("rackspace")
    body = json.dumps({"backup": {"name": "x" * TEN_MB, "instance": INSTANCE}})
    status = send(
        mock,
        client,
        "POST",
        post_routes(backup_id)[route],
        data=body,
        content_type="application/json",
        headers={"X-Auth-Token": TOKEN},
    )
    assert status == 413


# -- paths, methods, headers, query strings --------------------------------------------------
path_segment = st.one_of(
    nasty_text.filter(lambda s: len(s) < 200),
    st.sampled_from(
        [
            "backups",
            "instances",
            "action",
            "databases",
            "users",
            "flavors",
            "ha",
            INSTANCE,
            BACKUP,
            "v1.0",
            PROJECT,
            "regions",
            "DFW",
            "..",
        ]
    ),
)
# Empty segments make "//" anywhere in a path, except at its start: a request target that
# starts with "//" is not a path to werkzeug's test client, which reads the first segment as
# a host name (tests/server/test_server_keepalive.py sends such paths over a real socket instead).
path_segments = st.tuples(
    path_segment.filter(lambda s: s != ""), st.lists(path_segment, max_size=4)
).map(lambda first_rest: [first_rest[0], *first_rest[1]])
methods = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])


@EXAMPLES
@given(dialect=dialects, method=methods, segments=path_segments, prefix=st.booleans())
def test_generated_paths_and_methods(
    dialect: str, method: str, segments: list[str], prefix: bool
) -> None:
    mock, client, _ = make_cloud(dialect)
    path = "/".join(quote(segment, safe="") for segment in segments)
    path = f"/v1.0/{PROJECT}/{path}" if prefix else f"/{path}"
    send(mock, client, method, path, headers={"X-Auth-Token": TOKEN})


@EXAMPLES
@given(
    dialect=dialects,
    token=st.one_of(st.none(), header_values),
    content_type=st.one_of(st.none(), header_values),
    accept=st.one_of(st.none(), header_values),
    extra=st.dictionaries(
        # Other headers: hypothesis also draws names from this module's string constants, and
        # an extra "x-auth-token" would be a token the test does not know about.
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12).filter(
            lambda name: name not in ("x-auth-token", "content-type", "accept")
        ),
        header_values,
        max_size=3,
    ),
    create=st.booleans(),
)
def test_generated_headers(
    dialect: str,
    token: str | None,
    content_type: str | None,
    accept: str | None,
    extra: dict[str, str],
    create: bool,
) -> None:
    mock, client, _ = make_cloud(dialect)
    headers = dict(extra)
    for name, value in (
        ("X-Auth-Token", token),
        ("Content-Type", content_type),
        ("Accept", accept),
    ):
        if value is not None:
            headers[name] = value
    body = json.dumps({"backup": {"name": "hdr", "instance": INSTANCE}}) if create else None
    status = send(
        mock,
        client,
        "POST" if create else "GET",
        f"/v1.0/{PROJECT}/backups",
        data=body,
        headers=headers,
    )
    if token is None or not token.strip():
        assert status == 401


limits = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.sampled_from(
        [
            "-1",
            "0",
            "1",
            "20",
            "99999999999999999999999",
            "1e3",
            "0x10",
            " 5",
            "5 ",
            "",
            "٣",
            "\x00",
            "NaN",
            "-0",
        ]
    ),
    nasty_text.filter(lambda s: len(s) < 100),
)


@EXAMPLES
@example(dialect="openstack", route="backups", limit="\u00b2", marker=None, extra={})
@example(dialect="rackspace", route="backups", limit=" -5", marker=None, extra={})
@given(
    dialect=dialects,
    route=st.sampled_from(
        [
            "backups",
            f"instances/{INSTANCE}/backups",
            "instances",
            f"instances/{INSTANCE}/databases",
            "flavors",
        ]
    ),
    limit=st.one_of(st.none(), limits),
    marker=st.one_of(st.none(), limits),
    extra=st.dictionaries(
        st.sampled_from(
            [
                "all_projects",
                "project_id",
                "instance_id",
                "datastore",
                "limit",
                "marker",
                "x\x00y",
                "é",
            ]
        ),
        nasty_text.filter(lambda s: len(s) < 100),
        max_size=3,
    ),
)
def test_generated_query_strings(
    dialect: str, route: str, limit: str | None, marker: str | None, extra: dict[str, str]
) -> None:
    mock, client, _ = make_cloud(dialect)
    query = dict(extra)
    if limit is not None:
        query["limit"] = limit
    if marker is not None:
        query["marker"] = marker
    status = send(
        mock,
        client,
        "GET",
        f"/v1.0/{PROJECT}/{route}",
        query_string=query,
        headers={"X-Auth-Token": TOKEN},
    )
    negative = limit is not None and (number := _as_int(limit)) is not None and number < 0
    if negative and route.endswith("backups"):  # the backup lists page; a negative limit is 400
        assert status == _expected_before_paging(dialect, route, query)


def _as_int(text: str) -> int | None:
    """The number the app reads (Python's int(): Unicode digits, spaces, `_`), or None."""
    try:
        return int(text)
    except ValueError:  # '²' is a digit to str.isdigit() but not a number to int()
        return None


def _expected_before_paging(dialect: str, route: str, query: dict[str, str]) -> int:
    """The backup list checks its filters before it reads `limit`, as Trove does: the other
    dialect's filter (501), then the admin-only filters (403), then the datastore (404)."""
    if route != "backups":
        return 400
    openstack_only = ("instance_id", "all_projects", "project_id")
    if dialect == "rackspace" and any(name in query for name in openstack_only):
        return 501
    truthy = query.get("all_projects", "").strip().lower() in ("1", "true", "yes", "on", "y", "t")
    if dialect == "openstack" and ("project_id" in query or truthy):
        return 403
    if "datastore" in query:
        return 404
    return 400


def test_negative_and_huge_pagination_values() -> None:
    mock, client, _ = make_cloud("openstack")
    url = f"/v1.0/{PROJECT}/backups"
    for query, wanted in (
        ({"limit": "-1"}, 400),
        ({"marker": "-5"}, 400),
        ({"limit": "0"}, 400),
        ({"limit": "abc"}, 400),
        ({"limit": str(2**100)}, 200),
        ({"marker": str(2**100)}, 200),
    ):
        status = send(mock, client, "GET", url, query_string=query, headers={"X-Auth-Token": TOKEN})
        assert status == wanted, query


# -- over a real loopback server -------------------------------------------------------------
@pytest.fixture(scope="module")
def served() -> Any:
    mock, _, backup_id = make_cloud("openstack")
    with BackgroundServer(mock) as server:
        yield mock, server, backup_id


def http_send(served: Any, method: str, path: str, **kwargs: Any) -> int:
    mock, server, _ = served
    before = mock.export_state()
    headers = {"X-Auth-Token": TOKEN, **kwargs.pop("headers", {})}
    response = requests.request(method, server.url + path, headers=headers, timeout=30, **kwargs)
    check_answer(response.status_code, response.headers.get("Content-Type", ""), response.content)
    if response.status_code >= 400:
        assert mock.export_state() == before
    return response.status_code


def test_http_ten_megabyte_body_is_refused_and_the_server_keeps_serving(served: Any) -> None:
    status = http_send(
        served,
        "POST",
        f"/v1.0/{PROJECT}/backups",
        data=b"{" + b" " * TEN_MB,
        headers={"Content-Type": "application/json"},
    )
    assert status == 413
    assert http_send(served, "GET", f"/v1.0/{PROJECT}/backups") == 200


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.one_of(invalid_json, json_values.map(lambda v: json.dumps(v).encode())),
    segments=path_segments,
    method=methods,
)
def test_http_generated_requests(served: Any, body: bytes, segments: list[str], method: str):
    path = "/".join(quote(segment, safe="") for segment in segments)
    http_send(
        served,
        method,
        f"/v1.0/{PROJECT}/{path}",
        data=body,
        headers={"Content-Type": "application/json"},
    )


def raw_exchange(port: int, request: bytes) -> tuple[int, str, bytes]:
    """Send raw bytes, half-close, and parse the status, Content-Type and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return status, headers.get("Content-Type", ""), body


def _post(headers: str, body: bytes) -> bytes:
    return (
        f"POST /v1.0/{PROJECT}/backups HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {TOKEN}\r\n"
        f"Content-Type: application/json\r\n{headers}\r\n"
    ).encode() + body


@pytest.mark.parametrize(
    "request_bytes",
    [
        pytest.param(_post("Content-Length: 500\r\n", b'{"backup": {'), id="truncated-body"),
        pytest.param(
            _post("Transfer-Encoding: chunked\r\n", b"zz\r\n{}\r\n0\r\n\r\n"), id="bad-chunk-header"
        ),
        pytest.param(
            _post("Transfer-Encoding: chunked\r\n", b'4\r\n{"ba'), id="chunked-body-cut-short"
        ),
    ],
)
def test_http_broken_body_framing_is_a_400_fault(served: Any, request_bytes: bytes) -> None:
    mock, server, _ = served
    before = mock.export_state()
    status, content_type, body = raw_exchange(server.port, request_bytes)
    check_answer(status, content_type, body)
    assert status == 400
    assert mock.export_state() == before


@pytest.mark.parametrize(
    "target",
    [
        f"//v1.0/{PROJECT}/backups",
        f"/v1.0//{PROJECT}/backups",
        "//" + "x" * 64 + "/backups",  # a "host" too long for IDNA, as a path
        "////",
    ],
)
def test_http_paths_with_empty_segments_get_a_documented_answer(
    served: Any, target: str
) -> None:
    mock, server, _ = served
    before = mock.export_state()
    request = f"GET {target} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {TOKEN}\r\n\r\n".encode()
    status, content_type, body = raw_exchange(server.port, request)
    check_answer(status, content_type, body)  # werkzeug reads a leading "//" as "/"
    assert mock.export_state() == before
