"""Rackspace `/schedules` over HTTP: create, list, show, update, delete, the bodies cdbclient
1.0.9 sends and reads (reference/neighbour-apis.md §1.6), and every refusal.

The emulator's clock starts on Thursday 2014-02-13 21:47:16; day_of_week 0 is Sunday.
"""

from __future__ import annotations

import pytest
from helpers import (
    OTHER_PROJECT,
    PROJECT,
    Api,
    body_of,
    create_backup,
    fault_of,
    make,
    next_marker,
    ok,
    random_id,
    seed_instance,
)

from trovemock import TroveMock

# Every key of the documented schedule object (the 2020 create example's set).
SCHEDULE_KEYS = {
    "id", "action", "instance_id", "source", "day_of_week", "hour", "minute", "day_of_month",
    "month", "full_backup_retention", "next_run", "last_scheduled", "running", "copy_to",
    "created", "updated",
}
# What `cdb-cli schedule-list` prints for each row (it issues a GET per row for any missing).
CDB_LIST_COLUMNS = {
    "id", "instance_id", "action", "minute", "hour", "day_of_month", "month", "day_of_week",
    "last_scheduled", "full_backup_retention", "next_run",
}


def cdb_create_body(instance_id=None, day=0, hour=14, minute=30, source_type=None,
                    source_id=None, copy_to=None) -> dict:
    """Exactly what cdbclient's `schedules.create_backup` sends: the four source keys always
    present (null when not given), the times only when given, never full_backup_retention."""
    body = {"schedule": {"action": "backup", "instance_id": instance_id, "source_id": source_id,
                         "source_type": source_type,
                         "copy_to": copy_to.split(",") if copy_to else None}}
    for key, value in (("day_of_week", day), ("hour", hour), ("minute", minute)):
        if value is not None:
            body["schedule"][key] = value
    return body


def cdb_update_body(run_now=False, copy_to=None, full_backup_retention=None, day=None,
                    hour=None, minute=None) -> dict:
    """Exactly what `cdb-cli schedule-update` sends: run_now always (a boolean), copy_to always
    (the raw comma string or null), retention only when truthy, times only when given."""
    body = {"schedule": {"run_now": run_now, "copy_to": copy_to}}
    if full_backup_retention:
        body["schedule"]["full_backup_retention"] = full_backup_retention
    for key, value in (("day_of_week", day), ("hour", hour), ("minute", minute)):
        if value is not None:
            body["schedule"][key] = value
    return body


def put(api: Api, path: str, body) -> object:
    return api.request("PUT", path, json_body=body)


@pytest.fixture
def cloud() -> tuple[TroveMock, Api, str]:
    mock, api, _ = make("rackspace")
    return mock, api, seed_instance(mock)


def create(api: Api, body: dict) -> dict:
    return ok(api.post("/schedules", body), 202)["schedule"]


def show(api: Api, schedule_id: str) -> dict:
    return ok(api.get(f"/schedules/{schedule_id}"))["schedule"]


# -- create -------------------------------------------------------------------------------------
def test_create_with_cdbclients_body_answers_202_and_the_whole_schedule(cloud) -> None:
    mock, api, instance = cloud
    schedule = create(api, cdb_create_body(instance))
    assert set(schedule) == SCHEDULE_KEYS
    assert schedule["action"] == "backup" and schedule["instance_id"] == instance
    assert schedule["source"] == {"id": instance, "type": "instance"}
    assert (schedule["day_of_week"], schedule["hour"], schedule["minute"]) == (0, 14, 30)
    assert schedule["day_of_month"] is None and schedule["month"] is None
    assert schedule["full_backup_retention"] == 2  # the documented default
    assert schedule["copy_to"] == [] and schedule["running"] == 0
    assert schedule["last_scheduled"] is None
    assert schedule["created"] == schedule["updated"] == "2014-02-13T21:47:16"
    # Created on a Thursday with day 0: the first run is the next Sunday's full backup.
    assert schedule["next_run"] == "2014-02-16T14:30:00"
    assert show(api, schedule["id"]) == schedule


