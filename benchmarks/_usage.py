"""`bench_x.py --help` describes the benchmark (its module docstring) instead of running it.
Imported first by the shared modules, before any heavy import."""

import sys

if "-h" in sys.argv or "--help" in sys.argv:
    print((getattr(sys.modules["__main__"], "__doc__", None) or "").strip())
    print("\noptions: --quick (few repetitions), --json (rows as JSON lines, for run.py)")
    raise SystemExit(0)
