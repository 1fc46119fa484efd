"""Long clock jumps over scheduled backups: runs too far behind the clock to leave anything
visible are summed up in one `elided` record instead of made one by one, so a century costs
what a year does; shorter jumps still make every run.

The clock starts on Thursday 2014-02-13 21:47:16; schedules back up at 14:30 with their full
backup on Sunday (day 0) unless a test says otherwise.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from helpers import Api, make, ok, seed_instance

from trovemock import TroveMock

FIRST_RUN = datetime(2014, 2, 16, 14, 30)
FIRST_DAILY_RUN = datetime(2014, 2, 14, 14, 30)  # with a full every day (day_of_week 7)


def make_schedule(api: Api, instance_id: str, day: int = 0, **extra) -> dict:
    body = {"action": "backup", "instance_id": instance_id, "day_of_week": day, "hour": 14,
            "minute": 30, **extra}
    return ok(api.post("/schedules", {"schedule": body}), 202)["schedule"]


def automated(api: Api) -> list[dict]:
    found = [b for b in ok(api.get("/backups", query={"limit": 1000}))["backups"]
             if b["is_automated"] == 1]
    return sorted(found, key=lambda b: b["created"])


def cloud() -> tuple[TroveMock, Api, str]:
    mock, api, _ = make("rackspace")
    return mock, api, seed_instance(mock)


def test_a_century_jump_sums_up_the_old_runs_and_makes_the_last_year() -> None:
    mock, api, instance = cloud()
    schedule = make_schedule(api, instance, day=7)  # a full every day
    mock.clock.set(FIRST_DAILY_RUN + timedelta(days=3))  # four daily fulls, one by one
    assert [r.outcome for r in mock.schedule_runs()] == ["created"] * 4

    now = datetime(2114, 3, 1, 9, 0)
    mock.clock.set(now)
    runs = mock.schedule_runs()[4:]
    elided, made = runs[0], runs[1:]
    assert elided.outcome == "elided" and elided.backup_id is None
    assert elided.due == FIRST_DAILY_RUN + timedelta(days=4)
    # every daily slot up to now is accounted for, once: summed up or made
    assert elided.runs + len(made) == (now - elided.due).days + 1
    assert elided.until == made[0].due - timedelta(days=1)
    assert now - made[0].due <= timedelta(days=367)  # only about a year made
    assert {r.outcome for r in made} == {"created"}
    assert "retention (2 full backups)" in (elided.reason or "")

    # what is visible is what retention keeps after making every run: the newest 2 fulls
    assert [b["created"] for b in automated(api)] == [
        "2114-02-27T14:30:00", "2114-02-28T14:30:00"]
    shown = ok(api.get(f"/schedules/{schedule['id']}"))["schedule"]
    assert shown["next_run"] == "2114-03-01T14:30:00"
    assert shown["last_scheduled"] == "2114-02-28T14:30:00"


def test_runs_after_the_summary_chain_on_as_usual() -> None:
    mock, api, instance = cloud()
    make_schedule(api, instance, day=0, full_backup_retention=3)  # weekly full on Sunday
    mock.clock.set(datetime(2214, 6, 8, 20, 0))  # a Wednesday
    runs = mock.schedule_runs()
    # not yet started when the jump came: the summed-up slots are the weekly full days
    assert runs[0].outcome == "elided" and runs[0].due == FIRST_RUN
    assert (runs[0].until - runs[0].due).days == 7 * (runs[0].runs - 1)
    backups = automated(api)
    fulls = [b for b in backups if b["type"] == "InnoBackupEx"]
    assert len(fulls) == 3 and all(
        datetime.fromisoformat(b["created"]).isoweekday() == 7 for b in fulls)
    # the days since the newest full are incrementals on its chain, each on the one before
    newest = fulls[-1]
    chain = [b for b in backups if b["created"] > newest["created"]]
    assert [b["type"] for b in chain] == ["InnoBackupExIncremental"] * 3
    assert chain[0]["parent_id"] == newest["id"]
    assert [b["parent_id"] for b in chain[1:]] == [b["id"] for b in chain[:-1]]


def test_a_month_jump_still_makes_every_run() -> None:
    mock, api, instance = cloud()
    make_schedule(api, instance, day=7)
    mock.clock.set(FIRST_DAILY_RUN + timedelta(days=30, hours=1))
    runs = mock.schedule_runs()
    assert len(runs) == 31 and {r.outcome for r in runs} == {"created"}
    assert all(r.runs == 1 and r.until is None for r in runs)


def test_fault_rules_meet_only_the_runs_that_are_made() -> None:
    mock, api, instance = cloud()
    make_schedule(api, instance, day=7)
    rule = mock.faults.add(route="schedules.run", outcome="run_skipped", times=1)
    mock.clock.set(datetime(2050, 1, 1))
    runs = mock.schedule_runs()
    assert runs[0].outcome == "elided" and runs[0].fault_rule is None
    assert runs[1].outcome == "skipped" and runs[1].fault_rule == rule.id
    assert {r.outcome for r in runs[2:]} == {"created"}


def test_the_journal_holds_one_summary_entry_for_the_elided_runs() -> None:
    mock, api, instance = cloud()
    schedule = make_schedule(api, instance, day=7)
    mock.clock.set(datetime(2040, 1, 1))
    runs = mock.schedule_runs()  # a look at the cloud: the due runs happen
    entries = mock.journal.filter(kind="scheduled_run")
    summary = entries[0]
    assert summary.status == 200 and summary.request_json is None
    elided = summary.response_json["elided"]
    assert elided["runs"] == runs[0].runs > 9000 and len(entries) == len(runs)
    assert summary.path == f"/v1.0/{api.project}/schedules/{schedule['id']}"
    assert [e.status for e in entries[1:]] == [202] * (len(entries) - 1)
    # the control API shows the same record
    seen = ok(api.raw.get("/_trovemock/schedules/runs"))["runs"][0]
    assert (seen["outcome"], seen["runs"]) == ("elided", elided["runs"])
    assert seen["until"] == runs[0].until.isoformat()


def test_an_elided_run_survives_state_export_and_import() -> None:
    mock, api, instance = cloud()
    make_schedule(api, instance, day=7)
    mock.clock.set(datetime(2030, 1, 1))
    before = mock.schedule_runs()
    copy = TroveMock("rackspace")
    copy.import_state(mock.export_state())
    after = copy.schedule_runs()
    assert after == before and after[0].outcome == "elided"


def test_state_import_refuses_a_summary_count_on_a_run_that_was_made() -> None:
    mock, api, instance = cloud()
    make_schedule(api, instance, day=7)
    mock.clock.set(FIRST_DAILY_RUN + timedelta(hours=1))
    state = mock.export_state()
    state["schedule_runs"][0]["runs"] = 5
    try:
        TroveMock("rackspace").import_state(state)
    except ValueError as error:
        assert "runs must be 1" in str(error)
    else:
        raise AssertionError("a created run standing for 5 runs was accepted")
