#!/usr/bin/env bash
# Browser tier: the dashboard (/_trovemock/ui/) driven in Debian's Chromium by a pinned
# Playwright that launches that system browser (it never downloads one: no `playwright
# install`), against `trovemock serve --clock manual` on 127.0.0.1 (tests/dashboard/).
#
#   bash .ci/tiers/40-browser.sh        # from the project root; builds .venv-browser once
#
# As root (CI) it installs the `chromium` package when /usr/bin/chromium is missing.
# env: VENV (default .venv-browser), KEEP_VENV=0 to rebuild, TROVEMOCK_CHROMIUM to use
# another Chromium binary. Screenshots of every view: tests/dashboard/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
VENV=${VENV:-$ROOT/.venv-browser}
PY="${PYTHON:-python3}"
PLAYWRIGHT_PIN="playwright==1.65.2"
started=$(date +%s)

CHROMIUM=${TROVEMOCK_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
    else
        echo "no Chromium at $CHROMIUM: install Debian's chromium package (as root)" >&2
        exit 1
    fi
fi

if [ "${KEEP_VENV:-1}" = 0 ] || [ ! -x "$VENV/bin/pytest" ] \
    || ! "$VENV/bin/python" -m pip show -q playwright >/dev/null 2>&1; then
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q "$PLAYWRIGHT_PIN"
fi
"$VENV/bin/python" -m pip install -q "$PLAYWRIGHT_PIN" -e "$ROOT[test]"
echo "== browser venv ready in $(( $(date +%s) - started )) s"
echo "== $("$CHROMIUM" --version 2>/dev/null), $("$VENV/bin/python" -m pip show playwright | grep ^Version)"

rm -rf tests/dashboard/screenshots
export TROVEMOCK_BROWSER=1 TROVEMOCK_CHROMIUM="$CHROMIUM" CI="${CI:-true}"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/dashboard
echo "== browser tier done in $(( $(date +%s) - started )) s (screenshots in tests/dashboard/screenshots)"
