#!/usr/bin/env bash
# The data plane's database engines from Debian's packages: MariaDB (mariadbd,
# mariadb-install-db, mariadb-backup, mbstream) for the mysql and mariadb datastores and
# PostgreSQL for postgresql. A fresh CI machine has none; this installs what is missing
# (CI runs as root) and prints the versions found.
set -euo pipefail
need=()
for binary in mariadbd mariadb-install-db mariadb-backup mbstream; do
    command -v "$binary" >/dev/null 2>&1 || [ -x "/usr/sbin/$binary" ] || need+=(mariadb)
done
ls /usr/lib/postgresql/*/bin/pg_basebackup >/dev/null 2>&1 || need+=(postgresql)
if [ "${#need[@]}" -gt 0 ]; then
    started=$(date +%s)
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends mariadb-server-core mariadb-backup \
        mariadb-client-core postgresql >/dev/null
    echo "== database engines installed in $(( $(date +%s) - started )) s"
fi
echo "== engines: $(/usr/sbin/mariadbd --version | cut -d' ' -f2-4); PostgreSQL $(ls /usr/lib/postgresql | sort -V | tail -1)"
