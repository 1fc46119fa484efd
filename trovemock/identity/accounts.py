"""The identity service's users: who may log in, with which password or API key, to which
project, with which roles. Tokens live in the cloud's token registry (`trovemock.tokens`)."""

from __future__ import annotations

import datetime as _dt
import secrets
import threading
from dataclasses import dataclass

from trovemock.checks import Fields

TOKEN_LIFETIME = _dt.timedelta(hours=24)
DEFAULT_ROLES: tuple[str, ...] = ("member",)


@dataclass(frozen=True)
class IdentityUser:
    """A configured user. `api_key` None means the password also works as the API key;
    `project_id` None means the user may scope tokens to any project."""

    name: str
    password: str
    api_key: str | None = None
    project_id: str | None = None
    roles: tuple[str, ...] = DEFAULT_ROLES


class Accounts:
    """The users of one emulated cloud. With none configured (the default) any user name and
    password log in; once one is, only configured users do."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.users: dict[str, IdentityUser] = {}
        self.token_lifetime = TOKEN_LIFETIME

    def add_user(
        self,
        name: str,
        password: str,
        *,
        api_key: str | None = None,
        project_id: str | None = None,
        roles: tuple[str, ...] | list[str] = DEFAULT_ROLES,
    ) -> IdentityUser:
        fields = Fields(
            {"name": name, "password": password, "api_key": api_key, "project_id": project_id,
             "roles": roles},
            "user",
            error=ValueError,
        )
        user = IdentityUser(
            fields.text("name"),
            fields.text("password"),
            fields.text("api_key", required=False),
            fields.text("project_id", required=False),
            tuple(fields.names("roles")),
        )
        with self._lock:
            self.users[name] = user
        return user

    def check(self, user_name: str, secret: str, *, api_key: bool) -> IdentityUser | None:
        """The user a name and password (or API key) log in as, or None when they do not
        match."""
        with self._lock:
            configured = dict(self.users)
        if not configured:
            return IdentityUser(user_name, secret)
        user = configured.get(user_name)
        expected = None
        if user is not None:
            expected = user.api_key if api_key and user.api_key is not None else user.password
        if user is None or expected is None or not secrets.compare_digest(
            expected.encode(), secret.encode()
        ):
            return None
        return user

    def user(self, name: str) -> IdentityUser | None:
        with self._lock:
            return self.users.get(name)
