"""The fake identity service: keystone v3, keystone v2.0 / Rackspace and legacy v1.0 auth,
driven over HTTP through the mock's WSGI app."""

from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.test import Client

from trovemock import TroveMock
from trovemock.identity import keystone as identity

RACKSPACE_REGIONS = ["DFW", "IAD", "ORD", "HKG", "SYD", "LON"]


def v3_password(user="alice", password="secret", project="proj1"):
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": user, "password": password, "domain": {"name": "Default"}}
                },
            }
        }
    }
    if project is not None:
        body["auth"]["scope"] = {"project": {"name": project, "domain": {"name": "Default"}}}
    return body


def v2_password(user="alice", password="secret", tenant="proj1"):
    body = {"auth": {"passwordCredentials": {"username": user, "password": password}}}
    if tenant is not None:
        body["auth"]["tenantName"] = tenant
    return body


@pytest.fixture
def mock():
    return TroveMock(dialect="openstack")


@pytest.fixture
def client(mock):
    return Client(mock)


def can_list_backups(client, token, project):
    answer = client.get(f"/v1.0/{project}/backups", headers={"X-Auth-Token": token})
    return answer.status_code


# --- keystone v3 ------------------------------------------------------------------------------


def test_v3_version_document_points_at_itself(client):
    answer = client.get("/v3")
    assert answer.status_code == 200
    version = answer.get_json()["version"]
    assert version["id"].startswith("v3")
    assert version["status"] == "stable"
    assert version["links"] == [{"rel": "self", "href": "http://localhost/v3/"}]


def test_v3_password_login_issues_a_project_token_with_a_database_catalog(client, mock):
    answer = client.post("/v3/auth/tokens", json=v3_password())
    assert answer.status_code == 201
    token = answer.headers["X-Subject-Token"]
    body = answer.get_json()["token"]
    assert body["project"]["id"] == "proj1"
    assert body["user"]["name"] == "alice"
    expires = dt.datetime.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert expires == mock.clock.now() + dt.timedelta(hours=24)  # the emulator's clock
    [database] = [s for s in body["catalog"] if s["type"] == "database"]
    assert [(e["interface"], e["region"], e["url"]) for e in database["endpoints"]] == [
        ("public", "RegionOne", "http://localhost/v1.0/proj1")
    ]
    assert can_list_backups(client, token, "proj1") == 200


def test_v3_token_is_bound_to_its_project(client):
    token = client.post("/v3/auth/tokens", json=v3_password()).headers["X-Subject-Token"]
    assert can_list_backups(client, token, "someone-else") == 403


def test_v3_rackspace_catalog_has_a_public_endpoint_per_region():
    client = Client(TroveMock(dialect="rackspace"))
    body = client.post("/v3/auth/tokens", json=v3_password(project="acct9")).get_json()
    [database] = [s for s in body["token"]["catalog"] if s["type"] == "database"]
    urls = {e["region"]: e["url"] for e in database["endpoints"]}
    assert list(urls) == RACKSPACE_REGIONS  # the default region first
    assert urls["DFW"] == "http://localhost/v1.0/acct9"
    assert urls["SYD"] == "http://localhost/regions/SYD/v1.0/acct9"


def test_v3_token_method_rescopes_an_issued_token(client):
    first = client.post("/v3/auth/tokens", json=v3_password(project="proj1"))
    body = {
        "auth": {
            "identity": {"methods": ["token"], "token": {"id": first.headers["X-Subject-Token"]}},
            "scope": {"project": {"id": "proj2"}},
        }
    }
    answer = client.post("/v3/auth/tokens", json=body)
    assert answer.status_code == 201
    assert answer.get_json()["token"]["project"]["id"] == "proj2"
    assert answer.get_json()["token"]["user"]["name"] == "alice"
    assert can_list_backups(client, answer.headers["X-Subject-Token"], "proj2") == 200


def test_v3_token_method_refuses_a_token_it_did_not_issue(client):
    body = {"auth": {"identity": {"methods": ["token"], "token": {"id": "made-up"}}}}
    answer = client.post("/v3/auth/tokens", json=body)
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == 401


def test_v3_without_scope_uses_a_project_named_after_the_user(client):
    answer = client.post("/v3/auth/tokens", json=v3_password(user="bob", project=None))
    assert answer.get_json()["token"]["project"]["id"] == "bob"


def test_configured_user_with_wrong_password_gets_401_in_keystone_format(mock, client):
    identity.add_user(mock, "alice", "right")
    answer = client.post("/v3/auth/tokens", json=v3_password(password="wrong"))
    assert answer.status_code == 401
    error = answer.get_json()["error"]
    assert error["code"] == 401 and error["title"] == "Unauthorized" and error["message"]
    assert "X-Subject-Token" not in answer.headers


def test_configured_user_with_right_password_logs_in(mock, client):
    identity.add_user(mock, "alice", "right", roles=["admin"])
    answer = client.post("/v3/auth/tokens", json=v3_password(password="right"))
    assert answer.status_code == 201
    assert answer.get_json()["token"]["roles"] == [{"id": "admin", "name": "admin"}]


def test_once_users_are_configured_unknown_users_are_refused(mock, client):
    identity.add_user(mock, "alice", "right")
    answer = client.post("/v3/auth/tokens", json=v3_password(user="mallory", password="x"))
    assert answer.status_code == 401