def test_create_with_the_documented_example_and_copy_to(cloud) -> None:
    _, api, instance = cloud
    body = {"schedule": {"action": "backup", "day_of_week": 0, "hour": 14,
                         "instance_id": instance, "minute": 30, "copy_to": ["IAD", "ord"]}}
    schedule = create(api, body)
    assert schedule["copy_to"] == ["IAD", "ORD"]


def test_cdbclients_comma_string_for_copy_to_is_accepted_on_create_too(cloud) -> None:
    _, api, instance = cloud
    body = cdb_create_body(instance)
    body["schedule"]["copy_to"] = "IAD, ORD"
    assert create(api, body)["copy_to"] == ["IAD", "ORD"]


def test_full_backup_retention_can_be_given_on_create(cloud) -> None:
    _, api, instance = cloud
    body = cdb_create_body(instance)
    body["schedule"]["full_backup_retention"] = 5
    assert create(api, body)["full_backup_retention"] == 5


def test_an_instance_may_be_named_by_source_id_alone(cloud) -> None:
    _, api, instance = cloud
    schedule = create(api, cdb_create_body(source_id=instance, source_type="instance"))
    assert schedule["instance_id"] == instance
    assert schedule["source"] == {"id": instance, "type": "instance"}


def test_a_schedule_for_an_ha_group_names_it_in_source_and_has_no_instance_id(cloud) -> None:
    mock, api, _ = cloud
    group = mock.add_ha_group(PROJECT)
    schedule = create(api, cdb_create_body(source_type="ha", source_id=group.id))
    assert schedule["instance_id"] is None
    assert schedule["source"] == {"id": group.id, "type": "ha"}


def test_day_7_runs_the_next_daily_slot(cloud) -> None:
    _, api, instance = cloud
    assert create(api, cdb_create_body(instance, day=7, hour=23, minute=0))["next_run"] == \
        "2014-02-13T23:00:00"


def test_on_the_full_backup_day_a_slot_still_ahead_is_today(cloud) -> None:
    _, api, instance = cloud
    schedule = create(api, cdb_create_body(instance, day=4, hour=22, minute=0))  # Thursday
    assert schedule["next_run"] == "2014-02-13T22:00:00"
    other = seed_instance(api.mock)
    passed = create(api, cdb_create_body(other, day=4, hour=21, minute=0))
    assert passed["next_run"] == "2014-02-20T21:00:00"  # today's slot has passed


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"action": "restore"}, "schedule['action']"),
        ({"hour": 24}, "schedule['hour'] 24 is greater than the maximum of 23"),
        ({"minute": 60}, "schedule['minute']"),
        ({"minute": -1}, "schedule['minute']"),
        ({"day_of_week": 8}, "schedule['day_of_week']"),
        ({"hour": "3"}, "schedule['hour']"),
        ({"hour": True}, "schedule['hour']"),
        ({"hour": 3.0}, "schedule['hour']"),
        ({"full_backup_retention": 1}, "schedule['full_backup_retention']"),
        ({"instance_id": "not-a-uuid"}, "schedule['instance_id']"),
        ({"source_type": "cluster"}, "schedule['source_type']"),
        ({"copy_to": {"IAD": True}}, "schedule['copy_to']"),
    ],
)
def test_bad_fields_are_400_naming_the_field_and_store_nothing(cloud, change, where) -> None:
    _, api, instance = cloud
    body = cdb_create_body(instance)
    body["schedule"].update(change)
    message = fault_of(api.post("/schedules", body), 400, "badRequest")
    assert message.startswith("Validation error:") and where in message
    assert ok(api.get("/schedules")) == {"schedules": []}


@pytest.mark.parametrize("missing", ["action", "day_of_week", "hour", "minute"])
def test_each_required_field_is_required(cloud, missing) -> None:
    _, api, instance = cloud
    body = cdb_create_body(instance)
    del body["schedule"][missing]
    message = fault_of(api.post("/schedules", body), 400, "badRequest")
    assert f"'{missing}' is a required property" in message


def test_a_body_without_the_schedule_key_is_400(cloud) -> None:
    _, api, _ = cloud
    fault_of(api.post("/schedules", {"action": "backup"}), 400, "badRequest")


def test_neither_instance_id_nor_source_id_is_400(cloud) -> None:
    _, api, _ = cloud
    message = fault_of(api.post("/schedules", cdb_create_body()), 400, "badRequest")
    assert "instance_id" in message


