"""What a handler receives, and the small parsing helpers handlers share."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from trovemock.api.faults import ApiError
from trovemock.model.backups import Caller
from trovemock.model.cloud import Cloud
from trovemock.model.errors import NotImplementedForDialect

MAX_OFFSET = sys.maxsize // 4
TRUE_STRINGS = frozenset({"1", "true", "yes", "on", "y", "t"})


@dataclass
class Ctx:
    cloud: Cloud
    caller: Caller
    args: dict[str, str]  # URL variables
    query: MultiDict
    body: Any  # parsed JSON, valid against the route's request schema ({} when none)
    base_url: str  # scheme://host[/regions/R] as the client addressed us
    path: str  # the request path without any region prefix
    outcome: str | None = None  # a domain outcome asked for by a fault rule

    @property
    def dialect(self) -> str:
        return self.cloud.dialect

    def only_in(self, dialect: str, feature: str) -> None:
        if self.dialect != dialect:
            raise NotImplementedForDialect(
                f"{feature} is not implemented by the {self.dialect} API "
                f"(it is a {dialect} feature)."
            )

    def query_int(self, name: str, default: int) -> int:
        raw = self.query.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ApiError(400, f"{name} must be an integer, not {raw[:100]!r}.") from None
        if value < 0 or (name == "limit" and value < 1):
            raise ApiError(400, f"{name} must be {'>= 1' if name == 'limit' else '>= 0'}.")
        # Trove has no upper bound: a huge marker is an empty page, a huge limit is everything.
        return min(value, MAX_OFFSET)

    def query_bool(self, name: str) -> bool:
        """oslo's bool_from_string: 1/true/yes/on/y/t (any case) is true."""
        return str(self.query.get(name, "")).strip().lower() in TRUE_STRINGS


def page(ctx: Ctx, items: Iterable[Any], render, key: str) -> dict[str, Any]:
    """Offset pagination as Trove does it (`marker` is an offset), with a `links` next entry
    only when another item exists. Only the requested page is read from `items`."""
    limit = ctx.query_int("limit", ctx.cloud.config.page_size)
    marker = ctx.query_int("marker", 0)
    if isinstance(items, list):
        window = items[marker : marker + limit + 1]
    else:
        window = list(islice(iter(items), marker, marker + limit + 1))
    body: dict[str, Any] = {key: [render(item) for item in window[:limit]]}
    if len(window) > limit:
        query = [(k, v) for k, v in ctx.query.items(multi=True) if k != "marker"]
        query.append(("marker", str(marker + limit)))
        body["links"] = [{"rel": "next", "href": f"{ctx.base_url}{ctx.path}?{urlencode(query)}"}]
    return body
