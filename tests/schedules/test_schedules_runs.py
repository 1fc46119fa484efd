"""Scheduled runs driven by the manual clock, seen through HTTP: the weekly cycle, retention,
copies, every on-demand rule applied to runs (skips recorded), faults, the journal, state.

The clock starts on Thursday 2014-02-13 21:47:16. Each schedule here backs up at 14:30 with
its full backup on Sunday (day 0) unless a test says otherwise; the first run is then Sunday
2014-02-16 14:30.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from helpers import PROJECT, Api, create_backup, fault_of, make, ok, seed_instance

from trovemock import TroveMock

DAY = 86400
FIRST_RUN = datetime(2014, 2, 16, 14, 30)


def schedule_body(instance_id=None, day=0, hour=14, minute=30, **extra) -> dict:
    body = {"action": "backup", "instance_id": instance_id, "day_of_week": day, "hour": hour,
            "minute": minute}
    body.update(extra)
    return {"schedule": body}


def make_schedule(api: Api, instance_id=None, **kw) -> dict:
    return ok(api.post("/schedules", schedule_body(instance_id, **kw)), 202)["schedule"]


def move_to(mock: TroveMock, when: datetime) -> None:
    mock.clock.set(when)


def automated(api: Api) -> list[dict]:
    """Automated backups as GET /backups lists them, oldest first."""
    found = [b for b in ok(api.get("/backups", query={"limit": 1000}))["backups"]
             if b["is_automated"] == 1]
    return sorted(found, key=lambda b: b["created"])


@pytest.fixture
def cloud() -> tuple[TroveMock, Api, str]:
    mock, api, _ = make("rackspace")
    return mock, api, seed_instance(mock)


# -- the cycle ----------------------------------------------------------------------------------
def test_nothing_runs_before_the_first_full_backup_day(cloud) -> None:
    mock, api, instance = cloud
    make_schedule(api, instance)
    move_to(mock, FIRST_RUN - timedelta(seconds=1))  # Friday and Saturday 14:30 passed
    assert automated(api) == [] and mock.schedule_runs() == []


def test_the_first_run_is_a_full_automated_backup_made_at_its_due_time(cloud) -> None:
    mock, api, instance = cloud
    schedule = make_schedule(api, instance)
    move_to(mock, FIRST_RUN + timedelta(hours=3))  # looked at three hours later
    (backup,) = automated(api)
    assert backup["created"] == "2014-02-16T14:30:00"  # the due time, not the look
    assert backup["status"] == "COMPLETED" and backup["updated"] == "2014-02-16T14:30:06"
    assert backup["type"] == "InnoBackupEx" and backup["parent_id"] is None
    assert backup["instance_id"] == instance
    assert backup["source"] == {"type": "instance", "id": instance}
    assert backup["name"] == "Automated full backup 2014-02-16 14:30"
    assert backup["description"] == f"Made by schedule {schedule['id']}."
    shown = ok(api.get(f"/schedules/{schedule['id']}"))["schedule"]
    assert shown["last_scheduled"] == "2014-02-16T14:30:00"
    assert shown["next_run"] == "2014-02-17T14:30:00"  # daily from now on
    assert shown["running"] == 0


def test_while_the_runs_backup_runs_the_schedule_and_instance_show_it(cloud) -> None:
    mock, api, instance = cloud
    schedule = make_schedule(api, instance)
    move_to(mock, FIRST_RUN + timedelta(seconds=2))
    assert ok(api.get(f"/schedules/{schedule['id']}"))["schedule"]["running"] == 1
    assert ok(api.get(f"/instances/{instance}"))["instance"]["status"] == "BACKUP"
    fault_of(api.post("/backups", {"backup": {"name": "mine", "instance": instance}}), 422,
             "unprocessableEntity")


def test_a_week_is_one_full_then_six_incrementals_each_on_the_previous(cloud) -> None:
    mock, api, instance = cloud
    make_schedule(api, instance)
    move_to(mock, FIRST_RUN + timedelta(days=6, hours=1))
    week = automated(api)
    assert [b["created"][:10] for b in week] == [
        f"2014-02-{day}" for day in range(16, 23)]
    assert [b["type"] for b in week] == ["InnoBackupEx"] + ["InnoBackupExIncremental"] * 6
    assert week[0]["parent_id"] is None
    for parent, child in zip(week, week[1:], strict=False):
        assert child["parent_id"] == parent["id"]
    assert all(b["status"] == "COMPLETED" for b in week)
    move_to(mock, FIRST_RUN + timedelta(days=7, hours=1))  # Sunday again: a new full backup
    newest = automated(api)[-1]
    assert newest["type"] == "InnoBackupEx" and newest["parent_id"] is None


def test_day_7_makes_a_full_backup_every_day(cloud) -> None:
    mock, api, instance = cloud
    make_schedule(api, instance, day=7, hour=1, minute=0, full_backup_retention=10)
    mock.clock.advance(5 * DAY)
    made = automated(api)
    assert len(made) == 5 and all(b["parent_id"] is None for b in made)


def test_the_run_schedule_follows_a_changed_time(cloud) -> None:
    mock, api, instance = cloud
    schedule = make_schedule(api, instance)
    move_to(mock, FIRST_RUN + timedelta(hours=1))
    api.request("PUT", f"/schedules/{schedule['id']}",
                json_body={"schedule": {"hour": 3, "minute": 5}})
    move_to(mock, datetime(2014, 2, 18, 12, 0))
    assert [b["created"] for b in automated(api)] == [
        "2014-02-16T14:30:00", "2014-02-17T03:05:00", "2014-02-18T03:05:00"]


# -- retention ----------------------------------------------------------------------------------
def test_retention_keeps_two_full_chains_and_deletes_the_oldest_with_its_incrementals(cloud):
    mock, api, instance = cloud
    make_schedule(api, instance)
    move_to(mock, FIRST_RUN + timedelta(days=13, hours=1))  # two whole weeks
    two_weeks = automated(api)
    assert len(two_weeks) == 14
    move_to(mock, FIRST_RUN + timedelta(days=14, hours=1))  # the third full completed
    kept = automated(api)
    assert [b["created"][:10] for b in kept] == (
        [f"2014-02-{d}" for d in range(23, 29)] + ["2014-03-01", "2014-03-02"])
    fulls = [b for b in kept if b["parent_id"] is None]
    assert len(fulls) == 2
    for gone in two_weeks[:7]:
        fault_of(api.get(f"/backups/{gone['id']}"), 404, "itemNotFound")


def test_on_demand_backups_are_never_pruned(cloud) -> None:
    mock, api, instance = cloud
    mine = create_backup(api, instance, "keep me")
    move_to(mock, FIRST_RUN - timedelta(days=1))
    make_schedule(api, instance, day=7, hour=1, minute=0)
    mock.clock.advance(6 * DAY)
    assert ok(api.get(f"/backups/{mine['id']}"))["backup"]["status"] == "COMPLETED"
    assert len([b for b in automated(api) if b["parent_id"] is None]) == 2


def test_a_chain_holding_an_on_demand_incremental_is_kept(cloud) -> None:
    mock, api, instance = cloud
    make_schedule(api, instance, day=7, hour=1, minute=0)
    mock.clock.advance(DAY)
    (first,) = automated(api)
    mine = create_backup(api, instance, "on top", parent_id=first["id"])
    mock.clock.advance(4 * DAY)
    assert ok(api.get(f"/backups/{first['id']}"))["backup"]["status"] == "COMPLETED"
    assert ok(api.get(f"/backups/{mine['id']}"))["backup"]["parent_id"] == first["id"]
    assert len(automated(api)) == 3  # the pinned one and the two newest


def test_lowering_retention_prunes_at_once(cloud) -> None:
    mock, api, instance = cloud
    schedule = make_schedule(api, instance, day=7, hour=1, minute=0, full_backup_retention=5)
    mock.clock.advance(5 * DAY)
    assert len(automated(api)) == 5
    resp = api.request("PUT", f"/schedules/{schedule['id']}",
                       json_body={"schedule": {"full_backup_retention": 3}})
    assert resp.status_code == 202
    assert [b["created"][:10] for b in automated(api)] == [
        "2014-02-16", "2014-02-17", "2014-02-18"]


def test_a_failed_full_backup_does_not_count_and_goes_once_older_than_the_kept_ones(cloud):
    mock, api, instance = cloud
    make_schedule(api, instance, day=7, hour=1, minute=0)
    mock.faults.add(route="schedules.run", outcome="backup_failed", times=1)
    mock.clock.advance(DAY)
    (failed,) = automated(api)
    assert failed["status"] == "FAILED"
    mock.clock.advance(2 * DAY)
    assert [b["status"] for b in automated(api)] == ["FAILED", "COMPLETED", "COMPLETED"]
    mock.clock.advance(DAY)
    assert [b["status"] for b in automated(api)] == ["COMPLETED", "COMPLETED"]
    fault_of(api.get(f"/backups/{failed['id']}"), 404, "itemNotFound")


def test_after_a_failed_first_full_the_next_run_is_full_again(cloud) -> None:
    mock, api, instance = cloud
    make_schedule(api, instance)
    mock.faults.add(route="schedules.run", outcome="backup_failed", times=1)
    move_to(mock, FIRST_RUN + timedelta(days=1, hours=1))
    failed, monday = automated(api)
    assert failed["status"] == "FAILED" and failed["type"] == "InnoBackupEx"
    assert monday["status"] == "COMPLETED" and monday["parent_id"] is None
    mock.clock.advance(DAY)
    assert automated(api)[-1]["parent_id"] == monday["id"]


# -- copies -------------------------------------------------------------------------------------
def test_copy_to_copies_each_completed_run_and_retention_prunes_the_copies(cloud) -> None:
    mock, api, instance = cloud
    make_schedule(api, instance, copy_to=["IAD"])
    iad = Api(mock.region("IAD"))
    move_to(mock, FIRST_RUN + timedelta(seconds=6))  # the DFW backup completed just now
    (copy,) = ok(iad.get("/backups"))["backups"]
    assert copy["status"] == "BUILDING" and copy["is_automated"] == 1
    mock.clock.advance(5)
    assert ok(iad.get(f"/backups/{copy['id']}"))["backup"]["status"] == "COMPLETED"
    move_to(mock, FIRST_RUN + timedelta(days=1, hours=1))
    copies = sorted(ok(iad.get("/backups"))["backups"], key=lambda b: b["created"])
    assert len(copies) == 2 and copies[1]["parent_id"] == copies[0]["id"]
    move_to(mock, FIRST_RUN + timedelta(days=14, hours=1))  # the first week is pruned
    dfw_origins = {b["name"] for b in automated(api)}
    iad_names = {b["name"] for b in ok(iad.get("/backups", query={"limit": 100}))["backups"]}
    assert iad_names == dfw_origins and len(iad_names) == 8


def test_a_region_added_to_copy_to_gets_a_full_backup_next(cloud) -> None:
    mock, api, instance = cloud
    schedule = make_schedule(api, instance)
    move_to(mock, FIRST_RUN + timedelta(hours=1))
    api.request("PUT", f"/schedules/{schedule['id']}",
                json_body={"schedule": {"run_now": False, "copy_to": "ORD"}})
    move_to(mock, FIRST_RUN + timedelta(days=1, hours=1))
    monday = automated(api)[-1]
    assert monday["parent_id"] is None  # its parent has no copy in ORD: a full instead
    (copy,) = ok(Api(mock.region("ORD")).get("/backups"))["backups"]
    assert copy["name"] == monday["name"]


# -- on-demand rules apply to runs ----------------------------------------------------------------
def test_a_run_that_finds_a_backup_running_is_skipped_and_recorded(cloud) -> None:
    mock, api, instance = cloud
    schedule = make_schedule(api, instance)
    move_to(mock, FIRST_RUN - timedelta(seconds=2))
    mine = create_backup(api, instance, "manual")
    move_to(mock, FIRST_RUN + timedelta(hours=1))
    assert automated(api) == []
    (run,) = mock.schedule_runs(schedule["id"])
    assert run.outcome == "skipped" and run.due == FIRST_RUN
    assert "instance status was BACKUP" in run.reason and run.error == "Unprocessable"
    (entry,) = mock.journal.filter(kind="scheduled_run")
    assert entry.status == 422 and entry.route == "schedules.run" and entry.method == "RUN"
    assert "BACKUP" in entry.response_json["unprocessableEntity"]["message"]
    assert ok(api.get(f"/backups/{mine['id']}"))["backup"]["status"] == "COMPLETED"
    shown = ok(api.get(f"/schedules/{schedule['id']}"))["schedule"]
    assert shown["last_scheduled"] == "2014-02-16T14:30:00"
    # Nothing made yet: it still waits for a full-backup day.
    assert shown["next_run"] == "2014-02-23T14:30:00"


def test_a_run_over_quota_is_skipped_with_the_quota_message(cloud) -> None:
    mock, api, instance = cloud
    mock.config.backup_quota = 1
    create_backup(api, instance, "fills the quota")
    schedule = make_schedule(api, instance)
    move_to(mock, FIRST_RUN + timedelta(minutes=1))
    (run,) = mock.schedule_runs(schedule["id"])
    assert run.outcome == "skipped" and "Quota exceeded" in run.reason
    assert mock.journal.filter(kind="scheduled_run")[0].status == 413


def test_a_run_of_an_instance_that_is_not_available_is_skipped(cloud) -> None:
    mock, api, _ = cloud
    stopped = seed_instance(mock, status="SHUTDOWN")
    schedule = make_schedule(api, stopped)
    move_to(mock, FIRST_RUN + timedelta(days=1, minutes=1))
    runs = mock.schedule_runs(schedule["id"])
    assert [r.outcome for r in runs] == ["skipped"]
    assert "instance status was SHUTDOWN" in runs[0].reason


def test_a_schedule_of_an_ha_group_backs_the_group_up(cloud) -> None:
    mock, api, _ = cloud
    group = mock.add_ha_group(PROJECT)
    make_schedule(api, None, source_type="ha", source_id=group.id)
    move_to(mock, FIRST_RUN + timedelta(days=1, hours=1))
    listed = ok(api.get(f"/ha/{group.id}/backups"))["backups"]
    assert len(listed) == 2 and all(b["is_automated"] == 1 for b in listed)
    assert all(b["instance_id"] is None and b["source"] == {"type": "ha", "id": group.id}
               for b in listed)
    newest, oldest = listed
    assert newest["parent_id"] == oldest["id"]


# -- faults and the journal ---------------------------------------------------------------------
def test_a_skip_rule_skips_one_run_and_the_journal_says_which_rule(cloud) -> None:
    mock, api, instance = cloud
    schedule = make_schedule(api, instance, day=7, hour=1, minute=0)
    rule = mock.faults.add(route="schedules.run", outcome="run_skipped", times=1)
    mock.clock.advance(2 * DAY)
    runs = mock.schedule_runs(schedule["id"])
    assert [r.outcome for r in runs] == ["skipped", "created"]
    assert runs[0].fault_rule == rule.id and rule.fired == 1
    skipped, made = mock.journal.filter(kind="scheduled_run")
    assert (skipped.status, skipped.fault_rule) == (503, rule.id)
    assert skipped.time == datetime(2014, 2, 14, 1, 0)
    assert made.status == 202 and made.response_json["backup"]["id"] == runs[1].backup_id
    assert made.request_json["backup"]["instance"] == instance
    assert mock.journal.filter(kind="request", route="schedules.run") == []
    assert len(automated(api)) == 1


def test_run_rules_can_target_one_project_region_or_schedule_path(cloud) -> None:
    mock, api, instance = cloud
    first = make_schedule(api, instance, day=7, hour=1, minute=0)
    other = make_schedule(api, seed_instance(mock), day=7, hour=1, minute=0)
    mock.faults.add(route="schedules.run", outcome="run_skipped",
                    path=f"*/schedules/{other['id']}")
    mock.faults.add(route="schedules.run", outcome="run_skipped", region="IAD")
    mock.clock.advance(DAY)
    assert [r.outcome for r in mock.schedule_runs(first["id"])] == ["created"]
    assert [r.outcome for r in mock.schedule_runs(other["id"])] == ["skipped"]


def test_http_fault_rules_leave_scheduled_runs_alone(cloud) -> None:
    mock, api, instance = cloud
    make_schedule(api, instance, day=7, hour=1, minute=0)
    rule = mock.faults.add(status=503, times=1)  # any request
    mock.clock.advance(DAY)
    with mock.cloud.operation():
        pass  # the run happens without any request
    assert rule.fired == 0 and [r.outcome for r in mock.schedule_runs()] == ["created"]


@pytest.mark.parametrize("fields", [
    {"route": "schedules.run", "status": 503},
    {"route": "schedules.run", "latency": 1.0, "outcome": "run_skipped"},
    {"route": "schedules.run", "method": "POST", "outcome": "backup_failed"},
    {"route": "schedules.run", "outcome": "delete_failed"},
    {"route": "backups.create", "outcome": "run_skipped"},
])
def test_rules_a_scheduled_run_cannot_honour_are_refused(fields) -> None:
    with pytest.raises(ValueError):
        TroveMock("rackspace").faults.add(**fields)


def test_run_skipped_alone_means_scheduled_runs() -> None:
    rule = TroveMock("rackspace").faults.add(outcome="run_skipped")
    assert rule.route == "schedules.run"


def test_fault_rules_for_runs_over_the_control_api(cloud) -> None:
    mock, api, instance = cloud
    created = api.raw.post("/_trovemock/faults",
                           json={"route": "schedules.run", "outcome": "backup_failed"})
    assert created.status_code == 201 and created.json["fault"]["route"] == "schedules.run"
    make_schedule(api, instance, day=7, hour=1, minute=0)
    mock.clock.advance(DAY)
    assert [b["status"] for b in automated(api)] == ["FAILED"]
    journal = api.raw.get("/_trovemock/journal", query_string={"kind": "scheduled_run"}).json
    (entry,) = journal["journal"]
    assert entry["kind"] == "scheduled_run" and entry["fault_rule"] == "fault-1"
    runs = api.raw.get("/_trovemock/schedules/runs").json["runs"]
    assert [(r["outcome"], r["kind"], r["due"]) for r in runs] == [
        ("created", "full", "2014-02-14T01:00:00")]
    bad = api.raw.get("/_trovemock/schedules/runs", query_string={"nope": "1"})
    assert bad.status_code == 400


def test_the_journal_counts_scheduled_runs_like_requests(cloud) -> None:
    mock, api, instance = cloud
    make_schedule(api, instance)
    move_to(mock, FIRST_RUN + timedelta(days=6, hours=1))
    # Runs, like every transition, happen when the cloud is next looked at (a request or a
    # read through the Python API); the journal alone is not a look.
    mock.journal.assert_not_called("schedules.run")
    mock.schedules()
    entries = mock.journal.assert_called("schedules.run", times=7)
    assert [e.time.day for e in entries] == list(range(16, 23))
    assert all(e.kind == "scheduled_run" and e.project_id == PROJECT and e.region == "DFW"
               for e in entries)
    requests = mock.journal.filter(kind="request")
    assert requests and all(e.route != "schedules.run" for e in requests)


# -- state --------------------------------------------------------------------------------------
def test_schedules_survive_export_and_import_and_keep_running(cloud) -> None:
    mock, api, instance = cloud
    schedule = make_schedule(api, instance, copy_to=["IAD"], full_backup_retention=3)
    move_to(mock, FIRST_RUN + timedelta(days=1, hours=1))
    state = mock.export_state()
    copy = TroveMock("rackspace", clock=mock.clock)
    copy.import_state(state)
    copy_api = Api(copy)
    assert ok(copy_api.get(f"/schedules/{schedule['id']}")) == ok(
        api.get(f"/schedules/{schedule['id']}"))
    assert [r.due for r in copy.schedule_runs()] == [r.due for r in mock.schedule_runs()]
    move_to(mock, FIRST_RUN + timedelta(days=2, hours=1))
    tuesday = automated(copy_api)[-1]
    assert tuesday["created"] == "2014-02-18T14:30:00"
    assert tuesday["parent_id"] == automated(api)[1]["id"]  # the chain continued
    again = TroveMock("rackspace", clock=mock.clock)
    again.import_state(copy.export_state())
    assert again.export_state()["schedules"] == copy.export_state()["schedules"]


@pytest.mark.parametrize(("key", "value", "words"), [
    ("schedules", [{"id": "s"}], "schedules[0]"),
    ("schedules", "nope", "state.schedules"),
    ("schedule_runs", [{"outcome": "maybe"}], "schedule_runs[0]"),
])
def test_a_bad_schedule_part_of_a_state_is_refused_and_changes_nothing(
        cloud, key, value, words) -> None:
    mock, api, instance = cloud
    make_schedule(api, instance)
    state = mock.export_state()
    state[key] = value
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("]", r"\]")):
        mock.import_state(state)
    assert len(ok(api.get("/schedules"))["schedules"]) == 1


def test_reset_clears_schedules_and_their_runs(cloud) -> None:
    mock, api, instance = cloud
    make_schedule(api, instance, day=7, hour=1, minute=0)
    mock.clock.advance(DAY)
    mock.reset()
    instance = seed_instance(mock)
    assert ok(api.get("/schedules")) == {"schedules": []} and mock.schedule_runs() == []
    mock.clock.advance(3 * DAY)
    assert ok(api.get("/backups"))["backups"] == []
    make_schedule(api, instance)


def test_python_api(cloud) -> None:
    mock, api, instance = cloud
    schedule = mock.add_schedule(PROJECT, instance_id=instance, day_of_week=7, hour=1, minute=0,
                                 copy_to=["IAD"])
    assert mock.schedule(schedule.id) is schedule and mock.schedules(PROJECT) == [schedule]
    assert mock.schedules("nobody") == [] and mock.schedules(region="IAD") == []
    assert ok(api.get(f"/schedules/{schedule.id}"))["schedule"]["copy_to"] == ["IAD"]
    mock.clock.advance(DAY)
    (run,) = mock.schedule_runs()
    assert run.kind == "full" and mock.backup(run.backup_id).is_automated
    with pytest.raises(ValueError, match="already has a backup schedule"):
        mock.add_schedule(PROJECT, instance_id=instance, day_of_week=1, hour=1, minute=0)
    with pytest.raises(ValueError, match="exactly one"):
        mock.add_schedule(PROJECT, day_of_week=1, hour=1, minute=0)
    with pytest.raises(ValueError, match="hour"):
        mock.add_schedule(PROJECT, instance_id=seed_instance(mock), day_of_week=1, hour=24,
                          minute=0)
    with pytest.raises(ValueError, match="rackspace"):
        TroveMock().add_schedule(PROJECT, instance_id=instance, day_of_week=1, hour=1, minute=0)


def test_a_schedule_whose_source_is_gone_stops_at_its_next_run(cloud) -> None:
    """An HA group can vanish without its schedule knowing (here: a state whose group is
    missing); the next run deletes the schedule and says why."""
    mock, api, _ = cloud
    group = mock.add_ha_group(PROJECT)
    schedule = make_schedule(api, None, source_type="ha", source_id=group.id)
    state = mock.export_state()
    state["ha_groups"] = []
    mock.import_state(state)
    assert ok(api.get(f"/schedules/{schedule['id']}"))["schedule"]["id"] == schedule["id"]
    move_to(mock, FIRST_RUN + timedelta(days=3))
    fault_of(api.get(f"/schedules/{schedule['id']}"), 404, "itemNotFound")
    (run,) = mock.schedule_runs(schedule["id"])
    assert run.outcome == "skipped" and "no longer exists" in run.reason
    (entry,) = mock.journal.filter(kind="scheduled_run")
    assert entry.status == 404 and entry.request_json is None


def test_run_now_after_the_clock_was_set_back_does_not_rerun_slots_that_ran(cloud) -> None:
    mock, api, instance = cloud
    schedule = make_schedule(api, instance)
    move_to(mock, FIRST_RUN + timedelta(days=2, hours=1))  # three daily runs made
    ran = [r.due for r in mock.schedule_runs(schedule["id"])]
    assert ran == [FIRST_RUN + timedelta(days=n) for n in range(3)]
    mock.clock.set(FIRST_RUN + timedelta(hours=1), backwards=True)  # before runs 2 and 3
    answer = api.request("PUT", f"/schedules/{schedule['id']}",
                         json_body={"schedule": {"run_now": True}})
    assert answer.status_code == 202
    move_to(mock, FIRST_RUN + timedelta(days=3, hours=1))
    dues = [r.due for r in mock.schedule_runs(schedule["id"])]
    assert dues == [*ran, FIRST_RUN + timedelta(hours=1), FIRST_RUN + timedelta(days=3)]
