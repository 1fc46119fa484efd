"""pyrax 1.10.0 against `trovemock serve --dialect rackspace`, as a pyrax user writes it.

    python pyrax_flow.py <server url> <user> <api key> <instance id>

API-key login through the emulated Rackspace identity, then backups (create, list, get,
list per instance), a restore, a plain instance create and a delete. Prints one JSON
document of what pyrax returned; tests/clients/test_pyrax.py judges it.
"""

from __future__ import annotations

import json
import sys
import time

import pyrax
from pyrax import exceptions


def wait_for(get, wanted: str, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while True:
        found = get()
        if found.status == wanted or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def main(url: str, user: str, api_key: str, instance_id: str) -> dict:
    pyrax.set_setting("identity_type", "rackspace")
    pyrax.set_setting("auth_endpoint", url + "/v2.0/")
    pyrax.set_setting("region", "DFW")
    pyrax.set_credentials(user, api_key)
    cdb = pyrax.cloud_databases
    out: dict = {"management_url": cdb.management_url}

    created = cdb.create_backup(instance_id, "nightly", description="from pyrax")
    out["created_name"] = created.name
    listed = cdb.list_backups()
    out["listed"] = [[b.name, b.status, b.instance_id] for b in listed]
    backup_id = listed[0].id
    done = wait_for(lambda: cdb.get_backup(backup_id), "COMPLETED")
    out["completed"] = [done.name, done.status, done.description, done.size]
    out["of_instance"] = [b.id for b in cdb.list_backups(instance=instance_id)]

    restored = cdb.restore_backup(backup_id, "restored", flavor=1, volume=2)
    restored = wait_for(lambda: cdb.get(restored.id), "ACTIVE")
    out["restored"] = [restored.name, restored.status, restored.volume.size]

    plain = cdb.create("plain", flavor=1, volume=1)
    plain = wait_for(lambda: cdb.get(plain.id), "ACTIVE")
    out["plain"] = [plain.name, plain.status]
    out["instances"] = sorted(i.name for i in cdb.list())

    cdb.delete_backup(backup_id)
    try:
        cdb.get_backup(backup_id)
        out["after_delete"] = "still there"
    except exceptions.NotFound as error:
        out["after_delete"] = f"NotFound {error.code}"
    return out


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5])))
