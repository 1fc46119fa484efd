"""Shared parts of the benchmark scripts: timing, result rows, output, trovemock set-up.

Every `bench_*.py` script measures trovemock and its moto equivalent in the same process and
run, and prints its rows (a Markdown table, or JSON lines with `--json` for `run.py`).
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import _usage  # noqa: F401 - first: `--help` exits before the heavy imports
from werkzeug.test import Client

from trovemock import TroveMock
from trovemock.model.access import Caller
from trovemock.model.backups import create_backup
from trovemock.model.entities import BackupRequest

PROJECT = "bench"
TOKEN = "bench-token"
HEADERS = {"X-Auth-Token": TOKEN, "Accept": "application/json"}
QUICK = "--quick" in sys.argv  # fewer repetitions: a smoke run, not figures to publish


def reps(full: int, quick: int = 2) -> int:
    return quick if QUICK else full


@dataclass
class Row:
    """One line of the results table. Times are milliseconds, memory is bytes; `moto_*` is
    None where moto has no equivalent."""

    bench: str
    case: str
    unit: str
    trovemock: float
    moto_fast: float | None = None
    moto_default: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """How many times cheaper trovemock is than moto with its fastest settings."""
        if self.moto_fast is None or not self.trovemock:
            return None
        return self.moto_fast / self.trovemock


def median_ms(
    call: Callable[[], Any],
    repeat: int,
    *,
    setup: Callable[[], Any] | None = None,
    warmup: int = 1,
) -> float:
    """Median wall time of `call()` over `repeat` runs, in ms (`setup` runs untimed first).
    The cyclic garbage collector is off while timing, as `timeit` does."""
    for _ in range(warmup):
        if setup is not None:
            setup()
        call()
    samples = []
    with gc_paused():
        for _ in range(repeat):
            if setup is not None:
                setup()
            started = time.perf_counter()
            call()
            samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def median_each_ms(calls: Callable[[int], Any], count: int) -> float:
    """Median of `count` individually timed calls `calls(0) ... calls(count - 1)`, in ms."""
    samples = []
    with gc_paused():
        for n in range(count):
            started = time.perf_counter()
            calls(n)
            samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


@contextmanager
def gc_paused() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# -- trovemock set-up ------------------------------------------------------------------------
def fast_lifecycle(mock: TroveMock) -> TroveMock:
    """Backups finish at the next request and there is no quota, so one instance can take any
    number of backups in a row (the one-running-backup rule still applies)."""
    mock.config.backup_new_seconds = 0
    mock.config.backup_building_seconds = 0
    mock.config.backup_quota = -1
    return mock


def seed_backups(mock: TroveMock, instance_id: str, count: int, project: str = PROJECT) -> None:
    """Store `count` backups of one instance through the model operation the API uses (no
    HTTP, no journal), each completed before the next starts."""
    cloud = mock.cloud
    caller = Caller(project_id=project, region=mock.default_region)
    for n in range(count):
        with cloud.operation():  # each operation first finishes the previous backup
            create_backup(cloud, caller, BackupRequest(name=f"seed-{n}", instance_id=instance_id))
    with cloud.operation():
        pass


class Api:
    """trovemock in-process through werkzeug's test client, as a user's test talks to it."""

    def __init__(self, mock: TroveMock, project: str = PROJECT) -> None:
        self.client = Client(mock)
        self.base = f"/v1.0/{project}"

    def create_backup(self, instance_id: str, name: str = "b", **fields: Any) -> dict:
        body = {"backup": {"name": name, "instance": instance_id, **fields}}
        response = self.client.post(f"{self.base}/backups", json=body, headers=HEADERS)
        return _expect(response, 202)["backup"]

    def get(self, path: str, **query: Any) -> dict:
        response = self.client.get(f"{self.base}{path}", query_string=query, headers=HEADERS)
        return _expect(response, 200)

    def post(self, path: str, body: Any, status: int) -> dict:
        response = self.client.post(f"{self.base}{path}", json=body, headers=HEADERS)
        return _expect(response, status)

    def delete(self, path: str) -> None:
        _expect(self.client.delete(f"{self.base}{path}", headers=HEADERS), 202)


def _expect(response, status: int) -> dict:
    if response.status_code != status:
        raise AssertionError(f"expected {status}, got {response.status_code}: {response.text}")
    return response.json if response.data else {}


# -- output ----------------------------------------------------------------------------------
def emit(rows: list[Row]) -> None:
    """JSON lines for `run.py` with `--json`, else a Markdown table."""
    if "--json" in sys.argv:
        for row in rows:
            print(json.dumps(asdict(row)))
    else:
        print(markdown(rows))


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "bytes":
        return f"{value:,.0f} B"
    if value >= 100:
        return f"{value:,.0f} ms"
    if value >= 1:
        return f"{value:.2f} ms"
    return f"{value * 1000:.0f} µs"


def markdown(rows: list[Row]) -> str:
    lines = [
        "| # | Case | trovemock | moto (fast) | moto (defaults) | × vs moto fast | Target | Met |",
        "|---|------|----------:|------------:|----------------:|---------------:|--------|-----|",
    ]
    for row in rows:
        ratio = row.ratio
        met = {True: "yes", False: "**NO**", None: "—"}[row.met]
        lines.append(
            f"| {row.bench} | {row.case} | {fmt(row.trovemock, row.unit)} "
            f"| {fmt(row.moto_fast, row.unit)} | {fmt(row.moto_default, row.unit)} "
            f"| {f'{ratio:,.1f}×' if ratio is not None else '—'} | {row.target or '—'} "
            f"| {met} |"
        )
    notes = [f"- **{row.bench} {row.case}**: {row.note}" for row in rows if row.note]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)
