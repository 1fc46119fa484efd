#!/usr/bin/env bash
# Tier 10: trovemock against the real OpenStack Trove 26.0.0 API, in-process.
#
# Builds .venv-upstream (PyPI trove==26.0.0 pinned by tests/upstream/constraints.txt, the
# test runner, trovemock editable from this checkout), then runs tests/upstream: the
# differential suite in both fidelity modes and `trovemock contract` against real Trove
# served on loopback. About 3 minutes to build the venv on 2 cores, then about 2 minutes.
#
#   bash .ci/tiers/10-upstream.sh                 # build (once) and run
#   UPSTREAM_VENV=/somewhere bash .ci/tiers/10-upstream.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${UPSTREAM_VENV:-$PWD/.venv-upstream}"
PY="${PYTHON:-python3}"
CONSTRAINTS=tests/upstream/constraints.txt
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import trove, pytest' 2>/dev/null; then
    "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c "$CONSTRAINTS" \
        "trove==26.0.0" pytest pytest-xdist hypothesis freezegun werkzeug jsonschema
fi
# trovemock from this checkout, without its test extra (its pins stay those above)
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e .
"$VENV/bin/python" -c 'import importlib.metadata as m; assert m.version("trove") == "26.0.0"'
export TROVEMOCK_UPSTREAM=1   # the suite must run here: a missing real Trove is a failure
"$VENV/bin/python" -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning tests/upstream
"$VENV/bin/python" -m tests.upstream.figures
