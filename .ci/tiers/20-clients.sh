#!/usr/bin/env bash
# Client tier: real clients, each in its own pinned venv under .venv-clients/, drive
# `trovemock serve` the way their users do (tests/clients/).
#
#   bash .ci/tiers/20-clients.sh      # from anywhere; builds the venvs once, then runs
#
# Venvs (pins and recipes in tests/clients/<name>/):
#   openstack  python-troveclient 8.11.0 (Python API, legacy `trove` shell) + openstack CLI 10.5.0
#   pyrax      pyrax 1.10.0, then oslo.config upgraded (1.10.0's pins do not import on 3.11)
#   cdbclient  cdbclient 1.0.9 (`cdb-cli`): setuptools<70, --no-build-isolation --no-deps,
#              then its run-time dependencies
# env: REBUILD=1 rebuilds them; RUNNER=python with trovemock + its test extra (default:
# .venv-ci, else .venv, else a venv built here).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/tests/clients
VENVS=$ROOT/.venv-clients
PY="${PYTHON:-python3}"
started=$(date +%s)
PIP_QUIET=(-q --disable-pip-version-check)

fresh() {  # fresh <name>: an empty venv with a current pip; 1 when it is already built
    local venv=$VENVS/$1
    if [ "${REBUILD:-0}" != 1 ] && [ -f "$venv/.built" ]; then return 1; fi
    rm -rf "$venv"
    "$PY" -m venv "$venv"
    "$venv/bin/python" -m pip install "${PIP_QUIET[@]}" --upgrade pip
}

if fresh openstack; then
    "$VENVS/openstack/bin/pip" install "${PIP_QUIET[@]}" \
        -c "$HERE/openstack/constraints.txt" -r "$HERE/openstack/requirements.txt"
    touch "$VENVS/openstack/.built"
fi
if fresh pyrax; then
    "$VENVS/pyrax/bin/pip" install "${PIP_QUIET[@]}" \
        -c "$HERE/pyrax/constraints.txt" -r "$HERE/pyrax/requirements.txt"
    # pip reports novaclient's pbr<2 pin as a conflict here; pyrax imports and works.
    "$VENVS/pyrax/bin/pip" install "${PIP_QUIET[@]}" -r "$HERE/pyrax/upgrade.txt" 2>&1 \
        | grep -v "dependency conflicts\|python-novaclient .* requires pbr" || true
    "$VENVS/pyrax/bin/python" -c "import pyrax; assert pyrax.version.version == '1.10.0'"
    touch "$VENVS/pyrax/.built"
fi
if fresh cdbclient; then
    "$VENVS/cdbclient/bin/pip" install "${PIP_QUIET[@]}" "setuptools<70" wheel
    "$VENVS/cdbclient/bin/pip" install "${PIP_QUIET[@]}" --no-build-isolation --no-deps \
        "cdbclient==1.0.9"
    "$VENVS/cdbclient/bin/pip" install "${PIP_QUIET[@]}" \
        -c "$HERE/cdbclient/constraints.txt" -r "$HERE/cdbclient/requirements.txt" 2>&1 \
        | grep -v "dependency conflicts\|cdbclient 1.0.9 requires" || true
    "$VENVS/cdbclient/bin/cdb-cli" help backup-copy > /dev/null
    touch "$VENVS/cdbclient/.built"
fi
echo "== client venvs ready in $(( $(date +%s) - started )) s"

RUNNER=${RUNNER:-}
if [ -z "$RUNNER" ]; then
    for candidate in "$ROOT/.venv-ci/bin/python" "$ROOT/.venv/bin/python"; do
        if [ -x "$candidate" ] && "$candidate" -c "import trovemock, pytest, hypothesis" 2>/dev/null
        then RUNNER=$candidate; break; fi
    done
fi
if [ -z "$RUNNER" ]; then
    "$PY" -m venv "$VENVS/runner"
    "$VENVS/runner/bin/python" -m pip install "${PIP_QUIET[@]}" -e "$ROOT[test]"
    RUNNER=$VENVS/runner/bin/python
fi
"$RUNNER" -m pytest -q -p no:cacheprovider -n 2 tests/clients
echo "== client tier done in $(( $(date +%s) - started )) s"
