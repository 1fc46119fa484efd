"""The `trovemock` command: `serve` a fake Trove cloud, plus the `openapi` and `contract`
tools (implemented in `trovemock.openapi` and `trovemock.contract.cli`)."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO, cast

from trovemock.config import DIALECTS

if TYPE_CHECKING:
    from trovemock.clock import Clock
    from trovemock.mock import TroveMock

DEFAULT_PORT = 8779  # Trove's own API port
CONTROL_TOKEN_VARIABLE = "TROVEMOCK_CONTROL_TOKEN"  # the --control-token default, kept off `ps`

_DESCRIPTION = """\
trovemock emulates the Backups API of OpenStack Trove and Rackspace Cloud Databases.
Without a COMMAND it runs `serve` (options may follow: `trovemock --port 0`).
Run `trovemock COMMAND --help` for the options of a command."""

_SERVE_EPILOG = """\
examples:
  trovemock serve                      demo cloud on http://127.0.0.1:8779, wall clock
  trovemock serve --port 0 --clock manual --no-seed-demo
                                       empty cloud on a free port; move time with
                                       POST /_trovemock/clock {"advance": 60}
  trovemock serve --dialect rackspace --region IAD --admin-token secret
  trovemock serve --state cloud.json   start from a GET /_trovemock/state export

The server also answers keystone v3 (/v3), keystone v2.0 / Rackspace identity (/v2.0) and
legacy v1.0 auth (/auth/v1.0), so clients can log in with a user name and password, and a
control API under /_trovemock/ (JSON) that mirrors the Python API. The control API answers
only this machine (loopback host names) and never a web page; to open it to other machines,
listen on their interface and give a token:
  trovemock serve --host 0.0.0.0 --control-token "$TOKEN"
  curl -H "Authorization: Bearer $TOKEN" http://HOST:8779/_trovemock/clock"""


def _version() -> str:
    # The package's own constant: importlib.metadata would add milliseconds to every start.
    from trovemock import __version__

    return __version__


