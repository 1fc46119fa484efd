"""Identical answers / cases per fidelity mode, against real Trove 26.0.0:
`python -m tests.upstream.figures [--write]` (--write regenerates differences.json)."""

from __future__ import annotations

import sys
import warnings


def main(argv: list[str]) -> int:
    warnings.filterwarnings("ignore")
    from tests.upstream.cases import CASES
    from tests.upstream.differential import differences
    from tests.upstream.table import build, mock_answers, save, upstream_answers

    for fidelity in ("documented", "upstream"):
        same = sum(
            not differences(upstream_answers(case), mock_answers(case, fidelity))
            for case in CASES
        )
        print(f"fidelity={fidelity}: {same} / {len(CASES)} cases identical to Trove 26.0.0")
    if "--write" in argv:
        table = build()
        save(table)
        print(f"wrote tests/upstream/differences.json ({len(table)} differences)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
