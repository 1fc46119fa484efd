"""Run every benchmark (each in its own process) and print one Markdown table.

    .venv/bin/python benchmarks/run.py                  # print the table
    .venv/bin/python benchmarks/run.py --update-readme  # ...and record it in benchmarks/README.md
    .venv/bin/python benchmarks/run.py --quick          # smoke run: few repetitions
    .venv/bin/python benchmarks/run.py cycle list       # only some benchmarks

Not part of CI (CI runs the tests). The full run takes about 5 minutes on 2 cores (the
data plane's rows, which need MariaDB and/or PostgreSQL installed, about 1 of them).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import Row, markdown  # noqa: E402

BENCHMARKS = (
    "cycle", "create", "list", "chain", "server", "memory", "schedules", "lock", "journal",
    "connections", "dataplane",
)
README = HERE / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
BUDGET_S = 300


def run_one(name: str, quick: bool) -> list[Row]:
    command = [sys.executable, str(HERE / f"bench_{name}.py"), "--json"]
    if quick:
        command.append("--quick")
    done = subprocess.run(command, capture_output=True, text=True, cwd=HERE.parent)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"benchmark {name} failed (exit {done.returncode})")
    return [Row(**json.loads(line)) for line in done.stdout.splitlines() if line.startswith("{")]


def machine() -> str:
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, trovemock {_version('trovemock')}, "
        f"moto {_version('moto')}, boto3 {_version('boto3')}, werkzeug {_version('werkzeug')}"
    )


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def update_readme(section: str) -> None:
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{section}\n{END}{tail}", encoding="utf-8")


OPTIONS = ("--quick", "--update-readme")


def main(argv: list[str]) -> int:
    if "-h" in argv or "--help" in argv:
        print(__doc__.strip())
        print(f"\nbenchmarks: {', '.join(BENCHMARKS)}")
        return 0
    bad = [a for a in argv if a.startswith("-") and a not in OPTIONS]
    if bad:
        print(f"unknown option(s) {bad}; options: {', '.join(OPTIONS)}, --help")
        return 2
    quick = "--quick" in argv
    wanted = [a for a in argv if not a.startswith("-")] or list(BENCHMARKS)
    unknown = sorted(set(wanted) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; choose from {', '.join(BENCHMARKS)}")
        return 2
    started = time.perf_counter()
    rows: list[Row] = []
    for name in wanted:
        began = time.perf_counter()
        rows += run_one(name, quick)
        print(f"# {name}: {time.perf_counter() - began:.0f} s", file=sys.stderr)
    elapsed = time.perf_counter() - started
    command = "benchmarks/run.py " + " ".join(argv) if argv else "benchmarks/run.py"
    section = "\n".join(
        [
            f"Latest run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
            f"`.venv/bin/python {command.strip()}`, {elapsed:.0f} s in all"
            + (" (quick: few repetitions)" if quick else "")
            + ".",
            f"Machine: {machine()}.",
            "",
            markdown(rows),
        ]
    )
    print(section)
    missed = [f"{r.bench} {r.case}" for r in rows if r.met is False]
    if elapsed > BUDGET_S:
        print(f"\nWARNING: the run took {elapsed:.0f} s, over the {BUDGET_S} s budget.")
    if missed:
        print("\nTargets missed:\n  " + "\n  ".join(missed))
    if "--update-readme" in argv:
        update_readme(section)
        print(f"\nrecorded in {README.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
