"""Benchmark 4: deep incremental chains, in-process over the API (werkzeug test client).

Build a chain of 1,000 and of 10,000 incremental backups (each POST names the previous one as
`parent_id`), restore an instance from its tip (Trove checks every ancestor), GET the tip, and
cascade-delete the whole chain by deleting its root. Target: linear (10x the work costs about
10x the time) and no recursion limit. moto has no incremental snapshots: no comparison.
"""

from __future__ import annotations

import statistics
import sys
import time

from _common import PROJECT, Api, Row, emit, fast_lifecycle, gc_paused, median_ms, reps

from trovemock import TroveMock

DEPTHS = (1_000, 10_000)
LINEAR = 20  # 10x the depth may cost at most this many times more (10 is exactly linear)


def one_chain(depth: int) -> dict[str, float]:
    mock = fast_lifecycle(TroveMock())
    instance = mock.add_instance(PROJECT, volume_size=5)
    api = Api(mock)
    with gc_paused():
        started = time.perf_counter()
        root = parent = api.create_backup(instance.id, "chain-0")["id"]
        for n in range(1, depth):
            parent = api.create_backup(instance.id, f"chain-{n}", parent_id=parent)["id"]
        built = time.perf_counter() - started
    tip = parent
    restore = {
        "instance": {
            "name": "restored",
            "flavorRef": "1",
            "volume": {"size": 5},
            "datastore": {"type": "mysql", "version": "5.7"},  # openstack restores name one
            "restorePoint": {"backupRef": tip},
        }
    }
    restored = median_ms(lambda: api.post("/instances", restore, 200), reps(20, 2))
    shown = median_ms(lambda: api.get(f"/backups/{tip}"), reps(50, 2))
    assert len(mock.backups()) == depth
    with gc_paused():
        started = time.perf_counter()
        api.delete(f"/backups/{root}")
        deleted = time.perf_counter() - started
    assert mock.backups() == [], "the cascade left backups behind"
    return {
        "build": built * 1000,
        "restore": restored,
        "show": shown,
        "delete": deleted * 1000,
    }


def measure(depth: int) -> dict[str, float]:
    """Medians over a few whole chains (a build or a delete can only be timed once each)."""
    runs = [one_chain(depth) for _ in range(reps(3 if depth <= 1000 else 2, 1))]
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> list[Row]:
    assert max(DEPTHS) > sys.getrecursionlimit(), "the chain must be deeper than the limit"
    small, big = (measure(depth) for depth in DEPTHS)
    rows = []
    for key, label in (
        ("build", "build the chain (one POST per link)"),
        ("restore", "restore an instance from the tip"),
        ("delete", "cascade-delete the chain (DELETE of the root)"),
    ):
        growth = big[key] / small[key]
        rows.append(Row("4", f"{label}, depth 1,000", "ms", small[key]))
        rows.append(
            Row(
                "4",
                f"{label}, depth 10,000",
                "ms",
                big[key],
                target="linear: <= 20x depth 1,000",
                met=growth <= LINEAR,
                note=f"{growth:.1f}x the depth-1,000 time for 10x the depth",
            )
        )
    rows.append(Row("4", "GET the tip of a 10,000-deep chain", "ms", big["show"]))
    return rows


if __name__ == "__main__":
    emit(main())