def test_user_bound_to_a_project_cannot_scope_to_another(mock, client):
    identity.add_user(mock, "alice", "right", project_id="proj1")
    refused = client.post("/v3/auth/tokens", json=v3_password(password="right", project="p2"))
    assert refused.status_code == 401
    unscoped = client.post("/v3/auth/tokens", json=v3_password(password="right", project=None))
    assert unscoped.get_json()["token"]["project"]["id"] == "proj1"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "JSON"),
        ({"auth": {}}, "auth.identity"),
        ({"auth": {"identity": {"methods": []}}}, "auth.identity.methods"),
        ({"auth": {"identity": {"methods": ["password"]}}}, "auth.identity.password"),
        (
            {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "a"}}}}},
            "auth.identity.password.user.password",
        ),
        (
            {
                "auth": {
                    "identity": {
                        "methods": ["password"],
                        "password": {"user": {"name": "a", "password": "b"}},
                    },
                    "scope": {"domain": {"id": "default"}},
                }
            },
            "scope",
        ),
    ],
)
def test_v3_bad_requests_get_400_naming_the_field(client, body, field):
    if isinstance(body, bytes):
        answer = client.post(
            "/v3/auth/tokens", data=body, headers={"Content-Type": "application/json"}
        )
    else:
        answer = client.post("/v3/auth/tokens", json=body)
    assert answer.status_code == 400
    assert field in answer.get_json()["error"]["message"]


def test_unknown_identity_path_is_404_and_wrong_method_405(client):
    assert client.get("/v3/projects").status_code == 404
    wrong = client.get("/v3/auth/tokens")
    assert wrong.status_code == 405
    assert wrong.headers["Allow"] == "POST"


# --- keystone v2.0 / Rackspace ----------------------------------------------------------------


def test_v2_password_login_returns_access_with_rax_database_last():
    mock = TroveMock(dialect="rackspace")
    client = Client(mock)
    answer = client.post("/v2.0/tokens", json=v2_password(tenant="123456"))
    assert answer.status_code == 200
    access = answer.get_json()["access"]
    assert access["token"]["tenant"]["id"] == "123456"
    assert access["user"]["RAX-AUTH:defaultRegion"] == "DFW"
    catalog = access["serviceCatalog"]
    assert catalog[-1]["type"] == "rax:database"
    [database] = [s for s in catalog if s["type"] == "database"]
    for service in (database, catalog[-1]):
        endpoints = {e["region"]: e["publicURL"] for e in service["endpoints"]}
        assert list(endpoints) == RACKSPACE_REGIONS
        assert endpoints["IAD"] == "http://localhost/regions/IAD/v1.0/123456"
        assert {e["tenantId"] for e in service["endpoints"]} == {"123456"}
    assert can_list_backups(client, access["token"]["id"], "123456") == 200


def test_v2_api_key_login_checks_the_configured_key(mock, client):
    identity.add_user(mock, "alice", "pw", api_key="k3y", project_id="77")
    body = {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "alice", "apiKey": "k3y"}}}
    answer = client.post("/v2.0/tokens", json=body)
    assert answer.status_code == 200
    assert answer.get_json()["access"]["token"]["tenant"]["id"] == "77"
    assert answer.get_json()["access"]["token"]["RAX-AUTH:authenticatedBy"] == ["APIKEY"]
    body["auth"]["RAX-KSKEY:apiKeyCredentials"]["apiKey"] = "pw"
    refused = client.post("/v2.0/tokens", json=body)
    assert refused.status_code == 401
    assert refused.get_json() == {
        "unauthorized": {"code": 401, "message": refused.get_json()["unauthorized"]["message"]}
    }


def test_v2_token_method_reissues_for_an_issued_token(client):
    first = client.post("/v2.0/tokens", json=v2_password()).get_json()["access"]["token"]["id"]
    again = client.post(
        "/v2.0/tokens", json={"auth": {"token": {"id": first}, "tenantId": "proj9"}}
    )
    assert again.status_code == 200
    assert again.get_json()["access"]["token"]["tenant"]["id"] == "proj9"


def test_v2_bad_request_names_the_expected_credentials(client):
    answer = client.post("/v2.0/tokens", json={"auth": {"tenantName": "x"}})
    assert answer.status_code == 400
    assert "passwordCredentials" in answer.get_json()["badRequest"]["message"]


def test_v2_version_document(client):
    version = client.get("/v2.0/").get_json()["version"]
    assert version["id"] == "v2.0"
    assert version["links"][0]["href"] == "http://localhost/v2.0/"


# --- legacy v1.0 ------------------------------------------------------------------------------


def test_v1_auth_answers_204_with_token_and_management_url(client):
    answer = client.get(
        "/auth/v1.0", headers={"X-Auth-User": "u", "X-Auth-Key": "p", "X-Auth-Project-Id": "proj1"}
    )
    assert answer.status_code == 204
    assert answer.headers["X-Server-Management-Url"] == "http://localhost/v1.0/proj1"
    assert can_list_backups(client, answer.headers["X-Auth-Token"], "proj1") == 200


def test_v1_auth_without_credentials_is_401(client):
    answer = client.get("/auth/v1.0", headers={"X-Auth-User": "u"})
    assert answer.status_code == 401
    assert "X-Auth-Key" in answer.get_json()["unauthorized"]["message"]


def test_add_user_rejects_bad_values(mock):
    with pytest.raises(ValueError, match="password"):
        identity.add_user(mock, "alice", "")
    with pytest.raises(ValueError, match="roles"):
        identity.add_user(mock, "alice", "pw", roles="admin")
    assert mock.accounts.users == {}


def test_an_issued_token_expires_on_the_emulators_clock(client, mock):
    answer = client.post("/v3/auth/tokens", json=v3_password())
    token = answer.headers["X-Subject-Token"]
    assert can_list_backups(client, token, "proj1") == 200
    mock.clock.advance(23 * 3600)
    assert can_list_backups(client, token, "proj1") == 200
    mock.clock.advance(2 * 3600)  # 25 hours after the login: expired
    again = client.post("/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["token"], "token": {"id": token}}}})
    assert again.status_code == 401
