"""Benchmark 6: memory per stored backup at 100,000 backups (tracemalloc).

trovemock: 100,000 backups of one instance stored through the model operation the API uses
(completed, no journal). moto: DB snapshots stored through its RDS backend (the objects
`create_db_snapshot` stores), at `MOTO_SNAPSHOTS` snapshots. Bytes per item is the traced
memory after storing them (after a full collection) minus before, divided by the count.
"""

from __future__ import annotations

import gc
import tracemalloc

import _moto
from _common import PROJECT, QUICK, Row, emit, fast_lifecycle, seed_backups

from trovemock import TroveMock

BACKUPS = 10_000 if QUICK else 100_000
MOTO_SNAPSHOTS = 2_000 if QUICK else 20_000


def traced_bytes(store) -> int:
    """Traced bytes still held after `store()` (and a full collection)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        keep = store()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del keep
    return after - before


def trovemock_bytes() -> float:
    mock = fast_lifecycle(TroveMock())
    instance = mock.add_instance(PROJECT)

    def store() -> TroveMock:
        seed_backups(mock, instance.id, BACKUPS)
        assert len(mock.cloud.backups) == BACKUPS
        return mock

    return traced_bytes(store) / BACKUPS


def moto_bytes() -> float:
    with _moto.settings(fast=True), _moto.mock(True):
        rds = _moto.client()
        _moto.create_db(rds)

        def store() -> object:
            _moto.seed_snapshots(MOTO_SNAPSHOTS)
            return _moto.backend()

        return traced_bytes(store) / MOTO_SNAPSHOTS


def main() -> list[Row]:
    ours = trovemock_bytes()
    theirs = moto_bytes()
    return [
        Row(
            "6",
            f"memory per stored backup, {BACKUPS:,} backups",
            "bytes",
            ours,
            theirs,
            note=f"moto figure: bytes per DB snapshot at {MOTO_SNAPSHOTS:,} snapshots (its "
            f"backend, no API); trovemock holds {ours * BACKUPS / 2**20:,.0f} MiB for "
            f"{BACKUPS:,} backups",
        )
    ]


if __name__ == "__main__":
    emit(main())
