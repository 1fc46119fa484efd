"""`trovemock` command-line parsing and the cloud `serve` builds from it (in-process)."""

from __future__ import annotations

import json
import sys

import pytest
from werkzeug.test import Client

from trovemock import cli

SERVE_OPTIONS = (
    "--host",
    "--port",
    "--dialect",
    "--clock",
    "--start-time",
    "--region",
    "--state",
    "--seed-demo",
    "--no-seed-demo",
    "--admin-token",
    "--user",
    "--quiet",
)


def mock_for(*args: str):
    return cli.build_mock(cli.build_parser().parse_args(["serve", *args]))


def test_version(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    from importlib.metadata import version

    assert capsys.readouterr().out == f"trovemock {version('trovemock')}\n"


def test_serve_help_explains_every_option(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for option in SERVE_OPTIONS:
        assert option in text
    assert "/_trovemock/" in text and "/v3" in text


def test_top_level_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for command in ("serve", "openapi", "contract"):
        assert command in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["serve", "--port", "70000"], "70000"),
        (["serve", "--port", "http"], "http"),
        (["serve", "--dialect", "azure"], "azure"),
        (["serve", "--user", "alice"], "NAME:PASSWORD"),
        (["serve", "--clock", "sundial"], "sundial"),
        (["bogus"], "bogus"),
    ],
)
def test_bad_arguments_exit_2_naming_the_value(capsys, args, message):
    with pytest.raises(SystemExit) as exited:
        cli.main(args)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start-time", "2030-01-01T00:00:00"], "--clock manual"),
        (["--clock", "manual", "--start-time", "noon"], "noon"),
        (["--dialect", "rackspace", "--region", "MOON"], "MOON"),
    ],
)
def test_bad_option_combinations_return_2_before_listening(capsys, args, message):
    assert cli.main(["serve", "--port", "0", *args]) == 2
    assert message in capsys.readouterr().err


def test_state_file_that_is_not_a_state_returns_2(capsys, tmp_path):
    not_json = tmp_path / "a.json"
    not_json.write_text("{")
    assert cli.main(["serve", "--state", str(not_json)]) == 2
    assert "not JSON" in capsys.readouterr().err
    wrong = tmp_path / "b.json"
    wrong.write_text(json.dumps({"format": 99}))
    assert cli.main(["serve", "--state", str(wrong)]) == 2
    assert "format" in capsys.readouterr().err


def test_default_cloud_is_the_demo_on_the_system_clock():
    mock = mock_for()
    assert mock.dialect == "openstack"
    assert mock.clock.manual is False
    assert [mock.instance_status(i.id) for i in mock.instances("demo")] == ["ACTIVE", "ACTIVE"]
    assert [b.status for b in mock.backups("demo")] == ["COMPLETED"]


def test_no_seed_demo_and_manual_clock_with_start_time():
    mock = mock_for("--no-seed-demo", "--clock", "manual", "--start-time", "2030-01-02T03:04:05")
    assert mock.instances() == []
    assert mock.clock.now().isoformat() == "2030-01-02T03:04:05"


@pytest.mark.parametrize("args", [("--no-seed-demo",), ("--clock", "manual", "--no-seed-demo")])
def test_the_banner_names_no_demo_project_when_none_is_seeded(args):
    options = cli.build_parser().parse_args(["serve", *args])
    text = cli.banner(cli.build_mock(options), "http://127.0.0.1:8779", options)
    assert "demo'" not in text and "/v1.0/demo" not in text and "project-name demo" not in text
    assert "no project is seeded" in text
    assert "http://127.0.0.1:8779/v1.0/PROJECT/backups" in text


def test_the_banner_shows_the_demo_project_when_it_is_seeded():
    options = cli.build_parser().parse_args(["serve"])
    text = cli.banner(cli.build_mock(options), "http://127.0.0.1:8779", options)
    assert "'demo' shown" in text and "http://127.0.0.1:8779/v1.0/demo/backups" in text


def test_openstack_region_names_the_single_region():
    mock = mock_for("--region", "Lab1")
    assert mock.regions == ("Lab1",)
    assert {i.region for i in mock.instances("demo")} == {"Lab1"}


def test_configured_user_needs_the_right_password():
    client = Client(mock_for("--user", "alice:s3cret:p1:admin"))

    def login(password):
        user = {"name": "alice", "password": password, "domain": {"name": "Default"}}
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": user}}}}
        return client.post("/v3/auth/tokens", json=body)

    assert login("wrong").status_code == 401
    accepted = login("s3cret")
    assert accepted.status_code == 201
    token = accepted.get_json()["token"]
    assert token["project"]["id"] == "p1"
    assert token["roles"] == [{"id": "admin", "name": "admin"}]


def test_openapi_command_is_delegated(capsys):
    assert cli.main(["openapi", "--dialect", "rackspace"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["openapi"].startswith("3.")


def test_missing_delegate_module_is_a_clear_error(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "trovemock.contract.cli", None)  # import now fails
    assert cli.main(["contract", "--help"]) == 2
    assert "trovemock.contract.cli" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        ([], "  http://127.0.0.1:8779/_trovemock/ui/\n"),
        (["--control-token", "s3cret"],
         "  http://127.0.0.1:8779/_trovemock/ui/#token=<--control-token> "),
    ],
)
def test_the_banner_prints_the_dashboard_address(extra, line):
    options = cli.build_parser().parse_args(["serve", "--no-seed-demo", *extra])
    text = cli.banner(cli.build_mock(options), "http://127.0.0.1:8779", options)
    assert "Dashboard" in text and line in text
    assert "s3cret" not in text  # the token itself never goes to a log
