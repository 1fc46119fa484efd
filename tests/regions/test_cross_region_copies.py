"""Rackspace regions and cross-region backup copies, through HTTP."""

from __future__ import annotations

import pytest
from helpers import fault_of
from werkzeug.test import Client

from trovemock import TroveMock

TOKEN = {"X-Auth-Token": "tok"}
P = "acct"


class Region:
    """A client for one region's endpoint (path prefix) of one project."""

    def __init__(self, mock: TroveMock, prefix: str = "") -> None:
        self.client = Client(mock)
        self.base = f"{prefix}/v1.0/{P}"

    def get(self, path: str):
        return self.client.get(self.base + path, headers=TOKEN)

    def post(self, path: str, body: object):
        return self.client.post(self.base + path, json=body, headers=TOKEN)

    def delete(self, path: str):
        return self.client.delete(self.base + path, headers=TOKEN)

    def ids(self) -> list[str]:
        resp = self.get("/backups")
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return [b["id"] for b in resp.json["backups"]]




@pytest.fixture
def mock() -> TroveMock:
    m = TroveMock("rackspace")
    m.config.backup_new_seconds = 1
    m.config.backup_building_seconds = 4
    m.config.copy_seconds = 10
    return m


def backup(region: Region, instance_id: str, **extra) -> dict:
    resp = region.post(
        "/backups", {"backup": {"name": "nightly", "instance": instance_id, **extra}}
    )
    assert resp.status_code == 202, resp.get_data(as_text=True)
    return resp.json["backup"]


# -- regions ------------------------------------------------------------------------------
def test_every_region_has_its_own_state(mock: TroveMock) -> None:
    assert mock.regions == ("DFW", "IAD", "ORD", "HKG", "SYD", "LON")
    for name in mock.regions:
        inst = mock.add_instance(P, region=name)
        region = Region(mock, f"/regions/{name}")
        made = backup(region, inst.id)
        assert region.ids() == [made["id"]]
    assert len(mock.backups(P)) == 6


def test_region_prefix_is_case_insensitive_and_unprefixed_is_the_default(mock: TroveMock) -> None:
    inst = mock.add_instance(P, region="IAD")
    made = backup(Region(mock, "/regions/iad"), inst.id)
    assert Region(mock, "/regions/IAD").ids() == [made["id"]]
    assert Region(mock).ids() == []  # DFW is the default region
    mock.config.default_region = "IAD"
    assert Region(mock).ids() == [made["id"]]


def test_an_unknown_region_is_404(mock: TroveMock) -> None:
    fault_of(Region(mock, "/regions/MARS").get("/backups"), 404, "itemNotFound")


def test_region_app_in_process(mock: TroveMock) -> None:
    inst = mock.add_instance(P, region="ORD")
    ord_app = Client(mock.region("ord"))
    resp = ord_app.post(
        f"/v1.0/{P}/backups", json={"backup": {"name": "n", "instance": inst.id}}, headers=TOKEN
    )
    assert resp.status_code == 202
    assert mock.backup(resp.json["backup"]["id"]).region == "ORD"
    # The DFW endpoint does not see the ORD instance: a backup lives in its instance's region.
    fault_of(
        Region(mock).post("/backups", {"backup": {"name": "n", "instance": inst.id}}),
        404,
        "itemNotFound",
    )


# -- copy_to --------------------------------------------------------------------------------
def test_copy_to_creates_completed_copies_in_each_destination(mock: TroveMock) -> None:
    dfw = Region(mock)
    inst = mock.add_instance(P, used_gb=0.5)
    source = backup(dfw, inst.id, description="My Backup", copy_to=["IAD", "ORD"])
    assert Region(mock, "/regions/IAD").ids() == []
    mock.clock.advance(5)  # the source completes: copies appear, BUILDING
    for name in ("IAD", "ORD"):
        listed = Region(mock, f"/regions/{name}").get("/backups").json["backups"]
        assert len(listed) == 1 and listed[0]["status"] == "BUILDING"
        assert listed[0]["id"] != source["id"]
    mock.clock.advance(10)
    src = dfw.get(f"/backups/{source['id']}").json["backup"]
    for name in ("IAD", "ORD"):
        (copy,) = Region(mock, f"/regions/{name}").get("/backups").json["backups"]
        assert copy["status"] == "COMPLETED"
        for field in ("name", "description", "datastore", "size"):
            assert copy[field] == src[field], field
        assert f".{name.lower()}1.clouddrive.com/" in copy["locationRef"]
        assert copy["locationRef"].endswith(f"z_CLOUDDB_BACKUPS/{copy['id']}.xbstream.gz")


