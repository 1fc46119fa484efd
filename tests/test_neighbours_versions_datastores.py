"""Version discovery (`GET /`, `GET /v1.0`) and the datastore routes, through HTTP in both
dialects (neighbour-apis.md §3-4; Trove's answers checked against real Trove 26.0.0)."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from trovemock import TroveMock
from trovemock.model.catalog import stable_id

TOKEN = {"X-Auth-Token": "tok"}
BASE = "/v1.0/p1"
MYSQL = stable_id("mysql")
MYSQL_57 = stable_id("version", "mysql", "5.7")
RACKSPACE_FLAGS = {
    "deprecated", "scheduled_backup_supported", "backup_supported", "replication_supported",
    "ha_supported", "users_supported", "databases_supported", "configurations_supported",
    "volumes_supported", "monitoring_supported", "at_rest_encryption_supported",
}


@pytest.fixture(params=["openstack", "rackspace"])
def client(request) -> Client:
    return Client(TroveMock(request.param))


def dialect_of(client: Client) -> str:
    return client.application.dialect


# -- version discovery -------------------------------------------------------------------
@pytest.mark.parametrize("dialect", ["openstack", "rackspace"])
def test_root_lists_v1_0_as_the_one_current_version_without_a_token(dialect: str) -> None:
    r = Client(TroveMock(dialect)).get("/", base_url="http://db.example:8779")
    assert r.status_code == 200 and r.content_type == "application/json"
    versions = r.json["versions"]
    current = [v for v in versions if v["status"] == "CURRENT"]
    updated = "2012-08-01T00:00:00Z" if dialect == "openstack" else "2012-01-01T00:00:00Z"
    assert current == [{
        "id": "v1.0", "status": "CURRENT", "updated": updated,
        "links": [{"rel": "self", "href": "http://db.example:8779/v1.0/"}],
    }]
    assert versions[0] == current[0]  # Trove's own entry comes first


def test_root_also_offers_identity_versions_for_keystone_discovery() -> None:
    versions = Client(TroveMock()).get("/", base_url="http://h:1").json["versions"]
    identity = {v["id"]: v for v in versions if v["id"] != "v1.0"}
    assert set(identity) == {"v3.14", "v2.0"}
    assert identity["v3.14"]["status"] == "stable"
    assert identity["v3.14"]["links"] == [{"rel": "self", "href": "http://h:1/v3/"}]


@pytest.mark.parametrize("path", ["/v1.0", "/v1.0/"])
def test_version_document_is_the_single_version(client: Client, path: str) -> None:
    r = client.get(path, base_url="http://h:1")
    assert r.status_code == 200
    assert r.json["version"]["id"] == "v1.0"
    assert r.json["version"]["links"] == [{"rel": "self", "href": "http://h:1/v1.0/"}]


def test_version_documents_refuse_other_methods_in_the_fault_format(client: Client) -> None:
    r = client.post("/", json={})
    assert r.status_code == 405 and r.json["badMethod"]["code"] == 405
    assert r.headers["Allow"] == "GET, HEAD"


def test_keystoneauth_discovers_identity_at_the_root_url() -> None:
    """What the openstack CLI does with an auth URL without /v3: keystoneauth's discovery
    reads our root document and picks v3."""
    from keystoneauth1 import discover, session

    from trovemock.server import BackgroundServer

    with BackgroundServer(TroveMock()) as server:
        found = discover.Discover(session.Session(), server.url + "/")
        v3 = found.url_for((3, 0))
        assert v3 == server.url + "/v3/"


# -- datastores --------------------------------------------------------------------------
def test_list_shows_each_type_with_its_versions_and_default(client: Client) -> None:
    r = client.get(f"{BASE}/datastores", headers=TOKEN)
    assert r.status_code == 200
    by_name = {d["name"]: d for d in r.json["datastores"]}
    assert {"mysql", "mariadb", "postgresql", "percona"} <= set(by_name)
    mysql = by_name["mysql"]
    assert mysql["id"] == MYSQL and mysql["default_version"] == MYSQL_57
    assert [v["name"] for v in mysql["versions"]] == ["5.7", "5.6", "8.0"]
    assert mysql["links"][0] == {
        "href": f"http://localhost{BASE}/datastores/{MYSQL}", "rel": "self"}
    assert all("datastore" not in v for v in mysql["versions"])


def test_openstack_versions_carry_the_version_number() -> None:
    r = Client(TroveMock()).get(f"{BASE}/datastores/mysql/versions/5.7", headers=TOKEN)
    v = r.json["version"]
    assert v == {
        "id": MYSQL_57, "name": "5.7", "version": "5.7", "datastore": MYSQL,
        "links": [
            {"href": f"http://localhost{BASE}/datastores/versions/{MYSQL_57}", "rel": "self"},
            {"href": f"http://localhost/datastores/versions/{MYSQL_57}", "rel": "bookmark"},
        ],
    }


def test_rackspace_versions_carry_flavors_and_flags_for_cdb_cli() -> None:
    client = Client(TroveMock("rackspace"))
    versions = client.get(f"{BASE}/datastores/mysql/versions", headers=TOKEN).json["versions"]
    by_name = {v["name"]: v for v in versions}
    assert RACKSPACE_FLAGS <= set(by_name["5.7"]) and "version" not in by_name["5.7"]
    assert by_name["5.7"]["datastore"] == MYSQL
    assert by_name["5.7"]["deprecated"] is False
    assert by_name["5.7"]["scheduled_backup_supported"] is True
    assert by_name["5.6"]["deprecated"] is True  # obsolete at Rackspace
    assert by_name["5.6"]["scheduled_backup_supported"] is False
    flavor = by_name["5.7"]["flavors"][0]
    assert flavor["id"] == 1 and flavor["name"] == "512MB Instance" and flavor["ram"] == 512
    assert flavor["links"][0]["href"].endswith(f"{BASE}/flavors/1")


@pytest.mark.parametrize("ref", [MYSQL, "mysql"])
def test_show_finds_a_type_by_id_or_name(client: Client, ref: str) -> None:
    r = client.get(f"{BASE}/datastores/{ref}", headers=TOKEN)
    assert r.status_code == 200 and r.json["datastore"]["id"] == MYSQL


@pytest.mark.parametrize("ref", [MYSQL_57, "5.7"])
def test_version_under_a_type_by_id_or_name(client: Client, ref: str) -> None:
    r = client.get(f"{BASE}/datastores/{MYSQL}/versions/{ref}", headers=TOKEN)
    assert r.status_code == 200 and r.json["version"]["id"] == MYSQL_57


def test_version_by_uuid_alone(client: Client) -> None:
    r = client.get(f"{BASE}/datastores/versions/{MYSQL_57}", headers=TOKEN)
    assert r.status_code == 200
    assert r.json["version"]["name"] == "5.7" and r.json["version"]["datastore"] == MYSQL


def test_errors_are_troves(client: Client) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    cases = [
        ("/datastores/nope", 404, "Datastore 'nope' cannot be found."),
        ("/datastores/nope/versions", 404, "Datastore 'nope' cannot be found."),
        ("/datastores/mysql/versions/9.9", 400, "Datastore version '9.9' cannot be found."),
        (f"/datastores/mysql/versions/{missing}", 404,
         f"Datastore version '{missing}' cannot be found."),
        (f"/datastores/versions/{missing}", 400,
         f"Datastore version '{missing}' cannot be found."),
        ("/datastores/versions/5.7", 400, "Datastore version '5.7' cannot be found."),
    ]
    for path, status, message in cases:
        r = client.get(BASE + path, headers=TOKEN)
        assert r.status_code == status, path
        (body,) = r.json.values()
        assert body == {"code": status, "message": message}


def test_datastores_need_a_token(client: Client) -> None:
    assert client.get(f"{BASE}/datastores").status_code == 401


def test_a_version_seeded_on_an_instance_is_listed() -> None:
    mock = TroveMock()
    mock.add_instance("p1", datastore=("mysql", "5.7.29"))
    names = [v["name"] for v in Client(mock).get(
        f"{BASE}/datastores/mysql/versions", headers=TOKEN).json["versions"]]
    assert "5.7.29" in names
