"""The WSGI pipeline: route, apply fault rules, authenticate, parse, call a handler, render,
record. Rules live in the model; this module only translates between HTTP and it."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from trovemock import exchange
from trovemock.api import discovery
from trovemock.api.auth import authenticate
from trovemock.api.bodies import BodyError, read_body, short_reason
from trovemock.api.context import Ctx
from trovemock.api.errors import (
    DEFAULT_MESSAGES,
    HttpError,
    domain_fault,
    fault_response,
    gateway_page,
    internal_fault,
    malformed_json,
    unsupported_media_type,
)
from trovemock.api.host import ApiHost
from trovemock.api.routes import UPSTREAM_URL_MAP, URL_MAP
from trovemock.api.spec import ROUTES_BY_NAME
from trovemock.exchange import (
    CLIENT_TIMEOUT,
    ClientGaveUp,
    ConnectionDropped,
    FaultAction,
    JournalEntry,
    RequestInfo,
)
from trovemock.fidelity import upstream
from trovemock.journal import BODY_SHOWN_BYTES, shortened
from trovemock.model.errors import (
    DomainError,
    NotImplementedForDialect,
    TroveForbidden,
    UpstreamBug,
)
from trovemock.schema import validation_errors, validation_message

log = logging.getLogger("trovemock")

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def wsgi(mock: ApiHost, environ: dict, start_response, region: str | None = None):
    """The Trove API (and its version discovery) as a WSGI app; `region` is the region that
    unprefixed URLs address (`RegionApp`)."""
    request = Request(environ)
    if discovery.serves(request.path):
        response = guarded(discovery.handle, mock, request)
    else:
        response = _trove_response(mock, request, region)
    return response(environ, start_response)


def guarded(handler: Callable[[Any, Request], Response], host: Any, request: Request) -> Response:
    """A face's answer, never a traceback on the wire: an unexpected error is logged and
    answered with the service's 500."""
    try:
        return handler(host, request)
    except (ConnectionDropped, ClientGaveUp):
        raise
    except Exception:  # noqa: BLE001 - never a traceback on the wire
        log.exception("unexpected error answering %s %s", request.method, request.path)
        errors = getattr(host, "internal_errors", None)
        if errors is not None:
            errors.record(request.method, request.path)
        return internal_fault()


def _split_region(mock: ApiHost, path: str, region: str | None) -> tuple[str, str, str]:
    """(region, path without the /regions/<R> prefix, that prefix)."""
    if path.startswith("/regions/"):
        _, _, name, *rest = path.split("/", 3)
        canonical = mock.cloud.region_named(name)
        return canonical, "/" + (rest[0] if rest else ""), f"/regions/{name}"
    return mock.cloud.region_named(region), path, ""


@dataclass
class _Exchange:
    """What is learnt about a request while handling it, for the journal."""

    path: str
    route: str | None = None
    project_id: str | None = None
    region: str | None = None
    action: FaultAction | None = None
    request_json: Any = None
    request_text: str | None = None
    query: dict[str, str] | None = None
    body_bytes: int = 0
    body_head: bytes = b""  # the start of a body too big to journal whole
    gave_up: bool = False  # the client's timeout ran out during a fault rule's latency


def _trove_response(mock: ApiHost, request: Request, region: str | None) -> Response:
    started = time.perf_counter()
    seen = _Exchange(path=request.path)
    when = None
    try:
        when = mock.clock.now()
        response, reply_json = _handle(mock, request, region, seen)
    except ConnectionDropped:
        if mock.journal.enabled:
            _record(mock, _entry(request, seen, when, started, None, None,
                                 exchange.DELIVERY_DROPPED))
        raise
    except ClientGaveUp:
        raise
    except TroveForbidden as error:
        if upstream(mock.config, "forbidden_as_401"):  # keystonemiddleware adds its header
            header = {"WWW-Authenticate": f'Keystone uri="{request.host_url}v3"'}
            response, reply_json = _fault_and_body(fault_response(401, str(error), header))
        else:
            response, reply_json = _fault_and_body(domain_fault(error))
    except DomainError as error:
        response, reply_json = _fault_and_body(domain_fault(error))
    except HttpError as error:
        response, reply_json = _fault_and_body(error.render())
    except Exception:  # noqa: BLE001 - never a traceback on the wire
        log.exception("unexpected error handling %s %s", request.method, request.path)
        mock.internal_errors.record(request.method, request.path)
        response, reply_json = _fault_and_body(internal_fault())
    if seen.gave_up:
        _record(mock, _entry(request, seen, when, started, response, reply_json,
                             exchange.DELIVERY_GAVE_UP))
        raise ClientGaveUp(f"the client gave up after {request.environ[CLIENT_TIMEOUT]:g} s")
    if not (mock.journal.enabled or exchange.response_observers):
        return response  # nobody reads the entry: skip building it on the hot path
    _record(mock, _entry(request, seen, when, started, response, reply_json,
                         exchange.DELIVERY_SENT))
    return response


