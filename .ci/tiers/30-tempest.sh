#!/usr/bin/env bash
# Tempest tier: OpenStack's own Trove tests (trove-tempest-plugin 2.8.0 on tempest 47.0.0),
# every scenario class as the plugin ships it, with its real SQL, against `trovemock serve
# --dataplane servers` on 127.0.0.1:18779: each instance is a real MariaDB or PostgreSQL server
# on its own loopback address. Fails unless the 27 required tests pass, every class setup
# passes but the SSL classes' (they need Barbican), and no database server outlives trovemock
# (tests/tempest/check_results.py). The engines come from .ci/install-engines.sh.
#
#   bash .ci/tiers/30-tempest.sh          # from the project root; builds .venv-tempest once
#
# env: VENV (default .venv-tempest), RUN (default /tmp/trovemock-tempest), KEEP_VENV=0 to
# rebuild. Outputs (console, subunit, journal, tempest.log, summary) stay in $RUN.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/tests/tempest
VENV=${VENV:-$ROOT/.venv-tempest}
RUN=${RUN:-/tmp/trovemock-tempest}
PORT=18779   # the first free of 18779-18798 becomes tempest.conf.in's identity URL
PY="${PYTHON:-python3}"
started=$(date +%s)
bash "$ROOT/.ci/install-engines.sh"   # the data plane's servers (a no-op when installed)

if [ "${KEEP_VENV:-1}" = 0 ] || [ ! -x "$VENV/bin/stestr" ]; then
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -c "$HERE/constraints.txt" -r "$HERE/requirements.txt"
fi
"$VENV/bin/python" -m pip install -q -c "$HERE/constraints.txt" -e "$ROOT"
echo "== tempest venv ready in $(( $(date +%s) - started )) s"

port_free() {
    ! "$VENV/bin/python" -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 1)" \
        2>/dev/null
}
while ! port_free "$PORT"; do
    echo "port $PORT on 127.0.0.1 is in use; trying the next" >&2
    PORT=$((PORT + 1))
    [ "$PORT" -lt 18799 ] || { echo "ports 18779-18798 on 127.0.0.1 are all in use" >&2; exit 1; }
done

rm -rf "$RUN"
mkdir -p "$RUN/etc" "$RUN/locks" "$RUN/logs"
sed -e "s#@RUN@#$RUN#g" -e "s#@PORT@#$PORT#g" "$HERE/tempest.conf.in" > "$RUN/etc/tempest.conf"
cp "$HERE/accounts.yaml" "$RUN/etc/"
SITE=$("$VENV/bin/python" -c "import os, trove_tempest_plugin as p; print(os.path.dirname(os.path.dirname(p.__file__)))")
printf '[DEFAULT]\ntest_path=%s/trove_tempest_plugin/tests\ntop_dir=%s\n' "$SITE" "$SITE" \
    > "$RUN/.stestr.conf"

TM_PID=
stop() {
    if [ -n "$TM_PID" ]; then kill "$TM_PID" 2>/dev/null; wait "$TM_PID" 2>/dev/null || true; fi
    TM_PID=
}
trap stop EXIT
"$VENV/bin/trovemock" serve --dialect openstack --host 127.0.0.1 --port "$PORT" \
    --no-seed-demo --quiet --datastore mysql:5.7.29 --dataplane servers \
    --dataplane-dir "$RUN/dataplane" \
    --user tempest-primary:tempest-secret:tempest-project:member \
    --user tempest-admin:tempest-secret:tempest-admin-project:admin \
    > "$RUN/trovemock.log" 2>&1 &
TM_PID=$!
TM=http://127.0.0.1:$PORT
for _ in $(seq 100); do
    "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('$TM/_trovemock/')" \
        2>/dev/null && break
    sleep 0.1
done
# Speed only: instances build in 1 s and act in 1 s, backups finish in 1.5 s.
"$VENV/bin/python" - "$TM" <<'EOF'
import json, sys, urllib.request
body = {"instance_build_seconds": 1, "instance_action_seconds": 1,
        "backup_new_seconds": 0.5, "backup_building_seconds": 1}
req = urllib.request.Request(sys.argv[1] + "/_trovemock/config", json.dumps(body).encode(),
                             {"Content-Type": "application/json"}, method="PUT")
urllib.request.urlopen(req).read()
EOF

echo "== running trove-tempest-plugin (trovemock pid $TM_PID)"
tests_started=$(date +%s)
export TEMPEST_CONFIG_DIR=$RUN/etc TEMPEST_CONFIG=tempest.conf
(cd "$RUN" && "$VENV/bin/stestr" init >/dev/null \
    && "$VENV/bin/stestr" run --serial "${TEMPEST_REGEX:-trove_tempest_plugin\.tests\.scenario}" \
    > "$RUN/console.txt" 2>&1) || true
(cd "$RUN" && "$VENV/bin/stestr" last --subunit > "$RUN/results.subunit" 2>/dev/null) || true
echo "== tests took $(( $(date +%s) - tests_started )) s"
"$VENV/bin/python" -c "import urllib.request; print(urllib.request.urlopen('$TM/_trovemock/journal').read().decode())" \
    > "$RUN/journal.json" 2>/dev/null || true
stop
status=0
# Nothing the data plane started may outlive trovemock: no process naming its directory.
left=$("$VENV/bin/python" - "$RUN/dataplane" <<'EOF'
import os, sys
mine = {os.getpid(), os.getppid()}
def names(pid):
    try:
        return open(f"/proc/{pid}/cmdline", "rb").read()
    except OSError:
        return b""
print(sum(1 for pid in os.listdir("/proc") if pid.isdigit() and int(pid) not in mine
          and sys.argv[1].encode() in names(pid)))
EOF
)
echo "== database servers left after trovemock stopped: $left"
[ "$left" = 0 ] || status=1
"$VENV/bin/python" "$HERE/check_results.py" "$RUN/results.subunit" "$RUN/journal.json" \
    | tee "$RUN/summary.txt" || status=$?
echo "== tempest tier done in $(( $(date +%s) - started )) s (outputs in $RUN)"
exit $status
