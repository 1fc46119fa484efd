"""Benchmark 3: listing with 100, 1,000 and 10,000 backups present, in-process.

trovemock: GET /backups (one page of 20, the first and the last) and the whole list walked
by its `next` links. moto: `describe_db_snapshots(MaxRecords=20)` and the whole list walked
by `Marker`. Seeding is untimed and bypasses both APIs (trovemock's model operation, moto's
backend). Target: a trovemock page costs the same at 10,000 as at 100 (within 2x).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import _moto
from _common import PROJECT, Api, Row, emit, fast_lifecycle, median_ms, reps, seed_backups

from trovemock import TroveMock

SIZES = (100, 1_000, 10_000)
PAGE = 20


def _next_marker(body: dict) -> str | None:
    for link in body.get("links", ()):
        if link["rel"] == "next":
            return parse_qs(urlsplit(link["href"]).query)["marker"][0]
    return None


def trovemock_lists(size: int) -> dict[str, float]:
    mock = fast_lifecycle(TroveMock())
    instance = mock.add_instance(PROJECT)
    seed_backups(mock, instance.id, size)
    api = Api(mock)

    def first_page() -> None:
        assert len(api.get("/backups")["backups"]) == PAGE

    def last_page() -> None:
        body = api.get("/backups", marker=size - PAGE)
        assert len(body["backups"]) == PAGE and "links" not in body

    def walk() -> None:
        seen, marker = 0, None
        while True:
            body = api.get("/backups", **({"marker": marker} if marker else {}))
            seen += len(body["backups"])
            marker = _next_marker(body)
            if marker is None:
                break
        assert seen == size, seen

    many = reps(300, 10)
    return {
        "first": median_ms(first_page, many),
        "last": median_ms(last_page, many),
        "walk": median_ms(walk, reps(7 if size > 1000 else 30, 1)),
    }


def moto_lists(size: int) -> dict[str, float]:
    with _moto.settings(fast=True), _moto.mock(True):
        rds = _moto.client()
        _moto.create_db(rds)
        _moto.seed_snapshots(size)
        returned: list[int] = []

        def first_page() -> None:
            returned.append(len(rds.describe_db_snapshots(MaxRecords=PAGE)["DBSnapshots"]))

        def walk() -> None:
            seen, kwargs = 0, {"MaxRecords": PAGE}
            while True:
                body = rds.describe_db_snapshots(**kwargs)
                seen += len(body["DBSnapshots"])
                if "Marker" not in body:
                    break
                kwargs["Marker"] = body["Marker"]
            assert seen >= size, seen  # moto adds an automated snapshot of the instance

        # At 10,000 one call takes seconds: fewer repetitions keep the run under 5 minutes.
        big = size > 1000
        first = median_ms(first_page, reps(3 if big else 7, 1), warmup=0 if big else 1)
        walked = median_ms(walk, reps(1 if big else 5, 1), warmup=0)
        return {"first": first, "walk": walked, "returned": returned[-1]}


def main() -> list[Row]:
    ours = {size: trovemock_lists(size) for size in SIZES}
    theirs = {size: moto_lists(size) for size in SIZES[1:]}
    base = ours[100]["first"]
    target = "<= 2x the page at 100"
    rows = [Row("3", "first page of 20, 100 backups", "ms", base)]
    for size in SIZES[1:]:
        first, last = ours[size]["first"], ours[size]["last"]
        rows += [
            Row(
                "3",
                f"first page of 20, {size:,} backups",
                "ms",
                first,
                theirs[size]["first"],
                target=target,
                met=first <= 2 * base,
                note=f"moto ignored MaxRecords=20 and returned {theirs[size]['returned']:,} "
                f"snapshots; trovemock's page is {first / base:.2f}x the page at 100",
            ),
            Row(
                "3",
                f"last page of 20 (marker {size - PAGE:,}), {size:,} backups",
                "ms",
                last,
                target=target,
                met=last <= 2 * base,
                note=f"{last / base:.2f}x the page at 100: the marker is an offset (as in "
                "Trove); an unfiltered list is a slice of the project's newest-first list, "
                "cached until the next change",
            ),
            Row(
                "3",
                f"whole list walked by pages of 20, {size:,} backups",
                "ms",
                ours[size]["walk"],
                theirs[size]["walk"],
            ),
        ]
    return rows


if __name__ == "__main__":
    emit(main())
