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


@pytest.mark.allow_schema_violations
def test_upstream_fidelity_discovers_as_trove_does() -> None:
    """Trove: `/` lists only v1.0 and answers any method; `/v1.0` is behind keystone and
    the tenant check (deviations identity_in_discovery, open_version_document)."""
    mock = TroveMock(fidelity="upstream")
    mock.add_token("tok", "p1")
    api = Client(mock)
    assert [v["id"] for v in api.get("/").json["versions"]] == ["v1.0"]
    assert api.delete("/").json["versions"][0]["id"] == "v1.0"
    assert api.post("/", json={"a": 1}).status_code == 500
    no_token = api.get("/v1.0")
    assert no_token.status_code == 401 and "WWW-Authenticate" in no_token.headers
    forbidden = api.get("/v1.0/", headers={**TOKEN, "Accept": "application/json"})
    assert forbidden.status_code == 403
    assert "User with tenant id p1 cannot access this resource." in forbidden.json["message"]


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
    # as Trove's list query returns them: in the order they were registered
    assert [v["name"] for v in mysql["versions"]] == ["5.7", "5.6", "8.0"]
    assert mysql["links"][0] == {
        "href": f"http://localhost{BASE}/datastores/{MYSQL}", "rel": "self"}
    assert all("datastore" not in v for v in mysql["versions"])


def test_a_types_own_versions_come_by_name(client: Client) -> None:
    """Trove reads one type's versions through its (datastore, name) index."""
    shown = client.get(f"{BASE}/datastores/mysql", headers=TOKEN).json["datastore"]
    assert [v["name"] for v in shown["versions"]] == ["5.6", "5.7", "8.0"]
    listed = client.get(f"{BASE}/datastores/mysql/versions", headers=TOKEN).json["versions"]
    assert [v["name"] for v in listed] == ["5.6", "5.7", "8.0"]
    assert shown["default_version"] == MYSQL_57  # the default is not the first by name


def test_admins_see_how_a_version_is_registered() -> None:
    mock = TroveMock()
    mock.add_token("adm", "p1", roles=["admin"])
    api = Client(mock)
    v = api.get(f"{BASE}/datastores/mysql/versions/5.7",
                headers={"X-Auth-Token": "adm"}).json["version"]
    assert v["active"] is True and v["packages"] == "" and v["image_tags"] == []
    assert v["image"] == stable_id("image", "mysql", "5.7")
    assert v["registry_ext"] == "trove.guestagent.datastore.mysql.manager.Manager"
    assert v["repl_strategy"].endswith("mysql_gtid.MysqlGTIDReplication")
    listed = api.get(f"{BASE}/datastores", headers={"X-Auth-Token": "adm"}).json
    assert all("image" in ver for d in listed["datastores"] for ver in d["versions"])
    member = api.get(f"{BASE}/datastores/mysql/versions/5.7", headers=TOKEN).json["version"]
    assert not {"active", "image", "registry_ext"} & set(member)


@pytest.mark.allow_schema_violations
def test_upstream_fidelity_answers_any_method_on_version_paths() -> None:
    mock = TroveMock(fidelity="upstream")
    mock.add_token("tok", "p1")
    api = Client(mock)
    r = api.delete(f"{BASE}/datastores/mysql/versions", headers=TOKEN)
    assert r.status_code == 200 and r.json["versions"]
    assert api.post(f"{BASE}/datastores/mysql/versions", headers=TOKEN,
                    json={"a": 1}).status_code == 500
    assert api.put(f"{BASE}/datastores/mysql", headers=TOKEN, json={}).status_code == 404


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
        (f"/datastores/mysql/versions/{missing}", 404, "DBDatastoreVersion Not Found"),
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


def test_an_unknown_version_of_a_known_datastore_is_refused_on_create_and_never_listed(
    client: Client,
) -> None:
    before = client.get(f"{BASE}/datastores/mysql/versions", headers=TOKEN).json
    r = client.post(f"{BASE}/instances", headers=TOKEN, json={"instance": {
        "name": "x", "flavorRef": "1", "volume": {"size": 1},
        "datastore": {"type": "mysql", "version": "99.9"}}})
    assert r.status_code == 400
    (body,) = r.json.values()
    assert body == {"code": 400, "message": "Datastore version '99.9' cannot be found."}
    assert client.get(f"{BASE}/datastores/mysql/versions", headers=TOKEN).json == before
    assert client.get(f"{BASE}/instances", headers=TOKEN).json["instances"] == []
    known = client.post(f"{BASE}/instances", headers=TOKEN, json={"instance": {
        "name": "y", "flavorRef": "1", "volume": {"size": 1},
        "datastore": {"type": "mysql", "version": "5.6"}}})
    assert known.status_code == 200
    assert known.json["instance"]["datastore"]["version"] == "5.6"


def test_an_operator_registers_a_version_that_clients_then_list_and_use() -> None:
    mock = TroveMock()
    client = Client(mock)
    created = client.post("/_trovemock/datastores", json={"type": "mysql", "version": "5.7.29"})
    assert created.status_code == 201
    assert created.json["datastore"]["version"] == "5.7.29"
    mock.add_datastore_version("mysql", "5.7.29")  # again: nothing changes
    names = [v["name"] for v in client.get(f"{BASE}/datastores/mysql/versions",
                                            headers=TOKEN).json["versions"]]
    assert names.count("5.7.29") == 1
    r = client.post(f"{BASE}/instances", headers=TOKEN, json={"instance": {
        "name": "x", "flavorRef": "1", "volume": {"size": 1},
        "datastore": {"type": "mysql", "version": "5.7.29"}}})
    assert r.status_code == 200 and r.json["instance"]["datastore"]["version"] == "5.7.29"
    bad = client.post("/_trovemock/datastores", json={"type": "mysql"})
    assert bad.status_code == 400 and "version" in bad.json["badRequest"]["message"]


def test_serve_registers_datastore_versions_from_its_options() -> None:
    from trovemock.cli import build_mock, build_parser

    options = build_parser().parse_args(
        ["serve", "--no-seed-demo", "--datastore", "mysql:5.7.29", "--datastore", "mariadb:10.11"]
    )
    mock = build_mock(options)
    assert {("mysql", "5.7.29"), ("mariadb", "10.11")} <= {
        (d.type, d.version) for d in mock.cloud.datastores.versions_of("mysql")
        + mock.cloud.datastores.versions_of("mariadb")
    }
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--datastore", "mysql"])
