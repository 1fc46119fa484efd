"""What a handler receives, and the small parsing helpers handlers share."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any
from urllib.parse import parse_qsl, urlencode

from werkzeug.datastructures import MultiDict

from trovemock.api.errors import HttpError
from trovemock.api.views import as_https
from trovemock.fidelity import upstream
from trovemock.model.access import Caller
from trovemock.model.cloud import Cloud
from trovemock.model.errors import NotImplementedForDialect, UpstreamBug

MAX_OFFSET = sys.maxsize // 4
TRUE_STRINGS = frozenset({"1", "true", "yes", "on", "y", "t"})


# What a handler answers: (status, JSON body or None).
Reply = tuple[int, Any]


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
    raw_query: str = ""  # the query string as sent (next links keep its order)

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
            if not raw.isascii() and not upstream(self.cloud.config, "paging_values"):
                raise ValueError(raw)  # int() reads any script's digits: '٥' is not a number here
            value = int(raw)
        except ValueError:
            if upstream(self.cloud.config, "paging_values"):
                raise UpstreamBug(f"int({name}): invalid literal") from None
            raise HttpError(400, f"{name} must be an integer, not {raw[:100]!r}.") from None
        if upstream(self.cloud.config, "paging_values"):
            return max(min(value, MAX_OFFSET), -MAX_OFFSET)
        if value < 0 or (name == "limit" and value < 1):
            raise HttpError(400, f"{name} must be {'>= 1' if name == 'limit' else '>= 0'}.")
        # Trove has no upper bound: a huge marker is an empty page, a huge limit is everything.
        return min(value, MAX_OFFSET)

    def query_bool(self, name: str) -> bool:
        """oslo's bool_from_string: 1/true/yes/on/y/t (any case) is true."""
        return str(self.query.get(name, "")).strip().lower() in TRUE_STRINGS


def page(ctx: Ctx, items: Iterable[Any], render, key: str) -> dict[str, Any]:
    """Offset pagination as Trove does it (`marker` is an offset), with a `links` next entry
    only when another item exists (upstream fidelity: whenever the page is full, and a
    negative limit lists everything). Only the requested page is read from `items`."""
    limit = ctx.query_int("limit", ctx.cloud.config.page_size)
    marker = ctx.query_int("marker", 0)
    start = max(marker, 0)
    stop = None if limit < 0 else start + limit + 1  # sqlite's LIMIT -1: no limit
    if isinstance(items, list):
        window = items[start:stop]
    else:
        window = list(islice(iter(items), start, stop))
    shown = window if limit < 0 else window[:limit]
    body: dict[str, Any] = {key: [render(item) for item in shown]}
    if upstream(ctx.cloud.config, "full_page_link"):
        more = limit < 0 or len(shown) == limit
    else:
        more = len(window) > limit
    if more:
        body["links"] = [{"rel": "next", "href": next_href(ctx, marker + limit)}]
    return body


def link_base(ctx: Ctx) -> str:
    """The scheme and host of `links`: the client's, or https in upstream fidelity."""
    if upstream(ctx.cloud.config, "https_links"):
        return as_https(ctx.base_url)
    return ctx.base_url


def next_href(ctx: Ctx, marker: int) -> str:
    """The request's URL with `marker` replaced in place or appended, as Trove's
    AppUrl.change_query_params builds it (blank parameters dropped, a repeated one once)."""
    params = dict(parse_qsl(ctx.raw_query))  # the last of a repeated name, at its first place
    params["marker"] = str(marker)
    return f"{link_base(ctx)}{ctx.path}?{urlencode(params)}"