def test_instance_id_and_a_different_source_id_is_400(cloud) -> None:
    _, api, instance = cloud
    body = cdb_create_body(instance, source_id=seed_instance(api.mock))
    fault_of(api.post("/schedules", body), 400, "badRequest")


def test_an_ha_schedule_with_an_instance_id_or_without_source_id_is_400(cloud) -> None:
    mock, api, instance = cloud
    group = mock.add_ha_group(PROJECT)
    both = cdb_create_body(instance, source_type="ha", source_id=group.id)
    fault_of(api.post("/schedules", both), 400, "badRequest")
    fault_of(api.post("/schedules", cdb_create_body(source_type="ha")), 400, "badRequest")


def test_unknown_or_another_projects_instance_or_group_is_404(cloud) -> None:
    mock, api, _ = cloud
    theirs = seed_instance(mock, OTHER_PROJECT)
    for body in (cdb_create_body(random_id()), cdb_create_body(theirs),
                 cdb_create_body(source_type="ha", source_id=random_id())):
        message = fault_of(api.post("/schedules", body), 404, "itemNotFound")
        assert "cannot be found" in message


def test_a_second_schedule_for_the_same_source_is_422(cloud) -> None:
    _, api, instance = cloud
    first = create(api, cdb_create_body(instance))
    message = fault_of(api.post("/schedules", cdb_create_body(instance, day=3)), 422,
                       "unprocessableEntity")
    assert first["id"] in message and instance in message
    assert [s["id"] for s in ok(api.get("/schedules"))["schedules"]] == [first["id"]]


@pytest.mark.parametrize(("copy_to", "words"), [
    ("LON", "LON"), ("DFW", "own region"), ("XYZ", "Unknown region"), ("IAD,LON", "LON")])
def test_copy_to_lon_the_own_region_or_an_unknown_one_is_400(cloud, copy_to, words) -> None:
    _, api, instance = cloud
    message = fault_of(api.post("/schedules", cdb_create_body(instance, copy_to=copy_to)), 400,
                       "badRequest")
    assert words in message
    assert ok(api.get("/schedules")) == {"schedules": []}


@pytest.mark.parametrize("region", ["SYD", "HKG"])
def test_scheduled_backups_are_not_available_in_syd_and_hkg(region) -> None:
    mock = TroveMock("rackspace")
    instance = mock.add_instance(PROJECT, region=region).id
    api = Api(mock.region(region))
    message = fault_of(api.post("/schedules", cdb_create_body(instance)), 400, "badRequest")
    assert f"not available in region {region}" in message
    assert ok(api.get("/schedules")) == {"schedules": []}


def test_lon_schedules_exist_but_cannot_copy(cloud) -> None:
    mock, _, _ = cloud
    instance = mock.add_instance(PROJECT, region="LON").id
    api = Api(mock.region("LON"))
    fault_of(api.post("/schedules", cdb_create_body(instance, copy_to="IAD")), 400, "badRequest")
    assert create(api, cdb_create_body(instance))["copy_to"] == []


def test_datastores_without_scheduled_backups_are_422(cloud) -> None:
    mock, api, _ = cloud
    postgres = seed_instance(mock, datastore=("postgresql", "12"))
    message = fault_of(api.post("/schedules", cdb_create_body(postgres)), 422,
                       "unprocessableEntity")
    assert "postgresql" in message
    for kind, version in (("percona", "5.7"), ("mariadb", "10.4"), ("mysql", "8.0")):
        create(api, cdb_create_body(seed_instance(mock, datastore=(kind, version))))


def test_no_token_is_401(cloud) -> None:
    _, api, instance = cloud
    fault_of(api.post("/schedules", cdb_create_body(instance), token=None), 401, "unauthorized")
    fault_of(api.get("/schedules", token=None), 401, "unauthorized")


# -- list and show ------------------------------------------------------------------------------
def test_list_items_carry_every_field_cdb_cli_prints_and_the_rest(cloud) -> None:
    mock, api, instance = cloud
    made = [create(api, cdb_create_body(instance)),
            create(api, cdb_create_body(seed_instance(mock), day=7, hour=1, minute=5))]
    listed = ok(api.get("/schedules"))
    assert set(listed) == {"schedules"}  # one page: no links
    assert listed["schedules"] == made  # oldest first, the same objects as create's
    for item in listed["schedules"]:
        assert CDB_LIST_COLUMNS <= set(item) and set(item) == SCHEDULE_KEYS