@pytest.mark.parametrize(
    ("copy_to", "words"),
    [
        (["LON"], "LON"),
        (["IAD", "lon"], "LON"),
        (["MARS"], "MARS"),
        (["DFW"], "own region"),
        ("IAD", "copy_to"),
        ({"region": "IAD"}, "copy_to"),
        ([7], "copy_to"),
    ],
)
def test_copy_to_bad_regions_are_400(mock: TroveMock, copy_to: object, words: str) -> None:
    dfw = Region(mock)
    inst = mock.add_instance(P)
    resp = dfw.post("/backups", {"backup": {"name": "n", "instance": inst.id, "copy_to": copy_to}})
    message = fault_of(resp, 400, "badRequest")
    assert words in message
    assert dfw.ids() == []  # nothing stored


def test_copy_to_from_lon_is_400(mock: TroveMock) -> None:
    lon = Region(mock, "/regions/LON")
    inst = mock.add_instance(P, region="LON")
    resp = lon.post("/backups", {"backup": {"name": "n", "instance": inst.id, "copy_to": ["IAD"]}})
    assert "LON" in fault_of(resp, 400, "badRequest")


# -- copy-backup action ---------------------------------------------------------------------
def copy_action(region: Region, backup_id: str, target: str, **extra):
    body = {"copy-backup": {"target_backup_region": target, **extra}}
    return region.post(f"/backups/{backup_id}/action", body)


def test_copy_backup_action_is_202_with_an_empty_body(mock: TroveMock) -> None:
    dfw = Region(mock)
    inst = mock.add_instance(P)
    src = backup(dfw, inst.id)
    mock.clock.advance(5)
    resp = copy_action(dfw, src["id"], "IAD", name="dfw-to-iad", description="a backup copy")
    assert resp.status_code == 202 and resp.get_data() == b""
    iad = Region(mock, "/regions/IAD")
    (copy,) = iad.get("/backups").json["backups"]
    assert (copy["name"], copy["description"]) == ("dfw-to-iad", "a backup copy")
    mock.clock.advance(10)
    assert iad.get(f"/backups/{copy['id']}").json["backup"]["status"] == "COMPLETED"


def test_copy_backup_needs_a_completed_source(mock: TroveMock) -> None:
    dfw = Region(mock)
    inst = mock.add_instance(P)
    src = backup(dfw, inst.id)
    fault_of(copy_action(dfw, src["id"], "IAD"), 422, "unprocessableEntity")
    mock.clock.advance(5)
    assert copy_action(dfw, src["id"], "IAD").status_code == 202


@pytest.mark.parametrize("target", ["LON", "lon", "MARS", "DFW"])
def test_copy_backup_bad_target_is_400(mock: TroveMock, target: str) -> None:
    dfw = Region(mock)
    src = backup(dfw, mock.add_instance(P).id)
    mock.clock.advance(5)
    fault_of(copy_action(dfw, src["id"], target), 400, "badRequest")


def test_copy_backup_from_lon_is_400(mock: TroveMock) -> None:
    lon = Region(mock, "/regions/LON")
    src = backup(lon, mock.add_instance(P, region="LON").id)
    mock.clock.advance(5)
    assert "LON" in fault_of(copy_action(lon, src["id"], "IAD"), 400, "badRequest")


def test_copy_backup_of_an_unknown_backup_is_404(mock: TroveMock) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    fault_of(copy_action(Region(mock), missing, "IAD"), 404, "itemNotFound")


# -- incremental copies ---------------------------------------------------------------------
def chain(mock: TroveMock, dfw: Region) -> tuple[dict, dict]:
    inst = mock.add_instance(P)
    parent = backup(dfw, inst.id)
    mock.clock.advance(5)
    child = backup(dfw, inst.id, parent_id=parent["id"])
    mock.clock.advance(5)
    return parent, child


def test_incremental_copy_without_the_parent_in_the_destination_is_400(mock: TroveMock) -> None:
    dfw = Region(mock)
    parent, child = chain(mock, dfw)
    assert "parent" in fault_of(copy_action(dfw, child["id"], "IAD"), 400, "badRequest")
    inst2 = mock.backup(child["id"]).instance_id
    resp = dfw.post(
        "/backups",
        {"backup": {"name": "n", "instance": inst2, "parent_id": child["id"], "copy_to": ["IAD"]}},
    )
    fault_of(resp, 400, "badRequest")
    assert Region(mock, "/regions/IAD").ids() == []


