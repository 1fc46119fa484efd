"""`trovemock contract`: run the contract checks against a deployment and print the report."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from trovemock.contract.options import ContractOptions
from trovemock.contract.runner import run_contract

TOKEN_ENV = "TROVE_TOKEN"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trovemock contract",
        description="Check a Trove / Cloud Databases deployment against the documented "
        "Backups API. Read-only unless --allow-writes is given.",
    )
    parser.add_argument("--url", required=True,
                        help="the Trove endpoint including the project, "
                        "e.g. https://host:8779/v1.0/<project>")
    parser.add_argument("--token", default=os.environ.get(TOKEN_ENV),
                        help=f"an X-Auth-Token (default: ${TOKEN_ENV})")
    parser.add_argument("--dialect", choices=("auto", "openstack", "rackspace"),
                        default="auto", help="which API flavour to expect (default: detect)")
    parser.add_argument("--instance", help="an ACTIVE instance id (instance checks; the "
                        "instance backed up by --allow-writes)")
    parser.add_argument("--allow-writes", action="store_true",
                        help="create, poll and delete a backup of --instance")
    parser.add_argument("--report", metavar="FILE",
                        help="also write the report: Markdown for .md, JSON for .json, "
                        "text otherwise")
    parser.add_argument("--timeout", type=float, default=600.0, metavar="S",
                        help="longest wait for a backup to complete or vanish (default 600)")
    parser.add_argument("--request-timeout", type=float, default=30.0, metavar="S",
                        help="timeout of each HTTP request (default 30)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when every check passes (or is skipped), 1 when one fails, 2 on bad usage."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.token:
        parser.error(f"--token is required (or set ${TOKEN_ENV})")
    options = ContractOptions(
        url=args.url, token=args.token, dialect=args.dialect, instance=args.instance,
        allow_writes=args.allow_writes, timeout=args.timeout,
        request_timeout=args.request_timeout,
    )
    try:
        options.validate()
    except ValueError as error:
        parser.error(str(error))
    report = run_contract(options)
    sys.stdout.write(report.text())
    if args.report:
        report.write(args.report)
    return 0 if report.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