def test_list_and_show_see_only_the_callers_project_and_region(cloud) -> None:
    mock, api, instance = cloud
    mine = create(api, cdb_create_body(instance))
    theirs_api = Api(mock, OTHER_PROJECT)
    create(theirs_api, cdb_create_body(seed_instance(mock, OTHER_PROJECT)))
    iad_api = Api(mock.region("IAD"))
    create(iad_api, cdb_create_body(mock.add_instance(PROJECT, region="IAD").id))
    assert [s["id"] for s in ok(api.get("/schedules"))["schedules"]] == [mine["id"]]
    fault_of(theirs_api.get(f"/schedules/{mine['id']}"), 404, "itemNotFound")
    fault_of(iad_api.get(f"/schedules/{mine['id']}"), 404, "itemNotFound")
    fault_of(api.get(f"/schedules/{random_id()}"), 404, "itemNotFound")


def test_list_pages_with_limit_and_a_next_link_cdbclient_reads(cloud) -> None:
    mock, api, _ = cloud
    ids = [create(api, cdb_create_body(seed_instance(mock)))["id"] for _ in range(5)]
    first = ok(api.get("/schedules", query={"limit": 2}))
    assert [s["id"] for s in first["schedules"]] == ids[:2]
    marker = next_marker(first)
    assert marker is not None
    rest = ok(api.get("/schedules", query={"limit": 10, "marker": marker}))
    assert [s["id"] for s in rest["schedules"]] == ids[2:] and "links" not in rest


def test_list_filters_cdbclient_can_send(cloud) -> None:
    mock, api, instance = cloud
    plain = create(api, cdb_create_body(instance))
    group = mock.add_ha_group(PROJECT)
    ha = create(api, cdb_create_body(source_type="ha", source_id=group.id))

    def ids(**query) -> list[str]:
        return [s["id"] for s in ok(api.get("/schedules", query=query))["schedules"]]

    assert ids(source_type="ha") == [ha["id"]]
    assert ids(source_type="instance") == [plain["id"]]
    assert ids(source_id=instance) == [plain["id"]]
    assert ids(action="backup") == [plain["id"], ha["id"]]
    assert ids(action="restore") == []


# -- update -------------------------------------------------------------------------------------
def test_update_with_cdb_clis_body_is_202_empty_and_changes_the_schedule(cloud) -> None:
    mock, api, instance = cloud
    schedule = create(api, cdb_create_body(instance))
    mock.clock.advance(60)
    resp = put(api, f"/schedules/{schedule['id']}",
               cdb_update_body(full_backup_retention=4, day=2, hour=6, minute=19))
    assert resp.status_code == 202 and resp.get_data() == b""
    shown = show(api, schedule["id"])
    assert (shown["day_of_week"], shown["hour"], shown["minute"]) == (2, 6, 19)
    assert shown["full_backup_retention"] == 4
    assert shown["next_run"] == "2014-02-18T06:19:00"  # the next Tuesday: no run yet
    assert shown["updated"] == "2014-02-13T21:48:16" and shown["created"] == schedule["created"]
    assert shown["copy_to"] == []  # cdb-cli's null copy_to leaves it alone


def test_update_takes_copy_to_as_the_raw_comma_string_cdb_cli_sends(cloud) -> None:
    _, api, instance = cloud
    schedule = create(api, cdb_create_body(instance))
    path = f"/schedules/{schedule['id']}"
    assert put(api, path, cdb_update_body(copy_to="IAD,ORD")).status_code == 202
    assert show(api, schedule["id"])["copy_to"] == ["IAD", "ORD"]
    assert put(api, path, cdb_update_body()).status_code == 202  # null: unchanged
    assert show(api, schedule["id"])["copy_to"] == ["IAD", "ORD"]
    assert put(api, path, {"schedule": {"copy_to": ["ORD"]}}).status_code == 202
    assert show(api, schedule["id"])["copy_to"] == ["ORD"]
    assert put(api, path, cdb_update_body(copy_to="")).status_code == 202  # "" clears
    assert show(api, schedule["id"])["copy_to"] == []
    fault_of(put(api, path, cdb_update_body(copy_to="IAD,LON")), 400, "badRequest")
    assert show(api, schedule["id"])["copy_to"] == []


