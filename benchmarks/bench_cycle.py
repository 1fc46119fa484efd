"""Benchmark 1: the per-test cycle, in-process.

trovemock: new cloud (or `reset()`), seed an instance, POST a backup, GET it back (werkzeug
test client). moto: enter `mock_aws`, `create_db_instance`, `create_db_snapshot`,
`describe_db_snapshots` of it, leave. Target: >= 10x faster than moto's fast settings.
"""

from __future__ import annotations

import _moto
from _common import PROJECT, Api, Row, emit, median_ms, reps

from trovemock import TroveMock


def trovemock_cycle(mock: TroveMock | None = None) -> None:
    if mock is None:
        mock = TroveMock()
    else:
        mock.reset()
    instance = mock.add_instance(PROJECT)
    api = Api(mock)
    backup = api.create_backup(instance.id)
    assert api.get(f"/backups/{backup['id']}")["backup"]["status"] == "NEW"


def moto_cycle(fast: bool, shared: list) -> None:
    with _moto.mock(fast):
        if fast and not shared:
            shared.append(_moto.client())
        rds = shared[0] if fast else _moto.client()
        _moto.create_db(rds)
        rds.create_db_snapshot(DBSnapshotIdentifier="s1", DBInstanceIdentifier="db1")
        found = rds.describe_db_snapshots(DBSnapshotIdentifier="s1")["DBSnapshots"]
        assert found[0]["DBSnapshotIdentifier"] == "s1"


def moto_enter_leave(fast: bool) -> None:
    with _moto.mock(fast):
        pass


def main() -> list[Row]:
    new_cloud = median_ms(trovemock_cycle, reps(300, 20))
    reused = TroveMock()
    reset_cloud = median_ms(lambda: trovemock_cycle(reused), reps(300, 20))
    empty_cloud = median_ms(TroveMock, reps(300, 20))

    shared: list = []
    with _moto.settings(fast=True):
        moto_fast = median_ms(lambda: moto_cycle(True, shared), reps(30, 3), warmup=2)
        moto_fast_enter = median_ms(lambda: moto_enter_leave(True), reps(100, 5))
    with _moto.settings(fast=False):
        moto_default = median_ms(lambda: moto_cycle(False, []), reps(10, 2), warmup=1)
        moto_default_enter = median_ms(lambda: moto_enter_leave(False), reps(100, 5))

    target = ">= 10x moto fast"
    return [
        Row(
            "1",
            "per-test cycle, new cloud (new TroveMock + seed + create + read)",
            "ms",
            new_cloud,
            moto_fast,
            moto_default,
            target,
            moto_fast / new_cloud >= 10,
            _moto.SETTINGS_NOTE,
        ),
        Row(
            "1",
            "per-test cycle, `mock.reset()` + seed + create + read",
            "ms",
            reset_cloud,
            moto_fast,
            moto_default,
            target,
            moto_fast / reset_cloud >= 10,
        ),
        Row(
            "1",
            "empty cloud: `TroveMock()` vs entering and leaving `mock_aws`",
            "ms",
            empty_cloud,
            moto_fast_enter,
            moto_default_enter,
        ),
    ]


if __name__ == "__main__":
    emit(main())
