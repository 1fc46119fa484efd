"""python-troveclient's Python API for configuration groups and replicas against
`trovemock serve`, as its users write it.

    python troveclient_groups_replicas.py <url> <project> <instance>

A token session with a fixed endpoint (nothing asked of identity). Prints one JSON document.
The server's instance durations are short (the test sets them), so the waits are brief.
"""

from __future__ import annotations

import json
import sys
import time

from keystoneauth1 import session, token_endpoint
from troveclient.apiclient import exceptions
from troveclient.v1 import client


def wait_active(trove: client.Client, instance_id: str) -> str:
    for _ in range(200):
        status = trove.instances.get(instance_id).status
        if status == "ACTIVE":
            return status
        time.sleep(0.05)
    return status


def main(url: str, project: str, instance: str) -> dict:
    auth = token_endpoint.Token(f"{url}/v1.0/{project}", "any-token")
    trove = client.Client(session=session.Session(auth=auth))
    out: dict = {}
    params = trove.configuration_parameters.parameters("mysql", "5.7")
    out["parameter"] = [p.name for p in params if p.name == "max_connections"]
    group = trove.configurations.create("tuned", json.dumps({"max_connections": 555}),
                                        description="from troveclient", datastore="mysql",
                                        datastore_version="5.7")
    out["group"] = [group.name, group.values, group.instance_count]
    trove.instances.update(instance, configuration=group.id)
    out["attached"] = trove.instances.get(instance).configuration["id"] == group.id
    out["group_instances"] = [i.id for i in trove.configurations.instances(group.id)]
    trove.configurations.edit(group.id, json.dumps({"wait_timeout": 60}))
    out["edited"] = trove.configurations.get(group.id).values
    trove.configurations.update(group.id, json.dumps({"max_connections": 600}))
    out["updated"] = trove.configurations.get(group.id).values
    try:
        trove.configurations.delete(group.id)
    except exceptions.BadRequest as error:
        out["delete_attached"] = error.http_status
    trove.instances.update(instance, remove_configuration=True)
    trove.configurations.delete(group.id)
    out["groups_left"] = len(trove.configurations.list())

    replica = trove.instances.create("copy", replica_of=instance)
    out["replica"] = [replica.replica_of["id"] == instance, wait_active(trove, replica.id)]
    out["replicas"] = [r["id"] for r in trove.instances.get(instance).replicas]
    out["replica_id"] = replica.id
    trove.instances.promote_to_replica_source(replica.id)
    wait_active(trove, replica.id)
    out["promoted"] = [r["id"] for r in trove.instances.get(replica.id).replicas]
    wait_active(trove, instance)
    trove.instances.update(instance, detach_replica_source=True)
    wait_active(trove, instance)
    out["detached"] = getattr(trove.instances.get(instance), "replica_of", None)
    return out


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:])))
