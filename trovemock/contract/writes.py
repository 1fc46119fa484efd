"""The write checks of contract mode (with --allow-writes): create a backup at the name limit,
probe the duplicate 422 and the over-long name, wait for COMPLETED, delete, wait for 404, and
remove whatever the run created even when a check failed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from trovemock.contract.http import Answer
from trovemock.contract.report import FAIL, PASS, CheckResult

if TYPE_CHECKING:
    from trovemock.contract.http import HttpClient
    from trovemock.contract.options import ContractOptions

NAME_LIMITS = {"openstack": 255, "rackspace": 64}  # trove-behavior.md §4; seeds 001/002
RUNNING = ("NEW", "BUILDING", "SAVING")
NAME_PREFIX = "trovemock-contract-"


class WriteChecks:
    """Mixed into the contract run, which provides the attributes and helpers below."""

    options: ContractOptions
    http: HttpClient
    created: list[str]  # backups this run created, to delete at the end
    gone: set[str]  # created backups confirmed deleted (GET 404)
    @property
    def limit(self) -> int:  # the dialect's name limit (the runner knows the dialect)
        raise NotImplementedError
    record: Callable[..., CheckResult]
    expect: Callable[..., bool]
    get: Callable[..., Answer]
    wait: Callable[[Callable[[], bool]], bool]

    def writes(self) -> None:
        backup_id = self.create_at_limit()
        if backup_id is None:
            return
        self.create_duplicate()
        completed = self.poll_completed(backup_id)
        self.create_too_long()
        if completed:
            self.delete(backup_id)
            self.poll_deleted(backup_id)

    def create(self, name: str) -> tuple[Answer, dict[str, Any]]:
        body = {"backup": {"name": name, "instance": self.options.instance,
                           "description": "trovemock contract check; safe to delete"}}
        answer = self.http.request("backups.create", "POST", "/backups", body)
        backup = answer.inner("backup") or {}
        if answer.status is not None and 200 <= answer.status < 300 and "id" in backup:
            self.created.append(str(backup["id"]))
        return answer, backup

    def create_at_limit(self) -> str | None:
        name = _name(self.limit)
        answer, backup = self.create(name)
        if not backup:
            self.expect("backups.create", "backups.create", answer, 202)
            return None
        extra = []
        if backup.get("status") != "NEW":
            extra.append(f"status {backup.get('status')!r}, documented NEW")
        if backup.get("name") != name:
            extra.append("the name is not echoed as sent")
        if backup.get("instance_id") != self.options.instance:
            extra.append(f"instance_id {backup.get('instance_id')!r}")
        self.expect("backups.create", "backups.create", answer, 202,
                    f"202, backup {backup.get('id')} ({backup.get('status')})", extra)
        backup_id = str(backup.get("id"))
        return backup_id if backup_id in self.created else None

    def create_duplicate(self) -> None:
        answer, _ = self.create(_name(32))
        self.expect("backups.create.duplicate", "backups.create", answer, 422,
                    answer.fault_summary())

    def create_too_long(self) -> None:
        answer, _ = self.create(_name(self.limit + 1))
        self.expect("backups.create.name_too_long", "backups.create", answer, 400,
                    answer.fault_summary())

    def poll_completed(self, backup_id: str) -> bool:
        seen: list[str] = []
        last: list[Answer] = []

        def done() -> bool:
            last[:] = [self.get("backups.show", f"/backups/{backup_id}")]
            status = str((last[0].inner("backup") or {}).get("status"))
            if not seen or seen[-1] != status:
                seen.append(status)
            return last[0].status != 200 or status not in RUNNING

        finished = self.wait(done)
        answer = last[0]
        backup = answer.inner("backup") or {}
        problems = []
        if not finished:
            problems.append(f"still {seen[-1]} after {self.options.timeout:g} s")
        elif answer.status != 200:
            problems.append(f"GET answered {answer.fault_summary()}")
        elif backup.get("status") != "COMPLETED":
            problems.append(f"ended {backup.get('status')}")
        else:
            if not isinstance(backup.get("size"), int | float):
                problems.append(f"size {backup.get('size')!r} at COMPLETED")
            if not backup.get("locationRef"):
                problems.append(f"locationRef {backup.get('locationRef')!r} at COMPLETED")
        self.record("backups.poll.completed", "statuses seen: " + " -> ".join(seen),
                    FAIL if problems else PASS, problems)
        return finished and backup.get("status") == "COMPLETED"

    def delete(self, backup_id: str) -> None:
        answer = self.http.request("backups.delete", "DELETE", f"/backups/{backup_id}")
        self.expect("backups.delete", "backups.delete", answer, 202)

    def poll_deleted(self, backup_id: str) -> None:
        last: list[Answer] = []

        def gone() -> bool:
            last[:] = [self.get("backups.show", f"/backups/{backup_id}")]
            return last[0].status == 404

        if self.wait(gone):
            self.gone.add(backup_id)
        self.expect("backups.poll.deleted", "backups.show", last[0], 404,
                    last[0].fault_summary())

    def cleanup(self) -> None:
        """Delete every backup this run created that is not confirmed gone."""
        left = [b for b in self.created if b not in self.gone and not self.remove(b)]
        if left:
            self.record("cleanup", f"left behind: {', '.join(left)}", FAIL,
                        ["delete them by hand: DELETE /backups/<id>"])
        else:
            self.record("cleanup", f"{len(self.created)} created, none left behind", PASS)

    def remove(self, backup_id: str) -> bool:
        """Wait until the backup stops running, delete it, wait for 404."""
        def settled() -> bool:
            answer = self.get("backups.show", f"/backups/{backup_id}")
            status = (answer.inner("backup") or {}).get("status")
            return answer.status == 404 or status not in RUNNING

        self.wait(settled)
        answer = self.http.request("backups.delete", "DELETE", f"/backups/{backup_id}")
        if answer.status == 404:
            return True
        if answer.status is None or not 200 <= answer.status < 300:
            return False
        return self.wait(lambda: self.get("backups.show", f"/backups/{backup_id}").status == 404)


def _name(length: int) -> str:
    """A recognisable backup name of exactly `length` characters."""
    return (NAME_PREFIX + uuid.uuid4().hex + "x" * length)[:length]
