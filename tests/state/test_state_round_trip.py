"""random histories survive export -> import -> export byte-identically,
into a fresh cloud and onto the same one, and the imported cloud then moves on as the
original does."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from trovemock import ManualClock, TroveMock

START = "2030-01-01T00:00:00"
PROJECTS = ("p1", "p2")
STATUSES = ("NEW", "BUILDING", "COMPLETED", "FAILED", "DELETE_FAILED", "RESTORED")

# One step: (kind, a number picking the target, a second number for the details).
STEP = st.tuples(
    st.sampled_from(
        ["instance", "backup", "backup", "backup", "incremental", "incremental", "advance",
         "advance", "force", "delete", "durations", "token", "restart", "copy", "restore",
         "schedule", "day", "day"]
    ),
    st.integers(min_value=0, max_value=50),
    st.integers(min_value=0, max_value=50),
)


class History:
    """Applies steps through the Trove API, the control API and the Python API."""

    def __init__(self, dialect: str) -> None:
        self.mock = TroveMock(dialect=dialect, clock=ManualClock(START))
        self.mock.config.update({"backup_quota": -1})
        self.client = Client(self.mock)
        self.dialect = dialect
        for n, project in enumerate(PROJECTS * 2):  # two ACTIVE instances per project
            self.mock.add_instance(project, region=self.mock.regions[n % len(self.mock.regions)])

    def _pick(self, items: list[Any], n: int) -> Any:
        return items[n % len(items)] if items else None

    def step(self, kind: str, a: int, b: int) -> None:
        mock, client = self.mock, self.client
        instances = mock.instances()
        backups = sorted(mock.backups(), key=lambda x: x.created)
        project = PROJECTS[a % 2]
        headers = {"X-Auth-Token": f"tok-{project}"}
        if kind == "instance":
            regions = mock.regions
            mock.add_instance(project, region=regions[b % len(regions)],
                              status="BUILD" if b % 3 == 0 else "ACTIVE",
                              databases=[f"db{b}"])
        elif kind in ("backup", "incremental") and instances:
            instance = self._pick(instances, a)
            body: dict[str, Any] = {"name": f"b{a}-{b}", "instance": instance.id}
            if kind == "incremental" and self.dialect == "openstack":
                body["incremental"] = 1
            if self.dialect == "rackspace" and b % 4 == 0 and instance.region != "LON":
                body["copy_to"] = [r for r in ("IAD", "ORD") if r != instance.region][:1]
            client.post(f"{self._prefix(instance.region)}/v1.0/{instance.project_id}/backups",
                        headers=headers, json={"backup": body})
        elif kind == "advance":
            mock.clock.advance(b % 8)
        elif kind == "day":  # scheduled runs happen
            mock.clock.advance(86400 * (1 + b % 8) + a)
        elif kind == "schedule" and instances:
            instance = self._pick(instances, a)
            base = f"{self._prefix(instance.region)}/v1.0/{instance.project_id}"
            if self.dialect == "rackspace":  # schedules; openstack: a backup strategy
                client.post(f"{base}/schedules", headers=headers, json={"schedule": {
                    "action": "backup", "instance_id": instance.id, "day_of_week": b % 8,
                    "hour": b % 24, "minute": a % 60}})
            else:
                client.post(f"{base}/backup_strategies", headers=headers, json={
                    "backup_strategy": {"swift_container": f"c{b}", "instance_id": instance.id}})
        elif kind == "force" and backups:
            try:
                mock.set_status(self._pick(backups, a).id, STATUSES[b % len(STATUSES)])
            except ValueError:
                pass  # the one-running rule refused it
        elif kind == "delete" and backups:
            backup = self._pick(backups, a)
            client.delete(f"{self._prefix(backup.region)}/v1.0/{backup.project_id}/backups/"
                          f"{backup.id}", headers=headers)
        elif kind == "durations" and backups:
            mock.set_backup_durations(self._pick(backups, a).id, new_seconds=b % 5,
                                      building_seconds=(a + b) % 7)
        elif kind == "token":
            mock.add_token(f"t{a}", project if b % 2 else None, roles=["admin"] if b % 3 else [])
        elif kind == "restart" and instances:
            instance = self._pick(instances, a)
            client.post(f"{self._prefix(instance.region)}/v1.0/{instance.project_id}/"
                        f"instances/{instance.id}/action", headers=headers,
                        json={"restart": {}})
        elif kind == "copy" and backups and self.dialect == "rackspace":
            backup = self._pick(backups, a)
            client.post(f"{self._prefix(backup.region)}/v1.0/{backup.project_id}/backups/"
                        f"{backup.id}/action", headers=headers,
                        json={"copy-backup": {"target_backup_region": ("IAD", "SYD")[b % 2]}})
        elif kind == "restore" and backups:
            backup = self._pick(backups, a)
            client.post(f"{self._prefix(backup.region)}/v1.0/{backup.project_id}/instances",
                        headers=headers, json={"instance": {
                            "name": "r", "flavorRef": "1", "volume": {"size": 5},
                            "restorePoint": {"backupRef": backup.id}}})

    def _prefix(self, region: str) -> str:
        return "" if region == self.mock.default_region else f"/regions/{region}"

    def state(self) -> bytes:
        return self.client.get("/_trovemock/state").data


def _statuses(mock: TroveMock) -> list[tuple[Any, ...]]:
    """What each record shows, without the random ids of copies made later."""
    return sorted(
        (b.region, b.project_id, b.name, b.status, b.origin_id == b.id, b.size)
        for b in mock.backups()
    ) + sorted((i.id, mock.instance_status(i.id)) for i in mock.instances())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    dialect=st.sampled_from(["openstack", "rackspace"]),
    steps=st.lists(STEP, min_size=5, max_size=40),
)
def test_random_histories_round_trip_byte_identically(dialect, steps):
    history = History(dialect)
    for step in steps:
        history.step(*step)
    first = history.state()

    twin = TroveMock(dialect=dialect, clock=ManualClock(history.mock.clock.now()))
    twin.config.update({"backup_quota": -1})
    twin_client = Client(twin)
    put = twin_client.put("/_trovemock/state", data=first, content_type="application/json")
    assert put.status_code == 204, put.get_json()
    assert twin_client.get("/_trovemock/state").data == first

    onto_itself = history.client.put("/_trovemock/state", data=first,
                                      content_type="application/json")
    assert onto_itself.status_code == 204
    assert history.state() == first

    # The transitions in flight were resumed: both clouds reach the same statuses.
    for mock in (history.mock, twin):
        mock.clock.advance(3600)
    assert _statuses(twin) == _statuses(history.mock)


def test_a_round_trip_gives_the_same_cloud_clock_and_config() -> None:
    from trovemock import ManualClock

    golden = TroveMock(clock=ManualClock("2030-06-01T12:00:00"))
    golden.config.update({"backup_quota": -1, "backup_building_seconds": 300})
    instance = golden.add_instance("p1")
    client = Client(golden)
    created = client.post("/v1.0/p1/backups", headers={"X-Auth-Token": "t"},
                          json={"backup": {"name": "b", "instance": instance.id}})
    assert created.status_code == 202
    state = golden.export_state()

    fresh = TroveMock()  # its clock reads 2014, its quota is 50
    fresh.import_state(state)
    assert fresh.clock.now() == golden.clock.now()
    assert fresh.config.to_dict() == golden.config.to_dict()
    assert fresh.export_state() == state
    fresh.clock.advance(301)
    golden.clock.advance(301)
    assert fresh.backups()[0].status == golden.backups()[0].status == "COMPLETED"


def test_an_import_with_a_bad_config_changes_nothing() -> None:
    mock = TroveMock()
    mock.add_instance("p1")
    before = mock.export_state()
    state = dict(before, config={**before["config"], "page_size": 0}, instances=[])
    with pytest.raises(ValueError, match="state.config.page_size"):
        mock.import_state(state)
    assert mock.export_state() == before
