"""The one routing mechanism of every face (the Trove API, the control API, identity): a
werkzeug URL map whose misses become `HttpError`s, rendered by the face that asked."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request

from trovemock.api.errors import HttpError


class MatchOnlyRule(Rule):
    """The faces only match URLs, never build them: skipping werkzeug's URL builders (code
    it generates and compiles for every rule) saves about 10 ms of every process start."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        def no_building(*args: object, **kwargs: object) -> tuple[str, str]:
            raise NotImplementedError("trovemock's URL maps match URLs; they build none")

        return no_building


def url_map(rules: Iterable[tuple[str, Iterable[str], Any]], *, strict_slashes: bool = True) -> Map:
    """A map of (path rule, methods, endpoint). With `strict_slashes` a trailing slash is a
    different URL; werkzeug never redirects."""
    return Map(
        [MatchOnlyRule(rule, methods=list(methods), endpoint=endpoint)
         for rule, methods, endpoint in rules],
        strict_slashes=strict_slashes,
        redirect_defaults=False,
        merge_slashes=False,
    )


def allowed_methods(error: MethodNotAllowed) -> str:
    return ", ".join(sorted(m for m in error.valid_methods or () if m != "HEAD"))


def match(routes: Map, request: Request, *, not_found: str | None = None) -> tuple[Any, dict]:
    """(endpoint, URL variables) of a request; 404 (with `not_found` as the message) or 405
    naming the allowed methods."""
    adapter = routes.bind("trovemock")
    try:
        endpoint, args = adapter.match(request.path, request.method)
        return endpoint, dict(args)
    except MethodNotAllowed as error:
        allowed = allowed_methods(error)
        raise HttpError(
            405,
            f"{request.method} is not allowed on {request.path}; use {allowed}.",
            {"Allow": allowed},
        ) from None
    except NotFound:
        raise HttpError(404, not_found) from None