def _entry(
    request: Request,
    seen: _Exchange,
    when: Any,
    started: float,
    response: Response | None,
    reply_json: Any,
    delivery: str,
) -> JournalEntry:
    """The journal's record of one request (`response` None: no answer was sent)."""
    request_json, request_text = seen.request_json, seen.request_text
    if seen.body_bytes > BODY_SHOWN_BYTES:  # keep the start of a big body, as text only
        request_json = None
        request_text = seen.body_head.decode("utf-8", "replace") + " ... (truncated)"
    return JournalEntry(
        seq=0,
        time=when,
        method=request.method,
        path=seen.path,
        route=seen.route,
        project_id=seen.project_id,
        region=seen.region,
        query={
            shortened(key): shortened(value)
            for key, value in (seen.query if seen.query is not None else request.args).items()
        },
        headers=_safe_headers(request),
        request_json=exchange.masked(request_json),
        request_text=exchange.masked_text(request_text) if request_text else request_text,
        status=response.status_code if response is not None else 0,
        response_json=exchange.masked(reply_json),
        response_headers=dict(response.headers.items()) if response is not None else {},
        fault_rule=seen.action.rule_id if seen.action is not None else None,
        duration_ms=(time.perf_counter() - started) * 1000,
        size=seen.body_bytes + ((response.content_length or 0) if response is not None else 0),
        delivery=delivery,
    )


def _handle(
    mock: ApiHost, request: Request, region: str | None, seen: _Exchange
) -> tuple[Response, Any]:
    seen.region, seen.path, prefix = _split_region(mock, request.path, region)
    seen.route, args, routing_error = _route(seen.path, request.method, mock)
    seen.project_id = args.get("project_id")
    seen.query = dict(request.args.items())
    info = RequestInfo(
        method=request.method,
        path=seen.path,
        route=seen.route,
        project_id=seen.project_id,
        region=seen.region,
        query=seen.query,
    )
    seen.action = mock.faults.decide(info)
    # For the server's request log: which route answered, and which fault rule, if any.
    request.environ["trovemock.route"] = seen.route
    request.environ["trovemock.fault_rule"] = seen.action.rule_id if seen.action else None
    if seen.action is not None:
        if _answers_instead(seen.action):
            _read_for_journal(mock, request, seen)
        faulted = _apply_fault(mock, request, seen)
        if faulted is not None:
            return _fault_and_body(faulted)
    if routing_error is not None:
        raise routing_error
    assert seen.route is not None  # a route matched: there is no routing error
    # Upstream fidelity only: a route that answers any method hands a body to a GET action.
    body_crashes = request.method != ROUTES_BY_NAME[seen.route].method
    # Reading, parsing and validating the body need no state: they happen outside the
    # cloud's lock, and their errors wait until authentication has had its say (as in
    # Trove, where keystone and the tenant check run before the controller reads the body).
    body_error: Exception | None = None
    body: Any = {}
    try:
        seen.request_json = _parse_body(mock, request, seen)
        body = seen.request_json if seen.request_json is not None else {}
        _validate(mock, seen.route, body)
    except (HttpError, DomainError) as error:
        body_error = error
    with mock.cloud.operation():
        caller = authenticate(mock, request, seen.project_id or "", seen.region)
        if body_error is not None:
            raise body_error
        if body_crashes and seen.request_json is not None:
            raise UpstreamBug("a GET action given a body: unexpected keyword argument 'body'")
        ctx = Ctx(
            cloud=mock.cloud,
            caller=caller,
            args=args,
            query=request.args,
            body=body,
            base_url=f"{request.scheme}://{request.host}{prefix}",
            path=seen.path,
            outcome=seen.action.outcome if seen.action is not None else None,
            raw_query=request.query_string.decode("latin-1"),
        )
        route = ROUTES_BY_NAME[seen.route]
        if mock.dialect not in route.dialects:  # the one dialect gate
            raise NotImplementedForDialect(
                f"{route.feature_name} is not implemented by the {mock.dialect} API "
                f"(it is a {route.dialects[0]} feature)."
            )
        assert route.handler is not None, f"route {route.name} has no handler"
        status, reply_json = route.handler(ctx)
    if mock.cloud.dataplane is not None:  # a backup asked for holds this moment's data
        mock.cloud.dataplane.await_snapshots()
    body_bytes = json.dumps(reply_json) if reply_json is not None else b""
    return Response(body_bytes, status=status, content_type="application/json"), reply_json


