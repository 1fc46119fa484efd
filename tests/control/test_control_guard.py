"""the control API refuses web pages (cross-site requests, non-JSON bodies),
foreign Host names (DNS rebinding) and oversized bodies; with a control token it answers only
requests carrying it; `trovemock serve` on a non-loopback address needs one."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys

import pytest
from werkzeug.test import Client

from trovemock import TroveMock, cli
from trovemock.server import BackgroundServer

PROJECT = "p1"
EVIL = "http://evil.example"


def cloud() -> tuple[TroveMock, Client]:
    mock = TroveMock()
    mock.add_instance(PROJECT)
    mock.add_token("secret-admin", None, roles=["admin"])
    return mock, Client(mock)


def fault(answer, status: int) -> str:
    assert answer.status_code == status, answer.get_data(as_text=True)
    (body,) = answer.get_json().values()
    return body["message"]


# -- browsers ---------------------------------------------------------------------------------
def test_a_cross_origin_text_plain_post_cannot_reset_the_cloud():
    mock, client = cloud()
    answer = client.post("/_trovemock/reset", data="{}", content_type="text/plain",
                         headers={"Origin": EVIL})
    assert "another origin" in fault(answer, 403)
    assert len(mock.instances()) == 1


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_browser_request_from_another_site_cannot_read_the_tokens(site):
    _, client = cloud()
    answer = client.get("/_trovemock/state", headers={"Sec-Fetch-Site": site})
    assert "secret-admin" not in fault(answer, 403)
    assert b"secret-admin" not in answer.data


def test_a_same_origin_browser_request_and_a_typed_url_are_served():
    _, client = cloud()
    assert client.get("/_trovemock/clock", headers={
        "Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}).status_code == 200
    assert client.get("/_trovemock/clock", headers={"Sec-Fetch-Site": "none"}).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [("POST", "/_trovemock/faults", "text/plain"),
     ("PUT", "/_trovemock/config", "application/x-www-form-urlencoded"),
     ("POST", "/_trovemock/users", "multipart/form-data; boundary=x"),
     ("POST", "/_trovemock/tokens", None)],
)
def test_a_state_changing_call_needs_a_json_body(method, path, content_type):
    mock, client = cloud()
    body = {"status": 503} if "faults" in path else {"name": "u", "password": "p"}
    answer = client.open(path, method=method, data=json.dumps(body),
                         **({"content_type": content_type} if content_type else {}))
    assert "application/json" in fault(answer, 415)
    assert mock.faults.rules == []


def test_a_bodyless_call_needs_no_content_type():
    mock, client = cloud()
    assert client.post("/_trovemock/reset").status_code == 204  # curl -X POST .../reset
    assert mock.instances() == []
    assert client.delete("/_trovemock/journal").status_code == 204


def test_the_trove_api_itself_is_not_restricted():
    _, client = cloud()
    answer = client.get(f"/v1.0/{PROJECT}/backups", headers={
        "X-Auth-Token": "t", "Origin": EVIL, "Host": "db.example.com"})
    assert answer.status_code == 200


# -- hosts -----------------------------------------------------------------------------------
def _get(server: BackgroundServer, path: str, host: str,
         headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host, **(headers or {})})
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def test_a_foreign_host_cannot_read_the_tokens_over_the_network():
    mock, _ = cloud()
    with BackgroundServer(mock) as server:
        status, body = _get(server, "/_trovemock/state", f"evil.example:{server.port}")
        assert status == 403 and b"secret-admin" not in body
        assert b"DNS-rebinding" in body
        for host in (f"127.0.0.1:{server.port}", f"localhost:{server.port}", "127.0.0.1"):
            status, body = _get(server, "/_trovemock/state", host)
            assert status == 200 and b"secret-admin" in body
        status, _ = _get(server, f"/v1.0/{PROJECT}/backups", "evil.example",
                         {"X-Auth-Token": "t"})
        assert status == 200  # the Trove API answers any host


@pytest.mark.parametrize(
    "host", ["evil.example", "localhost@evil.example", "127.0.0.1.evil.example"]
)
def test_a_host_that_only_looks_local_is_refused(host):
    _, client = cloud()
    answer = client.get("/_trovemock/state", headers={"Host": host})
    assert "DNS-rebinding" in fault(answer, 403)


def test_an_in_process_transport_with_a_made_up_host_is_served():
    mock, _ = cloud()
    client = Client(mock)
    answer = client.get("/_trovemock/clock", base_url="http://trovemock.test")
    assert answer.status_code == 200


# -- body size -------------------------------------------------------------------------------
def test_a_control_body_over_the_limit_is_413_and_changes_nothing():
    mock, client = cloud()
    mock.config.update({"max_control_body_bytes": 2000})
    before = client.get("/_trovemock/state").data  # the export holds the config too
    state = json.loads(before)
    state["instances"][0]["name"] = "n" * 5000
    answer = client.put("/_trovemock/state", json=state)
    assert "max_control_body_bytes" in fault(answer, 413)
    assert client.get("/_trovemock/state").data == before


# -- the control token -----------------------------------------------------------------------
def test_with_a_token_only_requests_carrying_it_are_served_from_any_host():
    mock, client = cloud()
    mock.control_guard.token = "s3cret"
    assert "Bearer" in fault(client.get("/_trovemock/state"), 401)
    assert client.get("/_trovemock/state", headers={
        "Authorization": "Bearer wrong"}).status_code == 401
    good = {"Authorization": "Bearer s3cret"}
    assert client.get("/_trovemock/state", headers=good).status_code == 200
    far = client.get("/_trovemock/state", headers=good, base_url="http://trovemock:8779")
    assert far.status_code == 200
    assert client.post("/_trovemock/reset", headers={**good, "Origin": EVIL}).status_code == 403


SERVE = "import sys; from trovemock.cli import main; sys.exit(main(sys.argv[1:]))"


def test_serving_on_a_non_loopback_address_without_a_token_exits_2():
    env = {k: v for k, v in os.environ.items() if k != "TROVEMOCK_CONTROL_TOKEN"}
    try:
        done = subprocess.run(
            [sys.executable, "-c", SERVE, "serve", "--host", "0.0.0.0", "--port", "0"],
            capture_output=True, text=True, timeout=15, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail("the server opened its control API to the network without a token")
    assert done.returncode == 2
    assert "--control-token" in done.stderr and "Traceback" not in done.stderr


def test_a_token_from_the_environment_opens_a_non_loopback_address(monkeypatch):
    monkeypatch.setenv(cli.CONTROL_TOKEN_VARIABLE, "from-env")
    options = cli.build_parser().parse_args(["serve", "--host", "0.0.0.0", "--no-seed-demo"])
    mock = cli.build_mock(options)  # built, not served: the check runs before any bind
    assert mock.control_guard.token == "from-env"
    banner = cli.banner(mock, "http://0.0.0.0:8779", options)
    assert "Authorization: Bearer" in banner
    client = Client(mock)
    far = {"base_url": "http://db-host:8779"}
    assert client.get("/_trovemock/clock", **far).status_code == 401
    assert client.get("/_trovemock/clock", headers={"Authorization": "Bearer from-env"},
                      **far).status_code == 200


def test_the_cli_hands_the_token_to_the_cloud():
    options = cli.build_parser().parse_args(["serve", "--control-token", "abc", "--no-seed-demo"])
    assert cli.build_mock(options).control_guard.token == "abc"
    empty = cli.build_parser().parse_args(["serve", "--control-token", " "])
    with pytest.raises(ValueError, match="must not be empty"):
        cli.build_mock(empty)
