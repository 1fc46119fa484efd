"""python-troveclient's Python API against `trovemock serve`, as its users write it.

    python troveclient_flow.py <url> <login> <user> <password> <project> <instance> [region]

login: `v3` (keystoneauth session, v3.Password), `v2` (the legacy client, keystone v2.0),
`token` (a session with a fixed endpoint and token; nothing asked of identity). Backups
(create, list with paging, get, per instance, delete), datastores, the root API, version
discovery; `reset_status` when the user is an admin. Prints one JSON document. `region`
picks the catalog's endpoint where it lists several (Rackspace: one per region).
"""

from __future__ import annotations

import json
import sys
import time

from keystoneauth1 import session, token_endpoint
from keystoneauth1.identity import v3
from troveclient.apiclient import exceptions
from troveclient.v1 import client


def login(
    url: str, how: str, user: str, password: str, project: str, region: str | None
) -> client.Client:
    if how == "v3":
        auth = v3.Password(auth_url=f"{url}/v3", username=user, password=password,
                           project_name=project, user_domain_name="Default",
                           project_domain_name="Default")
        return client.Client(session=session.Session(auth=auth))
    if how == "v2":
        return client.Client(username=user, password=password, project_id=project,
                             auth_url=f"{url}/v2.0", region_name=region)
    auth = token_endpoint.Token(f"{url}/v1.0/{project}", "any-token")
    return client.Client(session=session.Session(auth=auth))


def main(
    url: str, how: str, user: str, password: str, project: str, instance: str,
    region: str | None = None,
) -> dict:
    trove = login(url, how, user, password, project, region)
    out: dict = {}
    first = trove.backups.create("first", instance, description="from troveclient")
    out["created"] = [first.name, first.status]
    while trove.backups.get(first.id).status != "COMPLETED":
        time.sleep(0.1)
    second = trove.backups.create("second", instance)
    page = trove.backups.list(limit=1)
    out["page"] = [[b.name for b in page], page.next]
    rest = trove.backups.list(limit=1, marker=page.next)
    out["rest"] = [b.name for b in rest]
    out["of_instance"] = sorted(b.name for b in trove.instances.backups(instance))
    out["datastores"] = sorted(d.name for d in trove.datastores.list())
    version = trove.datastore_versions.get("mysql", "5.7")
    out["version"] = [version.name, version.datastore]
    user_name, root_password = trove.root.create(instance)
    enabled = trove.root.is_root_enabled(instance).rootEnabled
    out["root"] = [user_name, bool(root_password), enabled]
    if user.startswith("admin"):
        trove.instances.reset_status(instance)
        out["after_reset"] = trove.backups.get(second.id).status
    else:
        while trove.backups.get(second.id).status != "COMPLETED":
            time.sleep(0.1)
    for backup in (second, first):
        trove.backups.delete(backup.id)
    try:
        trove.backups.get(first.id)
    except exceptions.NotFound as error:
        out["deleted"] = str(error)
    return out


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:8])))