def _validate(mock: ApiHost, route_name: str, body: Any) -> None:
    """400 with Trove's "Validation error: ..." text when the body breaks the route's
    request schema (routes of the other dialect are left to their handler's 501). An error
    at the document's root crashes Trove's formatter: a 500 in upstream fidelity, where the
    root user's body is not checked at all (its handler reads what it can)."""
    route = ROUTES_BY_NAME[route_name]
    if mock.dialect not in route.dialects:
        return
    if route_name == "root.enable" and upstream(mock.config, "root_password_body"):
        return
    schema = route.request_schema(mock.dialect)
    if schema is not None:
        message = validation_message(schema, body, mock.config.max_items_per_request)
        if message is not None:
            if upstream(mock.config, "root_body_error") and any(
                not error.absolute_path
                for error in validation_errors(schema, body, mock.config.max_items_per_request)
            ):
                raise UpstreamBug("format_validation_msg: IndexError on a root-level error")
            raise HttpError(400, message)


def _fault_and_body(response: Response) -> tuple[Response, Any]:
    return response, _json_or_none(response.get_data())


def _route(
    path: str, method: str, mock: ApiHost
) -> tuple[str | None, dict[str, str], HttpError | None]:
    """The route of a request. HEAD and a trailing slash match nothing, as in Trove; a known
    path with another method is 405 (404 in upstream fidelity)."""
    adapter = URL_MAP.bind("trovemock")
    if method == "HEAD":
        return None, {}, HttpError(404)
    try:
        name, args = adapter.match(path, method)
    except MethodNotAllowed as error:
        if upstream(mock.config, "wrong_method_404"):
            found = _upstream_route(path, method)
            if found is not None:
                return found[0], found[1], None
            name, args = adapter.match(path, "GET") if "GET" in (error.valid_methods or ()) \
                else (None, _args_of(adapter, path))
            if name in ANY_METHOD_ROUTES:  # Trove connects them without a method condition
                return name, dict(args), None
            return None, dict(args), HttpError(404)
        allowed = ", ".join(sorted(m for m in error.valid_methods or () if m != "HEAD"))
        return None, _args_of(adapter, path), HttpError(405, headers={"Allow": allowed})
    except NotFound:
        return None, {}, HttpError(404)
    return name, dict(args), None


def _upstream_route(path: str, method: str) -> tuple[str, dict[str, str]] | None:
    """A route only real Trove has (upstream fidelity), or None."""
    try:
        name, args = UPSTREAM_URL_MAP.bind("trovemock").match(path, method)
    except HTTPException:
        return None
    return name, dict(args)


# Trove's routes with no method condition: any method runs the GET action.
ANY_METHOD_ROUTES = frozenset(
    {"datastores.versions", "datastores.version", "datastores.version_by_id"}
)


def _args_of(adapter, path: str) -> dict[str, str]:
    """URL variables of a path that exists under another method (for fault matching)."""
    for method in ("GET", "POST", "DELETE"):
        try:
            return adapter.match(path, method)[1]
        except Exception:  # noqa: BLE001 - only probing
            continue
    return {}


def _answers_instead(action: FaultAction) -> bool:
    """The rule answers (or drops) the request in the handler's place."""
    return action.drop or action.status is not None or action.raw_body is not None