def _user_spec(text: str) -> dict[str, Any]:
    """NAME:PASSWORD[:PROJECT[:ROLE,ROLE...]] -> keyword arguments of identity.add_user."""
    parts = text.split(":")
    if len(parts) < 2 or len(parts) > 4 or not parts[0] or not parts[1]:
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME:PASSWORD[:PROJECT[:ROLE,ROLE...]]")
    spec: dict[str, Any] = {"name": parts[0], "password": parts[1]}
    if len(parts) > 2 and parts[2]:
        spec["project_id"] = parts[2]
    if len(parts) > 3:
        roles = [r for r in parts[3].split(",") if r]
        if not roles:
            raise argparse.ArgumentTypeError(f"{text!r}: ROLE list is empty")
        spec["roles"] = roles
    return spec


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is not between 0 and 65535")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trovemock",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"trovemock {_version()}",
        help="print the version of trovemock and exit",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run a fake Trove cloud over HTTP",
        description="Run a fake Trove / Cloud Databases cloud over HTTP until Ctrl-C or SIGTERM.",
        epilog=_SERVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument(
        "--fidelity",
        choices=("documented", "upstream"),
        default="documented",
        help="documented (default): the API documents, Trove's bugs fixed; upstream: "
        "bug-for-bug Trove 26.0.0 (docs: 'Fidelity: checked against real Trove')",
    )
    serve.add_argument(
        "--strict-tokens",
        action="store_true",
        help="accept only tokens the identity service issued or that were registered "
        "(default: any token acts as a member of the URL's project)",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: %(default)s; use 0.0.0.0 to accept "
        "connections from other machines)",
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help="TCP port (default: %(default)s, Trove's port; 0 picks a free one)",
    )
    serve.add_argument(
        "--dialect",
        choices=DIALECTS,
        default="openstack",
        help="which API to emulate: OpenStack Trove (one region) or Rackspace "
        "Cloud Databases (regions DFW, IAD, ORD, HKG, SYD, LON) "
        "(default: %(default)s)",
    )
    serve.add_argument(
        "--clock",
        choices=("system", "manual"),
        default="system",
        help="system: backups finish in wall-clock time; manual: time stands "
        "still until POST /_trovemock/clock moves it (default: %(default)s)",
    )
    serve.add_argument(
        "--start-time",
        metavar="ISO8601",
        help="with --clock manual, the clock's start time (default: 2014-02-13T21:47:16)",
    )
    serve.add_argument(
        "--region",
        metavar="REGION",
        help="rackspace: the region served by the unprefixed /v1.0 URLs "
        "(default: DFW); openstack: the name of the single region "
        "(default: RegionOne)",
    )
    serve.add_argument(
        "--state",
        metavar="FILE",
        help="load a cloud exported with GET /_trovemock/state (or "
        "mock.export_state()) at start; implies --no-seed-demo",
    )
    serve.add_argument(
        "--seed-demo",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="seed project 'demo' with two ACTIVE instances and a COMPLETED "
        "backup (default: on, unless --state is given)",
    )
    serve.add_argument(
        "--admin-token",
        metavar="TOKEN",
        action="append",
        default=[],
        help="register TOKEN with the admin role for every project, which "
        "unlocks all_projects/project_id list filters (repeatable). Any "
        "other unregistered token is accepted as a member of the URL's "
        "project",
    )
    serve.add_argument(
        "--user",
        metavar="NAME:PASSWORD[:PROJECT[:ROLES]]",
        type=_user_spec,
        action="append",
        default=[],
        help="configure an identity user (repeatable; ROLES comma-separated, "
        "default 'member'). Without --user any user name and password "
        "log in; with it only the configured users do",
    )
    serve.add_argument(
        "--control-token",
        metavar="TOKEN",
        default=os.environ.get(CONTROL_TOKEN_VARIABLE) or None,
        help="require 'Authorization: Bearer TOKEN' on every control API request, from "
        "any host name. Required when --host is not a loopback address (default: "
        f"${CONTROL_TOKEN_VARIABLE}, else none: the control API answers loopback host "
        "names only)",
    )
    serve.add_argument(
        "--datastore",
        metavar="TYPE:VERSION",
        type=_datastore_spec,
        action="append",
        default=[],
        help="register a datastore version besides the built-in ones (repeatable), as an "
        "operator registers the versions a deployment offers",
    )
    serve.add_argument(
        "--dataplane",
        choices=("none", "servers"),
        default="none",
        help="servers: back every instance with a real database server (MariaDB for mysql "
        "and mariadb, PostgreSQL for postgresql) on its own loopback address, and every "
        "backup with a real backup (default: none, the API alone)",
    )
    serve.add_argument("--dataplane-dir", metavar="DIR", default=None,
                       help="where servers' data and backup objects live (default: a "
                       "temporary directory, removed at exit)")
    serve.add_argument("--dataplane-net", metavar="CIDR", default="127.77.0.0/16",
                       help="the loopback pool servers take addresses from "
                       "(default: 127.77.0.0/16)")
    serve.add_argument("--dataplane-port-mode", choices=("standard", "dynamic"),
                       default="standard",
                       help="standard: each server on its own address at 3306 / 5432; "
                       "dynamic: 127.0.0.1 and a free port (hosts without extra loopback "
                       "addresses)")
    serve.add_argument("--dataplane-bin-dir", metavar="DIR", action="append", default=[],
                       help="look for database server binaries here first (repeatable)")
    serve.add_argument("--quiet", action="store_true", help="do not log every request to stderr")

    for name, module, text in (
        ("openapi", "trovemock.openapi", "print the OpenAPI document of a dialect"),
        ("contract", "trovemock.contract.cli", "check a real deployment against the schemas"),
    ):
        # Listed for --help only: main() hands these commands' arguments to `module`.
        commands.add_parser(
            name, help=text, add_help=False, description=f"{text} (implemented by {module})"
        )
    return parser


def _delegate(module_name: str, argv: list[str], err: TextIO) -> int:
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        print(
            f"trovemock: this command needs {module_name}, which cannot be imported: {exc}",
            file=err,
        )
        return 2
    return int(module.main(argv) or 0)


def _datastore_spec(text: str) -> tuple[str, str]:
    """TYPE:VERSION -> (type, version)."""
    kind, _, version = text.partition(":")
    if not kind or not version:
        raise argparse.ArgumentTypeError(f"expected TYPE:VERSION (mysql:5.7.29), not {text!r}")
    return kind, version