@pytest.mark.parametrize("run_now", [True, "true", "True"])
def test_run_now_as_a_bool_or_the_documented_string_runs_at_the_next_look(cloud, run_now):
    mock, api, instance = cloud
    schedule = create(api, cdb_create_body(instance))
    resp = put(api, f"/schedules/{schedule['id']}",
               {"schedule": {"day_of_week": 2, "hour": 6, "minute": 19, "run_now": run_now}})
    assert resp.status_code == 202
    assert mock.cloud.backups == {}  # not during the request itself
    shown = show(api, schedule["id"])  # the next request: the run is due, so it happens
    assert shown["last_scheduled"] == "2014-02-13T21:47:16" and shown["running"] == 1
    (backup,) = ok(api.get("/backups"))["backups"]
    assert backup["is_automated"] == 1 and backup["created"] == "2014-02-13T21:47:16"
    assert backup["type"] == "InnoBackupEx" and backup["parent_id"] is None
    # Having made its first full backup, the schedule now runs daily.
    assert shown["next_run"] == "2014-02-14T06:19:00"


@pytest.mark.parametrize("run_now", [False, "false", None])
def test_run_now_false_does_not_run(cloud, run_now) -> None:
    mock, api, instance = cloud
    schedule = create(api, cdb_create_body(instance))
    assert put(api, f"/schedules/{schedule['id']}",
               {"schedule": {"run_now": run_now}}).status_code == 202
    assert show(api, schedule["id"])["next_run"] == schedule["next_run"]
    assert ok(api.get("/backups"))["backups"] == []


@pytest.mark.parametrize("body", [
    {"schedule": {"run_now": "yes"}},
    {"schedule": {"hour": 25}},
    {"schedule": {"full_backup_retention": 1}},
    {"schedule": {"day_of_week": "monday"}},
    {"hour": 3},
])
def test_bad_updates_are_400_and_change_nothing(cloud, body) -> None:
    _, api, instance = cloud
    schedule = create(api, cdb_create_body(instance))
    fault_of(put(api, f"/schedules/{schedule['id']}", body), 400, "badRequest")
    assert show(api, schedule["id"]) == schedule


def test_the_source_cannot_be_changed_but_may_be_repeated(cloud) -> None:
    _, api, instance = cloud
    schedule = create(api, cdb_create_body(instance))
    path = f"/schedules/{schedule['id']}"
    other = seed_instance(api.mock)
    message = fault_of(put(api, path, {"schedule": {"instance_id": other}}), 400, "badRequest")
    assert "cannot be changed" in message
    fault_of(put(api, path, {"schedule": {"source_type": "ha"}}), 400, "badRequest")
    same = {"schedule": {"instance_id": instance, "source_type": "instance", "hour": 2,
                         "action": "backup", "id": schedule["id"]}}
    assert put(api, path, same).status_code == 202
    assert show(api, schedule["id"])["hour"] == 2


def test_update_of_an_unknown_or_foreign_schedule_is_404(cloud) -> None:
    mock, api, instance = cloud
    schedule = create(api, cdb_create_body(instance))
    fault_of(put(api, f"/schedules/{random_id()}", cdb_update_body()), 404, "itemNotFound")
    other = Api(mock, OTHER_PROJECT)
    fault_of(put(other, f"/schedules/{schedule['id']}", cdb_update_body(hour=1)), 404,
             "itemNotFound")
    assert show(api, schedule["id"])["hour"] == 14