def test_copy_parent_first_then_the_incremental(mock: TroveMock) -> None:
    dfw, iad = Region(mock), Region(mock, "/regions/IAD")
    parent, child = chain(mock, dfw)
    assert copy_action(dfw, parent["id"], "IAD").status_code == 202
    (parent_copy,) = iad.get("/backups").json["backups"]
    assert copy_action(dfw, child["id"], "IAD").status_code == 202
    child_copy = next(
        b for b in iad.get("/backups").json["backups"] if b["id"] != parent_copy["id"]
    )
    assert child_copy["parent_id"] == parent_copy["id"]
    assert child_copy["type"] == "InnoBackupExIncremental"


def test_copy_to_an_incremental_whose_parent_was_copied(mock: TroveMock) -> None:
    dfw, ord_ = Region(mock), Region(mock, "/regions/ORD")
    inst = mock.add_instance(P)
    parent = backup(dfw, inst.id, copy_to=["ORD"])
    mock.clock.advance(5)
    child = backup(dfw, inst.id, parent_id=parent["id"], copy_to=["ORD"])
    mock.clock.advance(5 + 10)
    listed = ord_.get("/backups").json["backups"]
    assert len(listed) == 2 and all(b["status"] == "COMPLETED" for b in listed)
    parent_copy = next(b for b in listed if b["parent_id"] is None)
    child_copy = next(b for b in listed if b["parent_id"])
    assert child_copy["parent_id"] == parent_copy["id"]
    assert child_copy["id"] != child["id"]


# -- independence -----------------------------------------------------------------------------
def test_deleting_the_source_keeps_the_copy(mock: TroveMock) -> None:
    dfw, iad = Region(mock), Region(mock, "/regions/IAD")
    src = backup(dfw, mock.add_instance(P).id, copy_to=["IAD"])
    mock.clock.advance(15)
    (copy_id,) = iad.ids()
    assert dfw.delete(f"/backups/{src['id']}").status_code == 202
    assert iad.get(f"/backups/{copy_id}").json["backup"]["status"] == "COMPLETED"


def test_cascade_delete_of_a_copied_parent_stays_in_its_region(mock: TroveMock) -> None:
    dfw, iad = Region(mock), Region(mock, "/regions/IAD")
    parent, child = chain(mock, dfw)
    copy_action(dfw, parent["id"], "IAD")
    mock.clock.advance(10)
    copy_action(dfw, child["id"], "IAD")
    mock.clock.advance(10)
    assert len(iad.ids()) == 2
    parent_copy = next(b for b in iad.get("/backups").json["backups"] if b["parent_id"] is None)
    assert iad.delete(f"/backups/{parent_copy['id']}").status_code == 202
    assert iad.ids() == []  # the child's copy went with its parent's copy ...
    assert sorted(dfw.ids()) == sorted([parent["id"], child["id"]])  # ... DFW untouched


# -- the openstack dialect ----------------------------------------------------------------------
def test_openstack_answers_copies_with_501() -> None:
    mock = TroveMock("openstack")
    api = Region(mock)
    inst = mock.add_instance(P)
    resp = api.post("/backups", {"backup": {"name": "n", "instance": inst.id, "copy_to": ["IAD"]}})
    fault_of(resp, 501, "notImplemented")
    made = backup(api, inst.id)
    mock.clock.advance(10)
    fault_of(copy_action(api, made["id"], "IAD"), 501, "notImplemented")


def test_disaster_recovery_restore_from_the_copy_in_another_region(mock: TroveMock) -> None:
    dfw, iad = Region(mock), Region(mock, "/regions/IAD")
    inst = mock.add_instance(P, databases=["shop"], users=["app"])
    backup(dfw, inst.id, copy_to=["IAD"])
    mock.clock.advance(15)
    (copy_id,) = iad.ids()
    resp = iad.post(
        "/instances",
        {
            "instance": {
                "name": "recovered",
                "flavorRef": "1",
                "volume": {"size": 2},
                "restorePoint": {"backupRef": copy_id},
            }
        },
    )
    assert resp.status_code == 200 and resp.json["instance"]["status"] == "BUILD"
    restored = mock.instance(resp.json["instance"]["id"])
    assert restored.region == "IAD"
    assert restored.databases == ["shop"] and list(restored.users) == ["app"]