def build_mock(options: argparse.Namespace) -> TroveMock:
    """The cloud `serve` runs, built from the parsed options; ValueError on a bad value."""
    from trovemock import Config, ManualClock, SystemClock, TroveMock
    from trovemock.control.guard import is_loopback
    from trovemock.identity import keystone as identity

    if options.control_token is not None and not options.control_token.strip():
        raise ValueError("--control-token must not be empty")
    if not is_loopback(options.host) and options.control_token is None:
        raise ValueError(
            f"--host {options.host} is not a loopback address: anyone who reaches it could "
            "reset the cloud and read its tokens through the control API (/_trovemock/). "
            "Give --control-token TOKEN (clients then send 'Authorization: Bearer TOKEN'), "
            "or listen on 127.0.0.1"
        )
    state = _read_state(options.state) if options.state else None
    config = Config()
    config.update({"fidelity": getattr(options, "fidelity", "documented"),
                   "strict_tokens": bool(getattr(options, "strict_tokens", False))})
    clock: Clock
    if options.region and options.dialect == "openstack":
        config.update({"openstack_region": options.region})
    if options.clock == "manual":
        # A loaded state continues at the time it was exported unless told otherwise.
        start = options.start_time or (state.get("now") if isinstance(state, dict) else None)
        try:
            clock = ManualClock(start) if start else ManualClock()
        except (ValueError, TypeError) as exc:
            source = "--start-time" if options.start_time else f"--state {options.state}: now"
            raise ValueError(f"{source}: {exc}") from None
    elif options.start_time:
        raise ValueError("--start-time needs --clock manual")
    else:
        clock = SystemClock()
    dataplane = _dataplane_settings(options)
    if dataplane is not None and state is not None:
        raise ValueError("--state cannot be loaded with --dataplane servers: a state file "
                         "holds the API's records, not the servers' data")
    mock = TroveMock(dialect=options.dialect, clock=clock, config=config, dataplane=dataplane)
    if options.region and options.dialect == "rackspace":
        known = {region.lower(): region for region in mock.regions}
        if options.region.lower() not in known:
            raise ValueError(
                f"--region {options.region}: not a rackspace region "
                f"(regions: {', '.join(mock.regions)})"
            )
        mock.config.update({"default_region": known[options.region.lower()]})
    if state is not None:
        try:
            mock.import_state(state)
        except ValueError as exc:
            raise ValueError(f"--state {options.state}: {exc}") from None
        if options.start_time:  # the state sets the clock; --start-time may move it on
            try:
                cast(ManualClock, mock.clock).set(options.start_time)
            except ValueError as exc:
                raise ValueError(f"--start-time with --state {options.state}: {exc}") from None
    if demo_seeded(options):
        from trovemock.demo import seed_demo

        seed_demo(mock)
    for kind, version in options.datastore:
        mock.add_datastore_version(kind, version)
    for token in options.admin_token:
        mock.add_token(token, None, roles=["admin"], keep_on_reset=True)
    for user in options.user:
        identity.add_user(mock, **user)
    mock.control_guard.token = options.control_token
    return mock


def _dataplane_settings(options: argparse.Namespace) -> Any:
    if getattr(options, "dataplane", "none") == "none":
        return None
    from trovemock.dataplane.addresses import check_network
    from trovemock.dataplane.servers import Settings

    check_network(options.dataplane_net)
    return Settings(directory=options.dataplane_dir, network=options.dataplane_net,
                    port_mode=options.dataplane_port_mode,
                    bin_dirs=tuple(options.dataplane_bin_dir))


def _read_state(path: str) -> Any:
    """The parsed --state file; ValueError with the reason for anything unusable."""
    try:
        with open(path, "rb") as handle:
            return json.loads(handle.read())
    except OSError as exc:
        raise ValueError(f"--state {path}: cannot read it ({exc.strerror or exc})") from None
    except RecursionError:
        raise ValueError(f"--state {path}: not JSON (nested too deeply)") from None
    except ValueError as exc:  # UnicodeDecodeError included
        raise ValueError(f"--state {path}: not JSON ({exc})") from None