# -- delete -------------------------------------------------------------------------------------
def test_delete_is_202_empty_then_404_and_the_backups_it_made_stay(cloud) -> None:
    mock, api, instance = cloud
    schedule = create(api, cdb_create_body(instance, day=7, hour=22, minute=0))
    mock.clock.advance(3600)  # 22:00 ran
    assert len(ok(api.get("/backups"))["backups"]) == 1
    resp = api.delete(f"/schedules/{schedule['id']}")
    assert resp.status_code == 202 and resp.get_data() == b""
    fault_of(api.get(f"/schedules/{schedule['id']}"), 404, "itemNotFound")
    fault_of(api.delete(f"/schedules/{schedule['id']}"), 404, "itemNotFound")
    mock.clock.advance(7 * 86400)
    assert len(ok(api.get("/backups"))["backups"]) == 1  # no more runs; the backup stays
    create(api, cdb_create_body(instance))  # the instance may have a schedule again


def test_deleting_the_instance_stops_and_removes_its_schedule(cloud) -> None:
    mock, api, instance = cloud
    schedule = create(api, cdb_create_body(instance, day=7, hour=22, minute=0))
    assert api.delete(f"/instances/{instance}").status_code == 202
    fault_of(api.get(f"/schedules/{schedule['id']}"), 404, "itemNotFound")
    assert ok(api.get("/schedules")) == {"schedules": []}
    mock.clock.advance(3 * 86400)
    assert ok(api.get("/backups"))["backups"] == [] and mock.schedule_runs() == []


# -- dialects -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/schedules"), ("POST", "/schedules"), ("GET", "/schedules/x"),
    ("PUT", "/schedules/x"), ("DELETE", "/schedules/x")])
def test_the_openstack_dialect_answers_501(method, path) -> None:
    mock, api, _ = make("openstack")
    instance = seed_instance(mock)
    resp = api.request(method, path, json_body=cdb_create_body(instance)
                       if method in ("POST", "PUT") else None)
    message = fault_of(resp, 501, "notImplemented")
    assert "rackspace" in message


def test_wrong_method_is_405(cloud) -> None:
    _, api, _ = cloud
    resp = api.request("PATCH", "/schedules")
    fault_of(resp, 405, "badMethod")
    assert body_of(resp)


def test_an_instance_with_a_schedule_keeps_working_for_on_demand_backups(cloud) -> None:
    _, api, instance = cloud
    create(api, cdb_create_body(instance))
    assert create_backup(api, instance)["is_automated"] == 0


# -- the instance and HA documents say whether a schedule exists ---------------------------------
def test_instance_show_says_whether_a_schedule_exists(cloud) -> None:
    _, api, instance = cloud
    assert ok(api.get(f"/instances/{instance}"))["instance"]["schedule"] == {"enabled": False}
    schedule = create(api, cdb_create_body(instance))
    assert ok(api.get(f"/instances/{instance}"))["instance"]["schedule"] == {"enabled": True}
    assert api.delete(f"/schedules/{schedule['id']}").status_code == 202
    assert ok(api.get(f"/instances/{instance}"))["instance"]["schedule"] == {"enabled": False}


def test_ha_show_says_whether_the_group_has_a_schedule(cloud) -> None:
    mock, api, _ = cloud
    group = mock.add_ha_group(PROJECT)
    assert ok(api.get(f"/ha/{group.id}"))["ha_instance"]["schedule"] == {"enabled": False}
    create(api, cdb_create_body(source_type="ha", source_id=group.id, day=7))
    assert ok(api.get(f"/ha/{group.id}"))["ha_instance"]["schedule"] == {"enabled": True}


def test_an_admins_schedule_of_another_projects_instance_belongs_to_that_project() -> None:
    from werkzeug.test import Client

    mock = TroveMock("rackspace")
    mock.add_token("ops", None, roles=["admin"])
    theirs = mock.add_instance("owner")
    client = Client(mock)
    answer = client.post("/v1.0/ops-project/schedules", headers={"X-Auth-Token": "ops"},
                         json=cdb_create_body(instance_id=theirs.id, day=0, hour=1, minute=0))
    assert answer.status_code == 202
    schedule_id = answer.json["schedule"]["id"]
    owned = client.get("/v1.0/owner/schedules", headers={"X-Auth-Token": "t"}).json
    assert [s["id"] for s in owned["schedules"]] == [schedule_id]  # the owner sees it
    mock.clock.advance(8 * 86400)
    (run,) = mock.schedule_runs(schedule_id)[:1]
    assert run.outcome == "created"  # and it runs, in the instance's project
    assert mock.backup(run.backup_id).project_id == "owner"
