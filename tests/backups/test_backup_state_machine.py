"""Random sequences of create / advance clock / delete / restore, with the backup rules' invariants
checked after every step: one running backup per instance, no orphaned incrementals, the list
matches the model and every listed backup can be fetched.

The model knows only what the HTTP answers told it (ids, parents); statuses are read from the
API before each step, so the expectations never depend on guessing clock boundaries.
"""

from __future__ import annotations

from helpers import PROJECT, RUNNING, Api, backup_body, get_instance, ok, restore_body
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from trovemock import TroveMock


class BackupCloud(RuleBasedStateMachine):
    dialect = "openstack"

    def __init__(self) -> None:
        super().__init__()
        self.mock = TroveMock(dialect=self.dialect)
        self.mock.config.page_size = 1000  # one page holds everything
        self.mock.config.backup_new_seconds = 1.0
        self.mock.config.backup_building_seconds = 2.0
        self.mock.config.instance_build_seconds = 3.0
        self.api = Api(self.mock, PROJECT)
        self.instances = [self.mock.add_instance(PROJECT).id for _ in range(2)]
        self.parents: dict[str, str | None] = {}  # live backup id -> parent id
        self.created = 0
        self.deleted = 0

    # --- helpers -------------------------------------------------------------------------

    def _listed(self) -> list[dict]:
        body = ok(self.api.get("/backups"))
        assert "links" not in body
        return body["backups"]

    def _statuses(self) -> dict[str, dict]:
        return {b["id"]: b for b in self._listed()}

    def _pick(self, index: int) -> str:
        # Creation order, not the (random) ids, so that hypothesis can replay a sequence.
        ids = list(self.parents)
        return ids[index % len(ids)]

    def _subtree(self, root: str) -> set[str]:
        children: dict[str | None, list[str]] = {}
        for child, parent in self.parents.items():
            children.setdefault(parent, []).append(child)
        found, todo = set(), [root]
        while todo:
            node = todo.pop()
            found.add(node)
            todo.extend(children.get(node, []))
        return found

    # --- rules ---------------------------------------------------------------------------

    @rule(which=st.integers(0, 100), kind=st.sampled_from(["full", "incremental", "parent"]),
          pick=st.integers(0, 1000))
    def create(self, which: int, kind: str, pick: int) -> None:
        instance = self.instances[which % len(self.instances)]
        shown = get_instance(self.api, instance)["status"]
        before = self._statuses()
        fields: dict = {}
        if kind == "incremental":
            fields["incremental"] = 1 if self.dialect == "openstack" else 0
        if kind == "parent" and self.parents:
            fields["parent_id"] = self._pick(pick)
        resp = self.api.post("/backups", backup_body(instance, "b", **fields))
        if shown != "ACTIVE":
            assert resp.status_code == 422, (shown, resp.get_data(as_text=True))
            return
        backup = ok(resp, 202)["backup"]
        assert backup["status"] == "NEW" and backup["id"] not in self.parents
        if "parent_id" in fields:
            assert backup["parent_id"] == fields["parent_id"]
        elif kind == "incremental" and self.dialect == "openstack":
            completed = {b["id"] for b in before.values()
                         if b["instance_id"] == instance and b["status"] == "COMPLETED"}
            if completed:
                assert backup["parent_id"] in completed
            else:
                assert backup["parent_id"] is None
        else:
            assert backup["parent_id"] is None
        self.parents[backup["id"]] = backup["parent_id"]
        self.created += 1

    @rule(seconds=st.sampled_from([0.5, 1.0, 3.0, 4.0, 12.0]))
    def advance(self, seconds: float) -> None:
        self.mock.clock.advance(seconds)

    @precondition(lambda self: self.parents)
    @rule(pick=st.integers(0, 1000))
    def delete(self, pick: int) -> None:
        target = self._pick(pick)
        statuses = self._statuses()
        subtree = self._subtree(target)
        resp = self.api.delete(f"/backups/{target}")
        if any(statuses[b]["status"] in RUNNING for b in subtree):
            assert resp.status_code == 422, resp.get_data(as_text=True)
            return
        assert resp.status_code == 202, resp.get_data(as_text=True)
        for backup_id in subtree:
            del self.parents[backup_id]
        self.deleted += len(subtree)

    @precondition(lambda self: self.parents)
    @rule(pick=st.integers(0, 1000))
    def restore(self, pick: int) -> None:
        target = self._pick(pick)
        status = self._statuses()[target]["status"]
        resp = self.api.post("/instances", restore_body(target))
        if status in ("COMPLETED", "RESTORED"):
            instance = ok(resp, 200)["instance"]
            assert instance["status"] == "BUILD"
            self.instances.append(instance["id"])
        else:
            assert resp.status_code == 409, (status, resp.get_data(as_text=True))

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def list_matches_the_model(self) -> None:
        listed = self._listed()
        ids = [b["id"] for b in listed]
        assert len(ids) == len(set(ids))
        assert set(ids) == set(self.parents)
        assert len(ids) == self.created - self.deleted

    @invariant()
    def no_orphaned_incrementals(self) -> None:
        listed = self._listed()
        ids = {b["id"] for b in listed}
        for backup in listed:
            assert backup["parent_id"] is None or backup["parent_id"] in ids, backup

    @invariant()
    def at_most_one_running_backup_per_instance(self) -> None:
        running: dict[str, int] = {}
        for backup in self._listed():
            if backup["status"] in RUNNING:
                running[backup["instance_id"]] = running.get(backup["instance_id"], 0) + 1
        assert all(count == 1 for count in running.values()), running
        for instance in self.instances:
            shown = get_instance(self.api, instance)["status"]
            assert (shown == "BACKUP") == (instance in running), (instance, shown, running)

    @invariant()
    def every_listed_backup_can_be_fetched(self) -> None:
        for backup in self._listed():
            assert ok(self.api.get(f"/backups/{backup['id']}"))["backup"] == backup


class RackspaceBackupCloud(BackupCloud):
    dialect = "rackspace"


_SETTINGS = settings(max_examples=30, stateful_step_count=25, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])

TestOpenstackBackupCloud = BackupCloud.TestCase
TestOpenstackBackupCloud.settings = _SETTINGS
TestRackspaceBackupCloud = RackspaceBackupCloud.TestCase
TestRackspaceBackupCloud.settings = _SETTINGS
