"""The two sides of the differential suite: real Trove 26.0.0 (in-process, `real_trove`) and
trovemock, driven by the same steps. Each side knows how to seed what the other side's
services would hold (tokens, instances, a backup's guest-reported state) and answers
requests as werkzeug test responses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from werkzeug.test import Client, TestResponse

from trovemock import TroveMock
from trovemock.config import Config

# Every case starts with these tokens (keystone's) and these instances (nova's + Trove's).
TOKENS = {
    "t1": ("p1", ("member",)),
    "t2": ("p2", ("member",)),
    "ta": ("p1", ("admin",)),
}
I1 = "11111111-1111-4111-8111-111111111111"  # p1, ACTIVE
I2 = "22222222-2222-4222-8222-222222222222"  # p2, ACTIVE
INSTANCES = ((I1, "p1"), (I2, "p2"))
# What the guest agent has reported while nova's server is in a state: installing the
# database while the server builds, nothing yet when the server failed to build, a stopped
# database when the server is off (Trove's ServiceStatuses).
GUEST_STATUS = {"BUILD": "BUILDING", "ERROR": "NEW", "SHUTDOWN": "SHUTDOWN"}
# Lifecycles never move on their own: as in the harness, where no guest agent runs, a
# backup's state changes only when a case says so (Force).
FROZEN = 10.0**7


@dataclass
class Request:
    method: str
    path: str  # after /v1.0/{project}, or absolute when it starts with "//"
    body: Any = None  # JSON-encoded unless `raw` is given
    raw: bytes | None = None
    content_type: str | None = "application/json"
    token: str | None = "t1"
    project: str = "p1"
    headers: dict[str, str] = field(default_factory=dict)
    query: str = ""
    accept: str | None = "application/json"
    alias: str | None = None  # name the created backup (POST /backups) for later steps

    def url(self, ids: dict[str, str]) -> str:
        path = self.path if self.path.startswith("//") else f"/v1.0/{self.project}{self.path}"
        path = path.removeprefix("/") if path.startswith("//") else path
        for alias, real in ids.items():
            path = path.replace("{" + alias + "}", real)
        return path + (f"?{_subst(self.query, ids)}" if self.query else "")

    def data(self, ids: dict[str, str]) -> bytes | None:
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return None
        return _subst(json.dumps(self.body), ids).encode()

    def header_set(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.token is not None:
            headers["X-Auth-Token"] = self.token
        if self.accept is not None:
            headers["Accept"] = self.accept
        return headers


def _subst(text: str, ids: dict[str, str]) -> str:
    for alias, real in ids.items():
        text = text.replace("{" + alias + "}", real)
    return text


@dataclass
class Force:
    """The guest agent reports a state for a backup (COMPLETED, FAILED, BUILDING)."""

    alias: str
    status: str
    size: float = 0.18


@dataclass
class Seed:
    """Another instance in nova and Trove."""

    id: str
    project: str = "p1"
    status: str = "ACTIVE"
    volume_size: int = 2
    datastore: tuple[str, str] = ("mysql", "5.7")


@dataclass
class Settle:
    """Background work catches up: the taskmanager runs pending deletes (upstream), the
    clock moves past the asynchronous delete (trovemock in upstream fidelity)."""


Step = Request | Force | Seed | Settle


class Side:
    name = ""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def start_case(self) -> None:
        raise NotImplementedError

    def send(self, request: Request) -> TestResponse:
        client = self.client()
        data = request.data(self.ids)
        kwargs: dict[str, Any] = {"headers": request.header_set()}
        if data is not None:
            kwargs["data"] = data
            if request.content_type is not None:
                kwargs["content_type"] = request.content_type
        return client.open(request.url(self.ids), method=request.method, **kwargs)

    def client(self) -> Client:
        raise NotImplementedError

    def force(self, step: Force) -> None:
        raise NotImplementedError

    def seed(self, step: Seed) -> None:
        raise NotImplementedError

    def settle(self) -> None:
        raise NotImplementedError


class UpstreamSide(Side):
    """Real Trove 26.0.0 (one per process: Trove's configuration is global)."""

    name = "upstream"

    def __init__(self) -> None:
        super().__init__()
        from tests.upstream import real_trove

        self.rt = real_trove
        self.app = real_trove.make_app()
        for token, (project, roles) in TOKENS.items():
            real_trove.add_token(token, project, roles=roles)
        self._client = Client(self.app)

    def client(self) -> Client:
        return self._client

    def start_case(self) -> None:
        self.ids = {}
        self.rt.reset()
        for iid, project in INSTANCES:
            self.rt.add_instance(project, id=iid, name=f"instance-{iid[:8]}")

    def seed(self, step: Seed) -> None:
        # nova's server status, and what the guest agent reports meanwhile
        self.rt.add_instance(step.project, id=step.id, name=f"instance-{step.id[:8]}",
                             volume_size=step.volume_size,
                             datastore=step.datastore, server_status=step.status,
                             service_status=GUEST_STATUS.get(step.status, "HEALTHY"))

    def force(self, step: Force) -> None:
        backup_id = self.ids[step.alias]
        if step.status == "COMPLETED":
            self.rt.complete_backup(backup_id, size=step.size)
        elif step.status == "FAILED":
            self.rt.fail_backup(backup_id, size=step.size)
        elif step.status == "BUILDING":
            self.rt.building_backup(backup_id, size=step.size)
        else:
            raise ValueError(step.status)

    def settle(self) -> None:
        self.rt.process_casts()


class MockSide(Side):
    """trovemock, openstack dialect, a fresh cloud per case."""

    name = "trovemock"

    def __init__(self, fidelity: str = "documented", deviations: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.fidelity = fidelity
        self.deviations = deviations  # followed bug-for-bug in the documented mode
        self.mock: TroveMock | None = None

    def _config(self) -> Config:
        config = Config()
        config.update({"backup_new_seconds": FROZEN, "backup_building_seconds": FROZEN,
                       "instance_build_seconds": FROZEN})
        config.update({"fidelity": self.fidelity,
                       "upstream_deviations": list(self.deviations)})
        return config

    def client(self) -> Client:
        assert self.mock is not None
        return Client(self.mock)

    def start_case(self) -> None:
        self.ids = {}
        self.mock = TroveMock("openstack", config=self._config())
        for token, (project, roles) in TOKENS.items():
            self.mock.add_token(token, project, roles=roles)
        for iid, project in INSTANCES:
            self.mock.add_instance(project, id=iid)

    def seed(self, step: Seed) -> None:
        assert self.mock is not None
        self.mock.add_instance(step.project, id=step.id, status=step.status,
                               volume_size=step.volume_size, datastore=step.datastore)

    def force(self, step: Force) -> None:
        assert self.mock is not None
        backup_id = self.ids[step.alias]
        self.mock.set_backup_durations(backup_id)  # no-op; keeps the backup's own timings
        backup = self.mock.backup(backup_id)
        backup.used_gb = step.size
        self.mock.set_status(backup_id, step.status)

    def settle(self) -> None:
        assert self.mock is not None
        self.mock.clock.advance(FROZEN / 1000)
