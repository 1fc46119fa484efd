"""Judge a tempest tier run from its subunit stream (run with the tempest venv's python).

    python check_results.py results.subunit [journal.json]

Prints one line per test (or class setup) with its status and, for failures, the last
exception line of its traceback; then every non-2xx answer trovemock gave (from its journal),
grouped. Exits 1 unless every REQUIRED test passed (they run with their real SQL against the
data plane's servers) and no class setup failed but the SSL classes', which need Barbican
(another OpenStack service: its tempest client, `secret_v1`, is not there).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import subunit
import testtools

REQUIRED = (
    "TestBackupMySQL.test_backup_full",
    "TestBackupMySQL.test_backup_incremental",
    "TestBackupMariaDB.test_backup_full",
    "TestBackupMariaDB.test_backup_incremental",
    "TestBackupPostgreSQL.test_backup_full",
    "TestBackupPostgreSQL.test_backup_incremental",
    "TestCinderBakcupMySQL.test_backup_cinder",
    "TestCinderBackupMariaDB.test_backup_cinder",
    "TestCinderBackupPostgreSQL.test_backup_cinder",
    "TestInstanceUpdateAccessMySQL.test_instance_update_access",
    "TestInstanceUpdateAccessMariaDB.test_instance_update_access",
    "TestInstanceUpdateAccessPostgreSQL.test_instance_update_access",
    "TestInstanceBasicMySQL.test_root_disable",
    "TestInstanceBasicMariaDB.test_root_disable",
    "TestInstanceBasicPostgreSQL.test_root_disable",
    "TestInstanceBasicMySQL.test_database_access",
    "TestInstanceBasicMariaDB.test_database_access",
    "TestInstanceBasicPostgreSQL.test_database_access",
    "TestInstanceBasicMySQL.test_user_database",
    "TestInstanceBasicMariaDB.test_user_database",
    "TestInstanceBasicPostgreSQL.test_user_database",
    "TestInstanceBasicMySQL.test_configuration",
    "TestInstanceBasicMariaDB.test_configuration",
    "TestInstanceBasicPostgreSQL.test_configuration",
    "TestReplicationMySQL.test_replication",
    "TestReplicationMariaDB.test_replication",
    "TestReplicationPostgreSQL.test_replication",
)
# Class setups that fail for want of another OpenStack service, and how that shows.
NEEDS_OTHER_SERVICE = {"TestInstanceSSL": ("secret_v1", "Barbican")}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EXCEPTION = re.compile(r"^\s*([\w.]*(Error|Exception|Timeout|NotFound|BadRequest)\b.*)$")


class Collect(testtools.StreamResult):
    def __init__(self) -> None:
        super().__init__()
        self.tests: dict[str, dict] = {}

    def status(self, test_id=None, test_status=None, file_name=None, file_bytes=None, **kw):
        if test_id is None:
            return
        test = self.tests.setdefault(test_id, {"status": None, "traceback": b""})
        if test_status:
            test["status"] = test_status
        if file_name in ("traceback", "reason") and file_bytes:
            test["traceback"] += bytes(file_bytes)


def short(test_id: str) -> str:
    """`trove_tempest_plugin.tests.scenario.test_backup.TestBackupMySQL.test_backup_full[id-...]`
    -> `TestBackupMySQL.test_backup_full`; `setUpClass (....TestBackupMySQL)` -> `TestBackupMySQL.
    setUpClass`."""
    fixture = re.match(r"^(setUpClass|tearDownClass) \((.*)\)$", test_id)
    if fixture:
        return f"{fixture.group(2).rsplit('.', 1)[-1]}.{fixture.group(1)}"
    return ".".join(re.sub(r"\[.*\]$", "", test_id).split(".")[-2:])


def needs_other_service(name: str, test: dict) -> str | None:
    """The service a failed class setup needs, when that is why it failed."""
    for prefix, (sign, service) in NEEDS_OTHER_SERVICE.items():
        if name.startswith(prefix) and sign.encode() in test["traceback"]:
            return service
    return None


def is_class_fixture(name: str) -> bool:
    return name.endswith((".setUpClass", ".tearDownClass"))


def last_exception(text: bytes) -> str:
    found = ""
    for line in text.decode("utf-8", "replace").splitlines():
        if EXCEPTION.match(line):
            found = line.strip()
    return found[:300]


def main(subunit_path: str, journal_path: str | None = None) -> int:
    collect = Collect()
    with open(subunit_path, "rb") as stream:
        subunit.ByteStreamToStreamResult(stream, non_subunit_name="stdout").run(collect)
    results = {
        short(tid): t for tid, t in collect.tests.items()
        if t["status"] not in (None, "inprogress", "exists")
    }  # fmt: skip
    for name, test in sorted(results.items()):
        reason = last_exception(test["traceback"]) if test["status"] == "fail" else ""
        print(f"{test['status']:8} {name}" + (f"\n           {reason}" if reason else ""))
    print("counts:", dict(Counter(t["status"] for t in results.values())))
    if journal_path and Path(journal_path).exists():
        entries = json.loads(Path(journal_path).read_text())["journal"]
        errors = Counter(
            (e["method"], e.get("route") or UUID.sub("<id>", e["path"]), e["status"])
            for e in entries if e["status"] >= 400
        )  # fmt: skip
        print(f"trovemock answered {len(entries)} requests; errors:")
        for (method, route, status), count in errors.most_common():
            print(f"  {count:4} x {method} {route} -> {status}")
    problems = [f"{name}: {results.get(name, {}).get('status', 'not run')}"
                for name in REQUIRED if results.get(name, {}).get("status") != "success"]
    elsewhere = {name: service for name, t in results.items()
                 if is_class_fixture(name) and t["status"] == "fail"
                 and (service := needs_other_service(name, t))}
    for name, service in sorted(elsewhere.items()):
        print(f"needs {service} (not part of Trove): {name}")
    problems += [f"class setup or cleanup failed: {name}" for name, t in results.items()
                 if is_class_fixture(name) and t["status"] == "fail" and name not in elsewhere]
    for problem in problems:
        print("TIER FAILURE:", problem)
    passed = sum(results.get(n, {}).get("status") == "success" for n in REQUIRED)
    broken = sum(is_class_fixture(n) and t["status"] == "fail" and n not in elsewhere
                 for n, t in results.items())
    total = sum(t["status"] == "success" for n, t in results.items() if not is_class_fixture(n))
    print(f"tempest tier: {passed}/{len(REQUIRED)} required tests passed (backups, database "
          f"access, users, root, configuration, replication, instance access) with real SQL; "
          f"{total} tests passed in all; "
          f"{broken} class setups or cleanups failed ({len(elsewhere)} more need another "
          "service)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
