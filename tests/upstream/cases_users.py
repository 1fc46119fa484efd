"""Differential cases of an instance's databases and users (imported by `cases`): create,
list, delete, a user's show, update (rename, password), passwords, and the databases it may
use (list, grant, revoke). The harness's guest agent keeps them as the MySQL guest agent finds
them on its server.

Same world as `cases`: t1 = p1 member, t2 = p2 member, ta = p1 admin; I1 (p1), I2 (p2)."""

from __future__ import annotations

from typing import Any

from tests.upstream.cases import case, get
from tests.upstream.sides import I1, Request

BASE = f"/instances/{I1}"


def databases(*names: str) -> Request:
    return Request("POST", f"{BASE}/databases", {"databases": [{"name": n} for n in names]})


def user(name: str = "app", *grants: str, **fields: Any) -> Request:
    body = {"name": name, "password": "Secret-1",
            "databases": [{"name": g} for g in grants], **fields}
    return Request("POST", f"{BASE}/users", {"users": [body]})


DBS, USERS = get(f"{BASE}/databases"), get(f"{BASE}/users")

case("users.empty", DBS, USERS, group="users")
case("databases.create", databases("shop", "stats"), DBS, group="users")
case("databases.create.twice", databases("shop"), databases("shop"), DBS, group="users")
case("databases.delete", databases("shop", "stats"),
     Request("DELETE", f"{BASE}/databases/stats"), DBS, group="users")
case("databases.delete.unknown", Request("DELETE", f"{BASE}/databases/none"), DBS,
     group="users")
case("users.create", databases("shop"), user("app", "shop"), USERS,
     get(f"{BASE}/users/app"), group="users")
case("users.create.twice", user("app"), user("app"), USERS, group="users")
case("users.show.with_host", user("app"), get(f"{BASE}/users/app@%25"),
     get(f"{BASE}/users/app@10.0.0.1"), group="users")
case("users.show.unknown", get(f"{BASE}/users/nobody"), group="users")
case("users.delete", user("app"), Request("DELETE", f"{BASE}/users/app"), USERS,
     group="users")
case("users.delete.unknown", Request("DELETE", f"{BASE}/users/nobody"), group="users")
case("users.access", databases("shop", "stats"), user("app", "shop"),
     get(f"{BASE}/users/app/databases"), group="users")
case("users.grant", databases("shop", "stats"), user("app", "shop"),
     Request("PUT", f"{BASE}/users/app/databases", {"databases": [{"name": "stats"}]}),
     get(f"{BASE}/users/app/databases"), USERS, group="users")
case("users.grant.missing_database", user("app"),
     Request("PUT", f"{BASE}/users/app/databases", {"databases": [{"name": "none"}]}),
     get(f"{BASE}/users/app/databases"), group="users")
case("users.grant.unknown_user",
     Request("PUT", f"{BASE}/users/nobody/databases", {"databases": [{"name": "shop"}]}),
     group="users")
case("users.revoke", databases("shop"), user("app", "shop"),
     Request("DELETE", f"{BASE}/users/app/databases/shop"),
     get(f"{BASE}/users/app/databases"), group="users")
case("users.revoke.not_granted", databases("shop"), user("app"),
     Request("DELETE", f"{BASE}/users/app/databases/shop"), group="users")
case("users.update.rename", user("app"),
     Request("PUT", f"{BASE}/users/app", {"user": {"name": "reporting"}}), USERS,
     group="users")
case("users.update.rename_taken", user("app"), user("other"),
     Request("PUT", f"{BASE}/users/app", {"user": {"name": "other"}}), USERS, group="users")
case("users.update.password", user("app"),
     Request("PUT", f"{BASE}/users/app", {"user": {"password": "New-Secret-2"}}), USERS,
     group="users")
case("users.update.unknown", Request("PUT", f"{BASE}/users/nobody", {"user": {"name": "x"}}),
     group="users")
case("users.passwords", user("app"),
     Request("PUT", f"{BASE}/users", {"users": [{"name": "app", "password": "New-2"}]}),
     group="users")
case("users.passwords.unknown",
     Request("PUT", f"{BASE}/users", {"users": [{"name": "nobody", "password": "New-2"}]}),
     group="users")
case("users.create.missing_database", user("app", "none"), USERS, group="users")
