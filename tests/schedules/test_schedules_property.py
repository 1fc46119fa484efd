"""Property: random schedules, clock jumps and run_now requests keep the scheduled-backup
invariants, checked after every jump through HTTP and the Python API:

- runs happen at their due times only: exactly the due times an independent oracle computes
  (first the full-backup day, then daily; run_now at the moment it was asked);
- every run's backup is created at its due time; a full on the full-backup day (every day
  with 7), an incremental on the tip of the newest full chain otherwise;
- retention: exactly min(N, completed fulls made) completed full automated backups remain;
- chains are intact (every parent exists, in the same region, made earlier), and copies in
  the copy region have live originals;
- never more than one running backup per instance.

Clock jumps are whole minutes from 21:47:16, so a run_now request never lands in the six
seconds a run's backup takes (which would skip it, a case
tests/schedules/test_schedules_runs.py covers).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from helpers import PROJECT, Api, ok
from hypothesis import given, settings
from hypothesis import strategies as st

from trovemock import TroveMock
from trovemock.model.schedules import next_slot, weekday

schedule_specs = st.lists(
    st.tuples(
        st.integers(0, 7),  # day_of_week
        st.integers(0, 23),  # hour
        st.integers(0, 59),  # minute
        st.integers(2, 4),  # full_backup_retention
        st.booleans(),  # copy to IAD
    ),
    min_size=1,
    max_size=3,
)
steps = st.lists(
    st.tuples(
        st.integers(1, 60 * 24 * 9),  # minutes to move the clock
        st.one_of(st.none(), st.integers(0, 2)),  # then run_now on this schedule (if any)
    ),
    min_size=1,
    max_size=10,
)


def expected_runs(created: datetime, spec: tuple, run_nows: list[datetime], now: datetime):
    """The due times of a schedule's runs up to `now`, computed without the emulator."""
    day, hour, minute = spec[:3]
    runs: list[datetime] = []
    nxt = next_slot(created, hour, minute, day)
    pending = sorted(run_nows)
    while True:
        if pending and pending[0] <= nxt:
            nxt = pending.pop(0)  # run_now replaces the queued run
        if nxt > now:
            return runs
        runs.append(nxt)
        nxt = next_slot(nxt, hour, minute, None)  # daily once a backup was made


@settings(max_examples=60)
@given(specs=schedule_specs, moves=steps)
def test_random_schedules_and_clock_jumps_keep_the_invariants(specs, moves) -> None:
    mock = TroveMock("rackspace")
    mock.config.backup_quota = -1
    api = Api(mock)
    made = []
    for day, hour, minute, retention, copy in specs:
        instance = mock.add_instance(PROJECT).id
        body = {"schedule": {"action": "backup", "instance_id": instance, "day_of_week": day,
                             "hour": hour, "minute": minute,
                             "full_backup_retention": retention,
                             "copy_to": ["IAD"] if copy else None}}
        made.append(ok(api.post("/schedules", body), 202)["schedule"])
    created = mock.clock.now()
    run_nows: dict[str, list[datetime]] = {s["id"]: [] for s in made}
    for minutes, run_now in moves:
        mock.clock.advance(minutes * 60)
        if run_now is not None and run_now < len(made):
            target = made[run_now]["id"]
            resp = api.request("PUT", f"/schedules/{target}",
                               json_body={"schedule": {"run_now": True}})
            assert resp.status_code == 202
            run_nows[target].append(mock.clock.now())
        check(mock, api, made, specs, created, run_nows)


def check(mock, api, made, specs, created, run_nows) -> None:
    now = mock.clock.now()
    listed = {s["id"]: s for s in ok(api.get("/schedules"))["schedules"]}
    backups = {b.id: b for b in mock.backups()}
    running = Counter(b.instance_id for b in backups.values() if b.running)
    assert all(count == 1 for count in running.values()), running
    for schedule, spec in zip(made, specs, strict=True):
        day, hour, minute, retention, _ = spec
        runs = mock.schedule_runs(schedule["id"])
        due = expected_runs(created, spec, run_nows[schedule["id"]], now)
        assert [r.due for r in runs] == due
        assert all(r.outcome == "created" for r in runs), [r.reason for r in runs]
        shown = listed[schedule["id"]]
        if due:
            assert shown["last_scheduled"] == due[-1].isoformat()
        mine = {b.id: b for b in backups.values() if b.schedule_id == schedule["id"]}
        at = {r.backup_id: r for r in runs}
        for backup in mine.values():
            if backup.region != "DFW":
                assert backup.origin_id in mine, "a copy outlived its original"
                continue
            run = at[backup.id]
            assert backup.created == run.due
            assert (backup.parent_id is None) == (run.kind == "full")
            if day == 7 or weekday(run.due) == day:
                assert run.kind == "full"
            if backup.parent_id is not None:
                parent = backups[backup.parent_id]
                assert parent.region == backup.region and parent.created < backup.created
                assert parent.schedule_id == schedule["id"] and parent.status == "COMPLETED"
        fulls_done = sum(1 for r in runs if r.kind == "full" and r.due + timedelta(seconds=6)
                         <= now)
        live_fulls = [b for b in mine.values()
                      if b.region == "DFW" and b.parent_id is None and b.status == "COMPLETED"]
        assert len(live_fulls) == min(retention, fulls_done)
    for backup in backups.values():
        if backup.parent_id is not None:
            assert backup.parent_id in backups, "an incremental lost its parent"
