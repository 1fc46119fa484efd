"""The dashboard in a real Chromium against `trovemock serve --clock manual`: what a user sees
and does. Every wait is on the page's state (data-ready, data-revision, rows), never a sleep."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

import requests

from tests.dashboard.conftest import Watched
from tests.serve_process import ServeProcess

PROJECT = "p1"
INSTANCE = "11111111-2222-3333-4444-555555555555"
TOKEN = {"X-Auth-Token": "tok"}


def seed(server: ServeProcess) -> None:
    answer = server.control("POST", "instances", {"project_id": PROJECT, "id": INSTANCE})
    assert answer.status_code == 201, answer.text


def create_backup(server: ServeProcess, name: str = "nightly", **extra: Any) -> requests.Response:
    return requests.post(
        f"{server.url}/v1.0/{PROJECT}/backups", headers=TOKEN, timeout=5,
        json={"backup": {"name": name, "instance": INSTANCE, **extra}},
    )


def backup_row(page: Watched, backup_id: str, status: str) -> Any:
    return page.page.wait_for_selector(f"tr[data-backup='{backup_id}'][data-status='{status}']")


def test_the_page_loads_with_the_servers_facts(server: ServeProcess, page: Watched) -> None:
    page.open(f"{server.url}/_trovemock/ui/")
    facts = page.page.locator("#facts")
    assert facts.locator("[data-fact='dialect'] dd").text_content() == "rackspace"
    assert facts.locator("[data-fact='fidelity'] dd").text_content() == "documented"
    assert facts.locator("[data-fact='clock'] dd").text_content() == "manual"
    assert page.page.text_content("#clock-now") == server.control("GET", "clock").json()["now"]
    page.shot("header")


def test_backups_created_through_the_api_appear(server: ServeProcess, page: Watched) -> None:
    seed(server)
    page.open(f"{server.url}/_trovemock/ui/")
    created = create_backup(server, "appears-live")
    assert created.status_code == 202, created.text
    row = backup_row(page, created.json()["backup"]["id"], "NEW")  # by polling the revision
    assert "appears-live" in row.text_content()
    page.shot("cloud-new")


def test_advance_buttons_move_a_backup_new_building_completed(
    server: ServeProcess, page: Watched
) -> None:
    seed(server)
    backup_id = create_backup(server).json()["backup"]["id"]
    page.open(f"{server.url}/_trovemock/ui/")
    backup_row(page, backup_id, "NEW")
    page.page.click("button[data-advance='1']")  # backup_new_seconds is 1
    backup_row(page, backup_id, "BUILDING")
    page.page.click("button[data-advance='10']")  # backup_building_seconds is 5
    backup_row(page, backup_id, "COMPLETED")
    page.shot("cloud-completed")
    shown = requests.get(f"{server.url}/v1.0/{PROJECT}/backups/{backup_id}", headers=TOKEN,
                         timeout=5)
    assert shown.json()["backup"]["status"] == "COMPLETED"


def test_next_transition_steps_a_backup_through_its_statuses(
    server: ServeProcess, page: Watched
) -> None:
    seed(server)
    backup_id = create_backup(server).json()["backup"]["id"]
    page.open(f"{server.url}/_trovemock/ui/")
    backup_row(page, backup_id, "NEW")
    page.page.click("#clock-next")  # NEW ends at 1 s
    backup_row(page, backup_id, "BUILDING")
    page.page.click("#clock-next")  # BUILDING ends 5 s later
    backup_row(page, backup_id, "COMPLETED")
    assert requests.get(f"{server.url}/_trovemock/clock", timeout=5).json()["next_due"] is None


def test_a_fault_added_from_the_form_answers_and_shows_as_fired(
    server: ServeProcess, page: Watched
) -> None:
    seed(server)
    page.open(f"{server.url}/_trovemock/ui/")
    page.view("faults")
    page.page.fill("#fault-route", "backups.create")
    page.page.fill("#fault-status", "503")
    page.page.fill("#fault-message", "injected from the dashboard")
    page.page.click("#fault-form button[type='submit']")
    rule = page.page.wait_for_selector("#faults-table tr[data-rule]")
    rule_id = rule.get_attribute("data-rule")
    assert rule.query_selector(".fired").text_content() == "0"

    answer = create_backup(server)
    assert answer.status_code == 503
    assert "injected from the dashboard" in answer.text

    page.page.wait_for_selector(f"#faults-table tr[data-rule='{rule_id}'] td.fired:text('1')")
    page.shot("faults-fired")
    page.view("journal")
    row = page.page.wait_for_selector("#journal-table tr.faulted")
    assert rule_id in row.text_content()
    row.click()
    assert page.page.text_content("#journal-detail .fault-rule") == rule_id
    assert "curl -X POST" in page.page.text_content("#journal-detail .curl")
    assert "X-Auth-Token: ***" in page.page.text_content("#journal-detail")  # masked
    page.shot("journal-detail")


def test_a_fault_form_error_shows_the_apis_message(server: ServeProcess, page: Watched) -> None:
    page.allow_http_errors = True  # the 400 is the point
    page.open(f"{server.url}/_trovemock/ui/")
    page.view("faults")
    page.page.fill("#fault-route", "no.such.route")
    page.page.click("#fault-form button[type='submit']")
    page.page.wait_for_selector("#fault-error:has-text('route must be a route name')")
    assert server.control("GET", "faults").json()["faults"] == []


def test_a_backup_name_with_markup_is_shown_as_text(server: ServeProcess, page: Watched) -> None:
    seed(server)
    name = "<img src=x onerror=window.__xss=1>"
    backup_id = create_backup(server, name).json()["backup"]["id"]
    page.open(f"{server.url}/_trovemock/ui/")
    row = backup_row(page, backup_id, "NEW")
    assert row.query_selector("td.name").text_content() == name
    assert row.query_selector("img") is None
    page.view("journal")
    page.page.wait_for_selector("#journal-table tr[data-seq]").click()
    assert name in page.page.text_content("#journal-detail")
    assert page.page.evaluate("typeof window.__xss") == "undefined"
    assert page.page.evaluate("document.querySelectorAll('img').length") == 0


def test_every_view_renders_real_data_without_errors(server: ServeProcess, page: Watched) -> None:
    seed(server)
    full = create_backup(server, "full", copy_to=["IAD"]).json()["backup"]["id"]
    server.control("POST", "clock", {"advance": 10})
    incremental = create_backup(server, "incremental", parent_id=full)
    assert incremental.status_code == 202, incremental.text
    schedule = requests.post(
        f"{server.url}/v1.0/{PROJECT}/schedules", headers=TOKEN, timeout=5,
        json={"schedule": {"action": "backup", "instance_id": INSTANCE, "day_of_week": 2,
                           "hour": 3, "minute": 0}},
    )
    assert schedule.status_code == 202, schedule.text
    server.control("POST", "clock", {"advance": 8 * 86400})
    page.open(f"{server.url}/_trovemock/ui/")
    backup_row(page, full, "COMPLETED")
    page.page.click("details.chain > summary")
    page.page.wait_for_selector(
        f"details.chain tr[data-backup='{incremental.json()['backup']['id']}']"
    )
    page.shot("cloud")
    page.view("copies")
    assert "IAD" in page.page.text_content("#view-copies")
    page.view("schedules")
    assert page.page.query_selector("#view-schedules tr[data-schedule]") is not None
    page.view("strategies")
    page.view("journal")
    page.page.wait_for_selector("#journal-table tr[data-seq]")
    page.view("faults")
    page.view("state")


def test_reset_asks_first(server: ServeProcess, page: Watched) -> None:
    seed(server)
    page.open(f"{server.url}/_trovemock/ui/")
    page.view("state")
    page.page.click("#reset")
    assert page.page.is_visible("#reset-confirm")
    page.page.click("#reset-no")
    assert len(server.control("GET", "state").json()["instances"]) == 1
    revision = page.page.get_attribute("body", "data-revision")
    page.page.click("#reset")
    page.page.click("#reset-yes")
    page.page.wait_for_function(
        "r => document.body.dataset.revision !== r", arg=revision
    )
    assert server.control("GET", "state").json()["instances"] == []


class TokenServe(ServeProcess):
    """A server with a control token: ready when its page answers (the API needs the token)."""

    def _wait_ready(self) -> None:
        answer = requests.get(self.url + "/_trovemock/ui/", timeout=20)
        assert answer.status_code == 200, answer.text


def test_the_token_comes_from_the_fragment_and_never_a_cookie(browser: Any) -> None:
    with TokenServe("--clock", "manual", "--no-seed-demo", "--control-token", "s3cret") as srv:
        context = browser.new_context()
        try:
            watched = Watched(context.new_page(), "token")
            watched.open(f"{srv.url}/_trovemock/ui/#token=s3cret")
            assert "token" not in watched.page.url  # dropped from the address bar
            assert context.cookies() == []
            assert watched.page.is_hidden("#token-form")
            watched.check_clean()
        finally:
            context.close()


def test_without_the_token_the_page_asks_for_it(browser: Any) -> None:
    with TokenServe("--clock", "manual", "--no-seed-demo", "--control-token", "s3cret") as srv:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"{srv.url}/_trovemock/ui/")
            page.wait_for_selector("#token-form:not([hidden])")
            page.fill("#token-input", "s3cret")
            page.click("#token-entry button")
            page.wait_for_selector("body[data-ready='1']")
            assert page.is_hidden("#token-form")
            assert context.cookies() == []
        finally:
            context.close()


def test_forcing_a_status_and_durations_from_the_cloud_view(
    server: ServeProcess, page: Watched
) -> None:
    seed(server)
    backup_id = create_backup(server).json()["backup"]["id"]
    page.open(f"{server.url}/_trovemock/ui/")
    row = backup_row(page, backup_id, "NEW")
    row.query_selector("input[placeholder='BUILDING s']").fill("600")
    row.query_selector("button:text('Set durations')").click()
    page.page.click("button[data-advance='60']")  # NEW for 1 s, then BUILDING for 600 s
    row = backup_row(page, backup_id, "BUILDING")
    row.query_selector("select").select_option("FAILED")
    row.query_selector("button:text('Force')").click()
    backup_row(page, backup_id, "FAILED")
    shown = requests.get(f"{server.url}/v1.0/{PROJECT}/backups/{backup_id}", headers=TOKEN,
                         timeout=5)
    assert shown.json()["backup"]["status"] == "FAILED"


def test_a_deep_chain_is_one_row_and_a_flat_list(server: ServeProcess, page: Watched) -> None:
    seed(server)
    parent = create_backup(server, "full").json()["backup"]["id"]
    server.control("POST", "clock", {"advance": 10})
    state = server.control("GET", "state").json()
    template = next(b for b in state["backups"] if b["id"] == parent)
    depth = 2000  # imported, not created one by one: the page's cost is what is measured
    chain = []
    for n in range(depth):
        child = dict(template, id=f"00000000-0000-4000-8000-{n:012d}", name=f"inc-{n}",
                     parent_id=parent, origin_id=f"00000000-0000-4000-8000-{n:012d}",
                     order=template["order"] + n + 1)
        chain.append(child)
        parent = child["id"]
    state["backups"] += chain
    state["instances"][0]["running_backup"] = None
    imported = requests.put(f"{server.url}/_trovemock/state", json=state, timeout=30)
    assert imported.status_code == 204, imported.text
    page.open(f"{server.url}/_trovemock/ui/")
    summary = page.page.wait_for_selector("details.chain > summary")
    assert summary.text_content() == f"{depth} incremental backup(s) in this chain"
    assert page.page.evaluate("document.querySelectorAll('tr[data-backup]').length") == 1
    summary.click()
    page.page.wait_for_selector(f"tr[data-backup='{parent}']")
    nesting = page.page.evaluate(
        "(() => { let n = 0, e = document.querySelector(`tr[data-backup='" + parent + "']`);"
        " while (e) { n++; e = e.parentElement; } return n; })()"
    )
    assert nesting < 30  # a flat list, not one level per link of the chain


def test_export_reset_and_import_from_the_state_view(
    server: ServeProcess, page: Watched, tmp_path: Any
) -> None:
    seed(server)
    backup_id = create_backup(server, "kept").json()["backup"]["id"]
    page.open(f"{server.url}/_trovemock/ui/")
    page.view("state")
    with page.page.expect_download() as download:
        page.page.click("#state-export")
    saved = tmp_path / "state.json"
    download.value.save_as(saved)
    page.page.click("#reset")
    page.page.click("#reset-yes")
    page.page.wait_for_selector("[data-fact='backups'] dd:text('0')")
    page.page.set_input_files("#state-file", str(saved))
    page.page.wait_for_selector("[data-fact='backups'] dd:text('1')")
    page.view("cloud")
    backup_row(page, backup_id, "NEW")

    page.allow_http_errors = True  # a refused import is the point
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": 1, "backups": "not a list"}')
    page.view("state")
    page.page.set_input_files("#state-file", str(broken))
    page.page.wait_for_selector("#state-error:not(:empty)")
    assert len(server.control("GET", "state").json()["backups"]) == 1


def test_the_strategies_view_lists_an_openstack_projects_strategy(page: Watched) -> None:
    with ServeProcess("--clock", "manual", "--no-seed-demo", "--dialect", "openstack") as srv:
        made = requests.post(
            f"{srv.url}/v1.0/{PROJECT}/backup_strategies", headers=TOKEN, timeout=5,
            json={"backup_strategy": {"swift_container": "team-backups"}},
        )
        assert made.status_code == 202, made.text
        page.open(f"{srv.url}/_trovemock/ui/")
        page.view("strategies")
        text = page.page.text_content("#view-strategies")
        assert "team-backups" in text and "(project-wide)" in text
        assert page.page.text_content("[data-fact='dialect'] dd") == "openstack"


def test_the_journal_filters_by_route_status_and_unmatched(
    server: ServeProcess, page: Watched
) -> None:
    seed(server)
    assert create_backup(server).status_code == 202
    requests.get(f"{server.url}/v1.0/{PROJECT}/backups", headers=TOKEN, timeout=5)
    requests.get(f"{server.url}/v1.0/{PROJECT}/no-such-thing", headers=TOKEN, timeout=5)
    page.open(f"{server.url}/_trovemock/ui/")
    page.view("journal")
    rows = "#journal-table tbody tr[data-seq]"
    page.page.wait_for_selector(rows)
    assert page.page.locator(rows).count() == 3
    page.page.select_option("#filter-route", "backups.create")
    assert [r.text_content() for r in page.page.query_selector_all(f"{rows} td:nth-child(5)")] \
        == ["backups.create"]
    page.page.select_option("#filter-route", "(unmatched)")
    assert "/no-such-thing" in page.page.text_content(rows)
    assert page.page.locator(rows).count() == 1
    page.page.select_option("#filter-route", "")
    page.page.fill("#filter-status", "200")
    assert page.page.locator(rows).count() == 1
    page.page.fill("#filter-status", "")
    page.page.fill("#filter-project", "someone-else")
    assert page.page.locator(rows).count() == 0


def test_with_a_data_plane_the_cloud_view_shows_servers_and_checksums(page: Watched) -> None:
    """Each instance's database server (engine, address, state) and each backup's object
    (its MD5) beside the records, read from the state's `dataplane` section."""
    directory = tempfile.mkdtemp(prefix="trovemock-ui-")
    os.chmod(directory, 0o711)
    try:
        with ServeProcess("--clock", "manual", "--no-seed-demo", "--dataplane", "servers",
                          "--dataplane-dir", directory,
                          "--dataplane-net", "127.77.220.0/24") as srv:
            body = {"instance": {"name": "shop", "flavorRef": "1", "volume": {"size": 1},
                                 "datastore": {"type": "mysql", "version": "5.7"}}}
            made = requests.post(f"{srv.url}/v1.0/{PROJECT}/instances", json=body,
                                 headers=TOKEN, timeout=60)
            assert made.status_code == 200, made.text
            instance = made.json()["instance"]["id"]
            requests.post(f"{srv.url}/_trovemock/clock", json={"advance": 10},
                          timeout=120).raise_for_status()
            backup = requests.post(f"{srv.url}/v1.0/{PROJECT}/backups", headers=TOKEN,
                                   json={"backup": {"name": "real", "instance": instance}},
                                   timeout=120).json()["backup"]["id"]
            requests.post(f"{srv.url}/_trovemock/clock", json={"advance": 10},
                          timeout=120).raise_for_status()
            checksum = srv.control("GET", "dataplane").json()["objects"][backup]["checksum"]
            page.open(f"{srv.url}/_trovemock/ui/")
            heading = page.page.text_content(f"[data-instance='{instance}'] h3")
            assert "mariadb" in heading and "127.77.220." in heading and "(running)" in heading
            row = backup_row(page, backup, "COMPLETED")
            assert f"md5 {checksum}" in row.text_content()
            page.shot("dataplane")
    finally:
        shutil.rmtree(directory, ignore_errors=True)
