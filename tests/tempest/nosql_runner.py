"""trove-tempest-plugin 2.8.0's scenario classes, run against `trovemock serve`.

Every class of the plugin is here, subclassed under its own name, with one change: the steps
that speak SQL to the database at the instance's address (pymysql / psycopg2 on 3306 / 5432:
`insert_data`, `verify_data`, `init_db`, ...) are swapped for the no-op versions the plugin's
own base classes define (`TestBackupBase.insert_data` is `pass`, and so on). No API emulator
has a database behind that address; every Trove API call of the tests is kept unchanged.

The tests that are not swapped (those outside the nine backup tests) still try SQL; here
they fail at once instead: `SQLClient` and `pymysql.connect` raise, and no socket of this
process may connect anywhere but the loopback (the instance addresses trovemock shows are
not hosts, and nothing here may send traffic to them).

Two more things, both outside the tests' API traffic:
- Polling: the plugin polls every 10 s (5 s before the first poll). trovemock settles in a
  second, so `POLL_SECONDS` (env TROVEMOCK_TEMPEST_POLL, default 0.5) caps both; the
  timeouts from tempest.conf still apply.
- The SSL classes create Barbican secrets in their setup. Barbican is another service, not
  part of Trove: after the Trove part of their setup (instance, HEALTHY, address, root) has
  passed, those classes are skipped unless `[service_available] barbican` is true.

Copied to `test_trove_nosql.py` by `.ci/tiers/30-tempest.sh` (unittest discovery wants a
`test*.py` name; here it would be collected by the project's pytest run, which has no
tempest).
"""

from __future__ import annotations

import ipaddress
import os
import socket

from oslo_service import loopingcall
from tempest import config
from tempest.lib import exceptions
from trove_tempest_plugin.tests import utils
from trove_tempest_plugin.tests.scenario import (
    base_actions,
    base_backup,
    base_cinder_backup,
    base_replication,
    base_ssl,
    test_backup,
    test_cinder_backup,
    test_instance_actions,
    test_instance_basic,
    test_instance_ssl,
    test_instance_update_access,
    test_replication,
)

CONF = config.CONF
NO_DATABASE = "trovemock has no database behind the instance address: SQL steps are not run"


def _refuse_sql(*args, **kwargs):
    raise exceptions.TempestException(NO_DATABASE)


class _NoSQLClient:
    def __init__(self, *args, **kwargs):
        _refuse_sql()


utils.SQLClient = _NoSQLClient
base_ssl.pymysql.connect = _refuse_sql
_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex


def _loopback_only(address) -> None:
    if isinstance(address, tuple) and address:
        try:
            if not ipaddress.ip_address(address[0]).is_loopback:
                raise ConnectionRefusedError(f"{address[0]}: {NO_DATABASE}")
        except ValueError:  # a host name: only localhost
            if address[0] != "localhost":
                raise ConnectionRefusedError(f"{address[0]}: {NO_DATABASE}") from None


def _guarded_connect(self, address):
    _loopback_only(address)
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    _loopback_only(address)
    return _connect_ex(self, address)


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex
POLL_SECONDS = float(os.environ.get("TROVEMOCK_TEMPEST_POLL", "0.5"))


class _FastPolling(loopingcall.FixedIntervalWithTimeoutLoopingCall):
    """The plugin's wait loops, polling every POLL_SECONDS instead of every 10 s."""

    def start(self, interval, initial_delay=None, stop_on_exception=True, timeout=0):
        if initial_delay is not None:
            initial_delay = min(initial_delay, POLL_SECONDS)
        return super().start(
            min(interval, POLL_SECONDS),
            initial_delay=initial_delay,
            stop_on_exception=stop_on_exception,
            timeout=timeout,
        )


loopingcall.FixedIntervalWithTimeoutLoopingCall = _FastPolling


def _same(plugin_class: type) -> type:
    """`plugin_class` under its own name in this module, unchanged (no SQL in its setup)."""
    return type(plugin_class.__name__, (plugin_class,), {"__module__": __name__})


def _no_sql(plugin_class: type, base: type, hooks: tuple[str, ...]) -> type:
    """`plugin_class` under its own name, with `hooks` taken from `base` (no-ops there)."""
    overrides = {name: base.__dict__[name] for name in hooks}
    overrides["__module__"] = __name__
    return type(plugin_class.__name__, (plugin_class,), overrides)