def _read_for_journal(mock: ApiHost, request: Request, seen: _Exchange) -> None:
    """Keep the body of a request a fault rule answers: the journal shows what was sent,
    whatever the body's faults (they are the handler's to report, and it is not called)."""
    try:
        seen.request_json = _parse_body(mock, request, seen)
    except (HttpError, BodyError):
        pass


def _apply_fault(mock: ApiHost, request: Request, seen: _Exchange) -> Response | None:
    action = seen.action
    assert action is not None
    _wait(mock, request, action, seen)
    if action.drop:
        raise ConnectionDropped("dropped by a trovemock fault rule")
    if action.raw_body is not None:
        return Response(
            action.raw_body, status=action.status or 200, content_type="application/json"
        )
    if action.status is not None:
        headers = None
        if action.retry_after is not None:
            headers = {"Retry-After": str(action.retry_after)}
        if action.gateway_body:
            return gateway_page(action.status, headers)
        return fault_response(action.status, action.message, headers)
    return None


def _wait(mock: ApiHost, request: Request, action: FaultAction, seen: _Exchange) -> None:
    """A rule's latency: real seconds slept, and seconds moved on the emulator's clock (slept
    when the clock cannot be moved). A client whose timeout (an in-process transport's
    `timeout=`) is shorter gives up: the request is still handled, as a server goes on
    after its client left, and the client is told it timed out."""
    timeout = request.environ.get(CLIENT_TIMEOUT)
    slept, moved = action.latency, action.clock_latency
    advance = getattr(mock.clock, "advance", None)
    if moved and advance is None:
        slept, moved = slept + moved, 0.0
    if timeout is not None and slept + moved >= timeout:
        seen.gave_up = True
        slept = min(slept, timeout)
    if moved and advance is not None:
        advance(moved)
    if slept:
        time.sleep(slept)


def _parse_body(mock: ApiHost, request: Request, seen: _Exchange) -> Any:
    """The parsed JSON body, or None when there is none. Raises HttpError 413/415/400 (and
    keeps the raw text of a body that is not JSON in `seen` for the journal)."""
    if request.method not in BODY_METHODS:
        return None
    try:
        raw = read_body(request, mock.config.max_body_bytes)
    except BodyError as error:
        _note_size(seen, error.raw)
        raise
    _note_size(seen, raw)
    if not raw.strip():
        return None
    mimetype = request.mimetype
    config = mock.config
    if not mimetype:
        if upstream(config, "json_without_content_type"):
            return None  # Trove reads a body without a Content-Type as {}
        raise HttpError(
            415,
            "The request has a body but no Content-Type header: send "
            "Content-Type: application/json.",
        )
    if mimetype == "application/xml" and upstream(config, "json_without_content_type"):
        raise HttpError(response=fault_response(500, DEFAULT_MESSAGES[500]))
    if upstream(config, "webob_errors"):
        if mimetype != "application/json":
            raise HttpError(response=unsupported_media_type(request, mimetype))
    elif mimetype != "application/json" and not mimetype.endswith("+json"):
        raise HttpError(415, f"Unsupported Content-Type: {mimetype}")
    seen.request_text = raw[:65536].decode("utf-8", "replace")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, "Malformed request body: it is not UTF-8.") from None
    try:
        parsed = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        if upstream(config, "webob_errors"):
            raise HttpError(response=malformed_json(request)) from None
        raise HttpError(400, f"Malformed request body: {short_reason(error)}") from None
    seen.request_text = None
    return parsed


def _note_size(seen: _Exchange, raw: bytes) -> None:
    """The journal keeps a big body's size and its start, never all of it."""
    seen.body_bytes = len(raw)
    if len(raw) > BODY_SHOWN_BYTES:
        seen.body_head = raw[:BODY_SHOWN_BYTES]


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")



def _json_or_none(data: bytes) -> Any:
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def _safe_headers(request: Request) -> dict[str, str]:
    headers = {key: shortened(value) for key, value in request.headers.items()}
    for key in list(headers):
        if key.lower() in ("x-auth-token", "x-subject-token"):
            headers[key] = "***"
    return headers


def _record(mock: ApiHost, entry: JournalEntry) -> None:
    mock.journal.record(entry)
    if entry.delivery != exchange.DELIVERY_DROPPED:  # observers check answers
        for observer in exchange.response_observers:
            observer(mock.dialect, entry)