def demo_seeded(options: argparse.Namespace) -> bool:
    """`--seed-demo`/`--no-seed-demo`, else on unless a `--state` file is loaded or a data
    plane runs (the demo's instances would each start a server)."""
    if options.seed_demo is not None:
        return bool(options.seed_demo)
    return not options.state and getattr(options, "dataplane", "none") == "none"


def banner(mock: TroveMock, url: str, options: argparse.Namespace) -> str:
    """What `serve` prints once it listens: the URLs and copy-paste examples (for the demo
    project when it is seeded, else with a PROJECT placeholder)."""
    from trovemock.identity.keystone import trove_endpoint

    seeded = demo_seeded(options)
    project = "demo" if seeded else "PROJECT"
    lines = [
        f"trovemock {_version()} serving the {mock.dialect} dialect on {url}",
        "",
        "Trove endpoints (append your project id; 'demo' shown):"
        if seeded
        else "Trove endpoints (no project is seeded: PROJECT stands for your project id):",
    ]
    for region in [mock.default_region] + [r for r in mock.regions if r != mock.default_region]:
        lines.append(f"  {region:<10} {trove_endpoint(mock, url, project, region)}")
    token = options.admin_token[0] if options.admin_token else "demo-token"
    lines += [
        "Identity:",
        f"  keystone v3    {url}/v3",
        f"  keystone v2.0  {url}/v2.0",
        f"  legacy v1.0    {url}/auth/v1.0",
        "Control API (JSON; "
        + (
            "send 'Authorization: Bearer <--control-token>'):"
            if options.control_token
            else "this machine only):"
        ),
        f"  {url}/_trovemock/",
        "Dashboard (a browser on this machine):",
        f"  {url}/_trovemock/ui/"
        + ("#token=<--control-token> (the page keeps it in the tab, never in a cookie)"
           if options.control_token else ""),
        "Clock: "
        + (
            "manual (POST /_trovemock/clock moves it)"
            if options.clock == "manual"
            else "system (wall time)"
        ),
        "",
        "Try it:",
        f"  curl -s -H 'X-Auth-Token: {token}' {url}/v1.0/{project}/backups",
        f"  openstack --os-auth-type admin_token --os-endpoint {url}/v1.0/{project} "
        f"--os-token {token} database backup list",
        f"  openstack --os-auth-url {url}/v3 --os-identity-api-version 3 --os-username demo "
        f"--os-password any --os-project-name {project} --os-user-domain-name Default "
        "--os-project-domain-name Default database backup list",
        '  python -c "from keystoneauth1 import session, token_endpoint; '
        "from troveclient.v1 import client; "
        f"t = client.Client(session=session.Session(auth=token_endpoint.Token("
        f"'{url}/v1.0/{project}', '{token}'))); print(t.backups.list())\"",
        "",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def _serve(options: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from trovemock.server import BackgroundServer, serve

    try:
        mock = build_mock(options)
    except (OSError, ValueError, TypeError, KeyError, ArithmeticError) as exc:
        print(f"trovemock serve: {exc}", file=err)
        return 2

    def on_ready(server: BackgroundServer) -> None:
        print(banner(mock, server.url, options), file=out, flush=True)

    if mock.dataplane is not None:
        for engine, reason in mock.dataplane.missing().items():
            print(f"trovemock serve: data plane: {engine} cannot run here: {reason}",
                  file=err, flush=True)
    try:
        return serve(
            mock, options.host, options.port, log_requests=not options.quiet, on_ready=on_ready
        )
    except OSError as exc:
        print(f"trovemock serve: {exc}", file=err)
        return 1
    finally:
        mock.close()  # every database server the data plane started stops with us


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not args or (args[0].startswith("-") and args[0] not in ("-h", "--help", "--version")):
        args.insert(0, "serve")  # `trovemock` alone, or with serve options, serves
    if args[0] in ("openapi", "contract"):
        module = "trovemock.openapi" if args[0] == "openapi" else "trovemock.contract.cli"
        return _delegate(module, args[1:], sys.stderr)
    options = parser.parse_args(args)
    return _serve(options, sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