BACKUP_HOOKS = ("insert_data", "insert_data_inc", "verify_data", "verify_data_inc")
CINDER_HOOKS = ("insert_data", "verify_data")
ACTION_HOOKS = (
    "init_db", "insert_data_upgrade", "verify_data_upgrade", "insert_data_before_rebuild",
    "verify_data_after_rebuild", "get_db_version", "get_config_value",
)  # fmt: skip
REPLICATION_HOOKS = (
    "insert_data_replication", "verify_data_replication", "insert_data_after_promote",
    "verify_data_after_promote", "create_database",
)  # fmt: skip

# The nine backup tests: the tier fails unless each passes.
TestBackupMySQL = _no_sql(test_backup.TestBackupMySQL, base_backup.TestBackupBase, BACKUP_HOOKS)
TestBackupMariaDB = _no_sql(
    test_backup.TestBackupMariaDB, base_backup.TestBackupBase, BACKUP_HOOKS
)
TestBackupPostgreSQL = _no_sql(
    test_backup.TestBackupPostgreSQL, base_backup.TestBackupBase, BACKUP_HOOKS
)
TestCinderBakcupMySQL = _no_sql(  # sic: the plugin's spelling
    test_cinder_backup.TestCinderBakcupMySQL, base_cinder_backup.TestCinderBackupBase,
    CINDER_HOOKS,
)
TestCinderBackupMariaDB = _no_sql(
    test_cinder_backup.TestCinderBackupMariaDB, base_cinder_backup.TestCinderBackupBase,
    CINDER_HOOKS,
)
TestCinderBackupPostgreSQL = _no_sql(
    test_cinder_backup.TestCinderBackupPostgreSQL, base_cinder_backup.TestCinderBackupBase,
    CINDER_HOOKS,
)

# The other classes: their setup must pass; their tests reach features trovemock does not
# emulate (configurations, upgrades, replication, guest logs) and may fail.
TestInstanceActionsMySQL = _no_sql(
    test_instance_actions.TestInstanceActionsMySQL, base_actions.TestInstanceActionsBase,
    ACTION_HOOKS,
)
TestInstanceActionsMariaDB = _no_sql(
    test_instance_actions.TestInstanceActionsMariaDB, base_actions.TestInstanceActionsBase,
    ACTION_HOOKS,
)
TestInstanceActionsPostgreSQL = _no_sql(
    test_instance_actions.TestInstanceActionsPostgreSQL, base_actions.TestInstanceActionsBase,
    ACTION_HOOKS,
)
TestReplicationMySQL = _no_sql(
    test_replication.TestReplicationMySQL, base_replication.TestReplicationBase,
    REPLICATION_HOOKS,
)
TestReplicationMariaDB = _no_sql(
    test_replication.TestReplicationMariaDB, base_replication.TestReplicationBase,
    REPLICATION_HOOKS,
)
TestReplicationPostgreSQL = _no_sql(
    test_replication.TestReplicationPostgreSQL, base_replication.TestReplicationBase,
    REPLICATION_HOOKS,
)
TestInstanceBasicMySQL = _same(test_instance_basic.TestInstanceBasicMySQL)
TestInstanceBasicMariaDB = _same(test_instance_basic.TestInstanceBasicMariaDB)
TestInstanceBasicPostgreSQL = _same(test_instance_basic.TestInstanceBasicPostgreSQL)
_access = test_instance_update_access
TestInstanceUpdateAccessMySQL = _same(_access.TestInstanceUpdateAccessMySQL)
TestInstanceUpdateAccessMariaDB = _same(_access.TestInstanceUpdateAccessMariaDB)
TestInstanceUpdateAccessPostgreSQL = _same(_access.TestInstanceUpdateAccessPostgreSQL)


def _trove_part_then_skip_without_barbican(cls) -> None:
    """The SSL classes' setup where Barbican is; elsewhere only its Trove part (instance,
    HEALTHY, address, root: BaseTroveTest's setup), then a skip."""
    if getattr(CONF.service_available, "barbican", False):
        base_ssl.TestInstanceSSLBase.resource_setup.__func__(cls)
        return
    super(base_ssl.TestInstanceSSLBase, cls).resource_setup()
    raise cls.skipException(
        "The Trove part of the setup passed; the rest needs Barbican, which is not "
        "part of Trove ([service_available] barbican = false)."
    )


def _ssl(plugin_class: type) -> type:
    return type(
        plugin_class.__name__,
        (plugin_class,),
        {
            "__module__": __name__,
            "resource_setup": classmethod(_trove_part_then_skip_without_barbican),
        },
    )


TestInstanceSSLMySQL = _ssl(test_instance_ssl.TestInstanceSSLMySQL)
TestInstanceSSLMariaDB = _ssl(test_instance_ssl.TestInstanceSSLMariaDB)
TestInstanceSSLPostgreSQL = _ssl(test_instance_ssl.TestInstanceSSLPostgreSQL)
