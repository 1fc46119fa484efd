"""Shared helpers of the test suite.

Every helper talks to the emulator over HTTP through `werkzeug.test.Client`, the way a user's
code does; the Python API is used only to seed instances and move the manual clock.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from werkzeug.test import Client, TestResponse

from trovemock import TroveMock

PROJECT = "p1"
OTHER_PROJECT = "p2"
TOKEN = "tok-123"
DIALECTS = ("openstack", "rackspace")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
RUNNING = ("NEW", "BUILDING", "SAVING")

# Keys of a backup object. OpenStack: trove-behavior.md §9 (exactly these). Rackspace: the
# seed 002 examples, which add five keys and carry no project_id.
OPENSTACK_BACKUP_KEYS = {
    "id", "name", "description", "locationRef", "instance_id", "created", "updated", "size",
    "status", "parent_id", "project_id", "datastore",
}
RACKSPACE_BACKUP_KEYS = (OPENSTACK_BACKUP_KEYS - {"project_id"}) | {
    "is_automated", "flavor_ram", "source", "type", "volume_size",
}


class Api:
    """A thin HTTP client bound to one project: paths are relative to `/v1.0/<project>`."""

    def __init__(self, mock: TroveMock, project: str = PROJECT, token: str | None = TOKEN):
        self.mock = mock
        self.raw = Client(mock)
        self.project = project
        self.token = token

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | str | None = None,
        content_type: str | None = None,
        project: str | None = None,
        token: str | None = "",
        headers: dict[str, str] | None = None,
        query: dict[str, Any] | str | None = None,
    ) -> TestResponse:
        """Send a request. `token=""` means the client's token, `None` sends no token."""
        url = f"/v1.0/{project or self.project}{path}"
        all_headers = {"Accept": "application/json"}
        use_token = self.token if token == "" else token
        if use_token is not None:
            all_headers["X-Auth-Token"] = use_token
        if headers:
            all_headers.update(headers)
        kwargs: dict[str, Any] = {"headers": all_headers}
        if json_body is not None:
            kwargs["data"] = json.dumps(json_body)
            kwargs["content_type"] = "application/json"
        if data is not None:
            kwargs["data"] = data
        if content_type is not None:
            kwargs["content_type"] = content_type
        if query is not None:
            kwargs["query_string"] = query
        return self.raw.open(url, method=method, **kwargs)

    def get(self, path: str, **kw: Any) -> TestResponse:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> TestResponse:
        return self.request("POST", path, json_body=body, **kw)

    def delete(self, path: str, **kw: Any) -> TestResponse:
        return self.request("DELETE", path, **kw)


def make(dialect: str, project: str = PROJECT) -> tuple[TroveMock, Api, str]:
    """A fresh emulated cloud of `dialect` and a client for `project`."""
    mock = TroveMock(dialect=dialect)
    return mock, Api(mock, project), project


def body_of(resp: TestResponse) -> Any:
    """The response body parsed as JSON (asserting it is JSON)."""
    assert resp.headers.get("Content-Type", "").startswith("application/json"), resp.headers
    return json.loads(resp.get_data(as_text=True))


def ok(resp: TestResponse, status: int = 200) -> Any:
    """Assert a success status and return the JSON body."""
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True))
    return body_of(resp)


def fault_of(resp: TestResponse, status: int, name: str) -> str:
    """Assert that `resp` is exactly the fault `{"<name>": {"code": status, "message": str}}`
    served as application/json, and return the message."""
    text = resp.get_data(as_text=True)
    assert resp.status_code == status, (resp.status_code, text)
    assert resp.headers.get("Content-Type", "").startswith("application/json"), resp.headers
    body = json.loads(text)
    assert list(body) == [name], body
    assert set(body[name]) == {"code", "message"}, body
    assert body[name]["code"] == status, body
    message = body[name]["message"]
    assert isinstance(message, str) and message, body
    assert "Traceback" not in message
    return message


def seed_instance(mock: TroveMock, project: str = PROJECT, **kwargs: Any) -> str:
    """Seed an ACTIVE instance through the Python API and return its id."""
    return mock.add_instance(project, **kwargs).id


def backup_body(instance_id: str | None, name: str = "nightly", **fields: Any) -> dict:
    body: dict[str, Any] = {"name": name}
    if instance_id is not None:
        body["instance"] = instance_id
    body.update(fields)
    return {"backup": body}


def create_backup(api: Api, instance_id: str | None, name: str = "nightly", **fields: Any) -> dict:
    """POST /backups and assert 202; return the backup object."""
    resp = api.post("/backups", backup_body(instance_id, name, **fields))
    return ok(resp, 202)["backup"]


def backup_seconds(mock: TroveMock) -> float:
    """How long a backup runs from NEW to COMPLETED with the current config."""
    return mock.config.backup_new_seconds + mock.config.backup_building_seconds


def finish_backups(mock: TroveMock) -> None:
    """Advance the clock past the end of every backup started now."""
    mock.clock.advance(backup_seconds(mock) + 1)


def completed_backup(api: Api, instance_id: str, name: str = "nightly", **fields: Any) -> dict:
    """Create a backup, let it complete, and return it as GET shows it."""
    created = create_backup(api, instance_id, name, **fields)
    finish_backups(api.mock)
    shown = get_backup(api, created["id"])
    assert shown["status"] == "COMPLETED", shown
    return shown


def get_backup(api: Api, backup_id: str) -> dict:
    return ok(api.get(f"/backups/{backup_id}"))["backup"]


def get_instance(api: Api, instance_id: str) -> dict:
    return ok(api.get(f"/instances/{instance_id}"))["instance"]


def next_marker(body: dict) -> str | None:
    """The marker of the `rel: next` link, read the way python-troveclient reads it."""
    for link in body.get("links", []):
        if link.get("rel") == "next":
            values = parse_qs(urlsplit(link["href"]).query).get("marker")
            return values[0] if values else None
    return None


def iter_pages(api: Api, path: str = "/backups", **query: Any) -> Iterator[dict]:
    """Yield every page of a list, following the `next` links."""
    params = dict(query)
    for _ in range(10_000):
        body = ok(api.get(path, query=params))
        yield body
        marker = next_marker(body)
        if marker is None:
            return
        params["marker"] = marker
    raise AssertionError("pagination never ended")


def list_ids(api: Api, path: str = "/backups", **query: Any) -> list[str]:
    """Ids of every item of a list (all pages), in the order served."""
    return [b["id"] for page in iter_pages(api, path, **query) for b in page["backups"]]


def random_id() -> str:
    return str(uuid.uuid4())


def restore_body(backup_id: str, volume_size: int = 2, name: str = "restored",
                 flavor: Any = "1") -> dict:
    # openstack has no default datastore (Trove's 400 without one); mysql is the seeds'
    return {"instance": {"name": name, "flavorRef": flavor, "volume": {"size": volume_size},
                         "datastore": {"type": "mysql"},
                         "restorePoint": {"backupRef": backup_id}}}


def names(items: list[dict]) -> set[str]:
    return {item["name"] for item in items}
