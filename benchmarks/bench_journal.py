"""Benchmark 9: the journal's real memory against its budget (tracemalloc).

A cloud with `journal_max_bytes` of 8 MiB answers requests carrying the worst the limits
allow, journaled all: 1 MiB headers, 1 MiB query strings, request bodies of 1 MiB (kept as
the text of their start) and of 60 KiB of tiny nested lists (parsed objects many times the
size of their text), each kind until the budget has turned over several times. The traced
memory the journal holds afterwards (a full collection first) is divided by the budget:
it must stay at or under 1 (the budget bounds what the journal holds, not just its bodies).
"""

from __future__ import annotations

import gc
import json
import tracemalloc

from _common import QUICK, Row, emit
from werkzeug.test import Client

from trovemock import TroveMock

BUDGET = 8 * 2**20
ROUNDS = 20 if QUICK else 60


def worst_requests(client: Client) -> None:
    base = "/v1.0/p1/backups"
    token = {"X-Auth-Token": "t"}
    nested = json.dumps({"backup": {"name": "b"}, "junk": [[n] for n in range(9_000)]})
    for n in range(ROUNDS):
        client.get(base, headers={"X-Junk": "h" * 2**20})  # unauthenticated: refused
        client.get(f"{base}?junk={'q' * 2**20}", headers=token)
        client.post(base, headers=token, data="{" + " " * 2**20 + "}",
                    content_type="application/json")
        client.post(base, headers=token, data=nested, content_type="application/json")
        client.get(f"{base}?n={n}", headers=token)


def journal_bytes() -> tuple[int, int]:
    mock = TroveMock()
    mock.config.update({"journal_max_bytes": BUDGET, "max_body_bytes": 2 * 2**20})
    mock.add_instance("p1")
    client = Client(mock)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        worst_requests(client)
        gc.collect()
        journal_only = tracemalloc.get_traced_memory()[0]
        entries = len(mock.journal)
        mock.journal.clear()
        gc.collect()
        cleared = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert before >= 0
    return journal_only - cleared, entries


def main() -> list[Row]:
    held, entries = journal_bytes()
    return [
        Row(
            "9",
            f"journal memory under the worst headers, queries and bodies ({entries} entries "
            f"kept), budget {BUDGET // 2**20} MiB",
            "bytes",
            held,
            target=f"<= {BUDGET // 2**20} MiB",
            met=held <= BUDGET,
            note=f"tracemalloc, what clearing the journal frees: {held / BUDGET:.0%} of its "
            "budget",
        )
    ]


if __name__ == "__main__":
    emit(main())
