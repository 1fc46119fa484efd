"""The one token registry of an emulated cloud: the tokens a test registered and those the
identity service issued, with their project, roles and (issued ones) expiry on the emulator's
clock. The Trove API, identity, the control API and state export/import all read and write
it here, so they can never disagree about a token."""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Grant:
    """What a token lets its bearer do. `project_id` None: any project. Issued tokens name
    their identity `user` and expire at `expires_at`; `kept` ones survive reset and import."""

    project_id: str | None
    roles: frozenset[str]
    kept: bool = False
    user: str | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None

    @property
    def issued(self) -> bool:
        return self.user is not None

    def valid_at(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


# (token, project_id, roles): a token as the state export holds it.
TokenRecord = tuple[str, str | None, tuple[str, ...]]


class TokenRegistry:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._grants: dict[str, Grant] = {}
        self._issued: OrderedDict[str, None] = OrderedDict()  # identity tokens, oldest first
        # Identity tokens evicted to keep the limit, newest last: still known to be invalid
        # (as keystone knows an expired token), at most as many as the limit.
        self._retired: OrderedDict[str, None] = OrderedDict()

    def register(
        self, token: str, project_id: str | None, roles: Iterable[str] = (), *, kept: bool = False
    ) -> None:
        """A token tests (or `--admin-token`) hand out: no expiry."""
        if not isinstance(token, str) or not token:
            raise ValueError("token must be a non-empty string")
        with self._lock:
            self._put(token, Grant(project_id, frozenset(roles), kept=kept))

    def issue(
        self,
        user: str,
        project_id: str,
        roles: Iterable[str],
        *,
        now: datetime,
        lifetime: timedelta,
        limit: int,
    ) -> tuple[str, Grant]:
        """A new identity token. The oldest issued tokens beyond `limit`, and expired ones,
        are forgotten in the same step (a forgotten token is then an unknown one)."""
        token = secrets.token_hex(16)
        grant = Grant(
            project_id, frozenset(roles), user=user, issued_at=now, expires_at=now + lifetime
        )
        with self._lock:
            self._put(token, grant)
            self._evict(limit, now)
        return token, grant

    def lookup(self, token: str, now: datetime) -> Grant | None:
        """The token's grant, or None for an unknown or expired one."""
        with self._lock:
            grant = self._grants.get(token)
        return grant if grant is not None and grant.valid_at(now) else None

    def retired(self, token: str, now: datetime) -> bool:
        """Whether the identity service issued this token and it is no longer valid (expired,
        or evicted to keep the limit): keystone answers such a token 401, in every mode."""
        with self._lock:
            grant = self._grants.get(token)
            return token in self._retired or (grant is not None and not grant.valid_at(now))

    def reset(self) -> None:
        """Forget every token but the kept ones."""
        with self._lock:
            for token in [t for t, g in self._grants.items() if not g.kept]:
                self._drop(token)
            self._retired.clear()

    def records(self) -> list[TokenRecord]:
        """Every token, as the state export writes it."""
        with self._lock:
            return [(t, g.project_id, tuple(sorted(g.roles))) for t, g in self._grants.items()]

    def replace(self, records: Iterable[TokenRecord]) -> None:
        """The tokens of an imported state, plus the kept ones. A token this registry issued
        with the same project and roles stays an identity token (its user may log in with it
        again); every other token the state does not hold is forgotten."""
        with self._lock:
            old = self._grants
            self._grants, self._issued = {}, OrderedDict()
            for token, project_id, roles in records:
                grant = Grant(project_id, frozenset(roles))
                before = old.get(token)
                if before is not None and (before.project_id, before.roles) == (
                    grant.project_id,
                    grant.roles,
                ):
                    grant = before
                self._put(token, grant)
            for token, grant in old.items():
                if grant.kept and token not in self._grants:
                    self._put(token, grant)

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            return iter(list(self._grants))

    def __contains__(self, token: object) -> bool:
        return token in self._grants

    def __len__(self) -> int:
        return len(self._grants)

    # -- inside the lock ---------------------------------------------------------------
    def _put(self, token: str, grant: Grant) -> None:
        before = self._grants.get(token)
        if before is not None and before.kept and not grant.kept:
            grant = replace(grant, kept=True)  # once kept, a token stays kept
        if before is not None:
            self._drop(token)
        self._grants[token] = grant
        if grant.issued:
            self._issued[token] = None

    def _drop(self, token: str) -> None:
        del self._grants[token]
        self._issued.pop(token, None)

    def _evict(self, limit: int, now: datetime) -> None:
        """Issued tokens, oldest first, while there are more than `limit` or the oldest has
        expired: O(1) per token (registered tokens are never evicted)."""
        while self._issued:
            oldest = next(iter(self._issued))
            if len(self._issued) <= limit and self._grants[oldest].valid_at(now):
                break
            self._drop(oldest)
            self._retired[oldest] = None
        while len(self._retired) > limit:
            self._retired.popitem(last=False)
