"""The moto side of the benchmarks: RDS DB snapshots, moto's nearest thing to Trove backups.

Two settings are measured:

* **defaults** — `mock_aws()` as moto's documentation shows it, a new boto3 client per test.
* **fast** — the fastest reasonable settings moto offers:
  `MOTO_EC2_LOAD_DEFAULT_AMIS=false` (RDS `create_db_instance` builds the EC2 backend of the
  region, which otherwise loads ~1,300 default AMIs every time),
  `mock_aws(config={"core": {"reset_boto3_session": False}})` (keeps boto3's default session
  and its loaded service models) and one boto3 client reused by every test.
  Docker is never involved for RDS, `INITIAL_NO_AUTH_ACTION_COUNT` is already infinite (auth
  off) by default, and `MOTO_CALL_RESET_API` only concerns server mode.

`MOTO_RDS_SNAPSHOT_LIMIT` is raised in both so that more than 1,000 snapshots can exist.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import _usage  # noqa: F401 - first: `--help` exits before the heavy imports

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["MOTO_RDS_SNAPSHOT_LIMIT"] = "1000000"

import boto3  # noqa: E402 - after the environment above
from moto import mock_aws  # noqa: E402

REGION = "us-east-1"
FAST_CONFIG: dict[str, Any] = {"core": {"reset_boto3_session": False}}
SETTINGS_NOTE = (
    "moto fast = MOTO_EC2_LOAD_DEFAULT_AMIS=false, reset_boto3_session=False, one reused "
    "boto3 client; moto defaults = mock_aws() and a client per test"
)


@contextmanager
def settings(fast: bool) -> Iterator[None]:
    """Environment of one setting; moto reads these variables when it builds a backend."""
    previous = os.environ.get("MOTO_EC2_LOAD_DEFAULT_AMIS")
    if fast:
        os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    else:
        os.environ.pop("MOTO_EC2_LOAD_DEFAULT_AMIS", None)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("MOTO_EC2_LOAD_DEFAULT_AMIS", None)
        else:
            os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = previous


def mock(fast: bool):
    """A `mock_aws` context manager of one setting."""
    return mock_aws(config=FAST_CONFIG) if fast else mock_aws()


def client(endpoint_url: str | None = None):
    return boto3.client("rds", region_name=REGION, endpoint_url=endpoint_url)


def create_db(rds, name: str = "db1") -> None:
    rds.create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.t3.micro",
        Engine="mysql",
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="secret-password",
    )


def backend():
    """moto's RDS backend of the default account and region (for untimed bulk seeding)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.rds.models import rds_backends

    return rds_backends[DEFAULT_ACCOUNT_ID][REGION]


def seed_snapshots(count: int, db: str = "db1", prefix: str = "seed") -> None:
    """Store snapshots straight in moto's backend (untimed seeding; far faster than the API)."""
    rds = backend()
    for n in range(count):
        rds.create_db_snapshot(db_instance_identifier=db, db_snapshot_identifier=f"{prefix}-{n}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
