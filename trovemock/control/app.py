"""The control API under ``/_trovemock/``: the Python API of `TroveMock` over HTTP, for tests
that drive a standalone server from another process or language.

JSON in and out. Every body is validated completely before the mock is touched, so a 400
never leaves a change half-applied. Errors use the service's fault format:
``{"badRequest": {"code": 400, "message": "<names the field>"}}``.

Who may call it (no web page, no foreign host, a token when one is set) is
`trovemock.control.guard`; bodies are capped at `config.max_control_body_bytes`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import cache
from importlib import metadata
from typing import Any, cast

from werkzeug.wrappers import Request, Response

from trovemock.api.bodies import BodyError, parse_json, read_body
from trovemock.api.errors import HttpError, fault_response
from trovemock.api.routing import match, url_map
from trovemock.checks import Fields
from trovemock.clock import ManualClock, parse_time
from trovemock.control import ui
from trovemock.control.guard import CONTROL_PREFIX as PREFIX
from trovemock.control.spec import control_openapi
from trovemock.control.target import ControlTarget
from trovemock.dataplane.protocol import DataError
from trovemock.exchange import DELIVERIES
from trovemock.identity import keystone as identity
from trovemock.journal import entry_to_dict
from trovemock.model.entities import BACKUP_STATUSES, HAGroup, Instance
from trovemock.model.errors import DomainError
from trovemock.model.state.records import datastore_out
from trovemock.openapi import build_openapi

MAX_JOURNAL_PAGE = 10_000  # the most entries one journal page holds (`limit`)


def _bad(message: str) -> HttpError:
    return HttpError(400, message)


# --- JSON helpers -----------------------------------------------------------------------------


def _json(body: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(body, default=_encode), status=status, content_type="application/json"
    )


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | frozenset | set):
        return list(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def _no_content() -> Response:
    return Response(status=204)


def _fault(status: int, message: str) -> Response:
    return fault_response(status, message)


def _body(mock: ControlTarget, request: Request) -> dict[str, Any]:
    try:
        raw = read_body(request, mock.config.max_control_body_bytes)
        if not raw.strip():
            raise _bad("a JSON object body is required")
        body = parse_json(raw)
    except BodyError as error:
        limit = " (config max_control_body_bytes)" if error.status == 413 else ""
        raise HttpError(error.status, f"{error.message}{limit}") from None
    if not isinstance(body, dict):
        raise _bad("the body must be a JSON object")
    return body


def _fields(body: dict[str, Any]) -> Fields:
    """The body's fields, read with the one set of readers; refusals are 400s."""
    return Fields(body, error=_bad)


def _datastore(fields: Fields) -> tuple[str, str] | None:
    if fields.data.get("datastore") is None:
        return None
    datastore = fields.obj("datastore")
    datastore.only({"type", "version"})
    return datastore.text("type"), datastore.text("version")


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _model_call(call: Callable[[], Any]) -> Any:
    """Run a mock operation. Its refusals of a body value (ValueError, a domain error such as
    an unknown region) become 400; a KeyError (an id that vanished meanwhile) becomes 404."""
    try:
        return call()
    except KeyError as exc:
        raise HttpError(404, f"{exc.args[0] if exc.args else 'it'} cannot be found.") from None
    except (ValueError, TypeError, DomainError) as exc:
        raise _bad(str(exc)) from None


# --- views of entities ------------------------------------------------------------------------


def _owner_view(owner: Instance | HAGroup, status: str) -> dict[str, Any]:
    """The fields instances and HA groups share, as the control API shows them."""
    return {
        "id": owner.id,
        "name": owner.name,
        "status": status,
        "project_id": owner.project_id,
        "region": owner.region,
        "datastore": datastore_out(owner.datastore),
        "volume_size": owner.volume_size,
        "flavor_id": owner.flavor_id,
    }


def _instance_view(mock: ControlTarget, instance: Instance) -> dict[str, Any]:
    return {
        **_owner_view(instance, mock.instance_status(instance.id)),
        "databases": list(instance.databases),
        "users": list(instance.users),
        "ha_id": instance.ha_id,
    }


def _ha_view(mock: ControlTarget, group: HAGroup) -> dict[str, Any]:
    return {**_owner_view(group, mock.ha_status(group.id)), "members": list(group.members)}


def _backup_view(backup: Any) -> dict[str, Any]:
    return {
        "id": backup.id,
        "name": backup.name,
        "status": backup.status,
        "project_id": backup.project_id,
        "region": backup.region,
        "instance_id": backup.instance_id,
        "parent_id": backup.parent_id,
        "size": backup.size,
        "location_ref": backup.location_ref,
        "data": backup.data,
        "data_error": backup.data_error,
        "created": backup.created,
        "updated": backup.updated,
    }


def _backup(mock: ControlTarget, backup_id: str) -> Any:
    try:
        return mock.backup(backup_id)
    except KeyError:
        raise HttpError(404, f"Backup {backup_id} cannot be found.") from None


@cache
def _version() -> str:
    try:
        return metadata.version("trovemock")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return "unknown"


# --- handlers ---------------------------------------------------------------------------------


def index(mock: ControlTarget, request: Request) -> Response:
    """What this server is (version, dialect, fidelity, clock), its `revision` (poll it and
    refetch when it moves: trovemock.control.revision) and the endpoints."""
    endpoints = sorted(
        f"{' '.join(sorted((rule.methods or set()) - {'HEAD', 'OPTIONS'}))} {rule.rule}"
        for rule in ROUTES.iter_rules()
    )
    entries = mock.journal.entries
    return _json({
        "version": _version(),
        "dialect": mock.dialect,
        "fidelity": mock.config.fidelity,
        "regions": list(mock.regions),
        "routes": sorted(mock.journal.routes),  # the names fault rules and filters take
        "clock": _clock_view(mock),
        "revision": mock.revision.read(mock.clock.now()),
        "journal": {
            "count": len(entries),
            "first_seq": entries[0].seq if entries else None,
            "last_seq": entries[-1].seq if entries else None,
        },
        "endpoints": endpoints,
    })


def reset(mock: ControlTarget, request: Request) -> Response:
    mock.reset()  # the same as TroveMock.reset(): identity tokens go with the cloud's
    return _no_content()


def _seed_kwargs(body: dict[str, Any], extra: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """The fields instances and HA groups share, plus `extra`, checked, without the Nones."""
    f = _fields(body)
    fields: dict[str, Callable[[], Any]] = {
        "id": lambda: f.text("id", required=False),
        "name": lambda: f.text("name", required=False),
        "region": lambda: f.text("region", required=False),
        "datastore": lambda: _datastore(f),
        "volume_size": lambda: f.whole("volume_size", required=False, low=1),
        "flavor_id": lambda: f.text("flavor_id", required=False),
        "databases": lambda: f.names("databases") or None,
        "users": lambda: f.names("users") or None,
        **extra,
    }
    f.only({"project_id", *fields})
    return _drop_none({name: read() for name, read in fields.items()})


def add_instance(mock: ControlTarget, request: Request) -> Response:
    body = _body(mock, request)
    kwargs = _seed_kwargs(
        body,
        {
            "status": lambda: _fields(body).text("status", required=False),
            "used_gb": lambda: _fields(body).number("used_gb", required=False, low=0),
        },
    )
    project_id = _fields(body).text("project_id")
    instance = _model_call(lambda: mock.add_instance(project_id, **kwargs))
    return _json({"instance": _instance_view(mock, instance)}, 201)


def add_backup(mock: ControlTarget, request: Request) -> Response:
    """Seed a backup made in the past (`TroveMock.add_backup`'s fields)."""
    body = _body(mock, request)
    f = _fields(body)
    readers: dict[str, Callable[[], Any]] = {
        "instance_id": lambda: f.text("instance_id"),
        "name": lambda: f.text("name", required=False),
        "description": lambda: f.text("description", required=False),
        "created": lambda: _time_field(f, "created"),
        "updated": lambda: _time_field(f, "updated"),
        "status": lambda: f.one_of("status", BACKUP_STATUSES, required=False),
        "parent_id": lambda: f.text("parent_id", required=False),
        "size": lambda: f.number("size", required=False, low=0),
        "region": lambda: f.text("region", required=False),
    }
    f.only({"project_id", *readers})
    project_id = f.text("project_id")
    kwargs = _drop_none({name: read() for name, read in readers.items()})
    backup = _model_call(lambda: mock.add_backup(project_id, **kwargs))
    return _json({"backup": _backup_view(backup)}, 201)


def _time_field(f: Fields, name: str) -> Any:
    value = f.text(name, required=False)
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError as error:
        raise _bad(f"{name}: {error}") from None


def add_ha_group(mock: ControlTarget, request: Request) -> Response:
    body = _body(mock, request)
    kwargs = _seed_kwargs(
        body, {"replicas": lambda: _fields(body).whole("replicas", required=False, low=1)}
    )
    project_id = _fields(body).text("project_id")
    group = _model_call(lambda: mock.add_ha_group(project_id, **kwargs))
    return _json({"ha": _ha_view(mock, group)}, 201)


def _clock_view(mock: ControlTarget) -> dict[str, Any]:
    due = mock.next_due()
    return {
        "now": mock.clock.now().isoformat(),
        "manual": bool(getattr(mock.clock, "manual", False)),
        "next_due": due.isoformat() if due is not None else None,
    }


def get_clock(mock: ControlTarget, request: Request) -> Response:
    return _json(_clock_view(mock))


def move_clock(mock: ControlTarget, request: Request) -> Response:
    body = _body(mock, request)
    fields = _fields(body)
    fields.only({"advance", "set", "backwards", "advance_to"})
    backwards = fields.flag("backwards")
    if len(set(body) - {"backwards"}) != 1 or ("backwards" in body and "set" not in body):
        raise _bad("give exactly one of 'advance' (seconds), 'set' (ISO 8601 time) or "
                   "'advance_to': 'next'; 'backwards' goes with 'set'")
    seconds, when = None, None
    if "advance_to" in body:
        if body["advance_to"] != "next":
            raise _bad("'advance_to' takes 'next' (the next pending transition or run)")
        when = mock.next_due()
        if when is None:  # nothing pending: the clock stays where it is
            return _json(_clock_view(mock))
    elif "advance" in body:
        seconds = fields.number("advance", low=0)
    else:
        text = fields.text("set")
        try:
            when = parse_time(text)
        except (ValueError, TypeError):
            raise _bad(f"'set' is not an ISO 8601 time: {text!r}") from None
    if not getattr(mock.clock, "manual", False):
        raise HttpError(
            409, "The server runs on the system clock; start it with --clock manual to move time."
        )
    clock = cast(ManualClock, mock.clock)  # a manual clock moves by advance() and set()
    try:
        if seconds is not None:
            clock.advance(seconds)
        else:
            assert when is not None  # parsed above
            clock.set(when, backwards=backwards)
    except ValueError as exc:  # beyond the times the emulator supports
        raise _bad(f"'{'advance' if seconds is not None else 'set'}': {exc}") from None
    return _json(_clock_view(mock))


def get_config(mock: ControlTarget, request: Request) -> Response:
    return _json(mock.config.to_dict())


def put_config(mock: ControlTarget, request: Request) -> Response:
    body = _body(mock, request)
    region = body.get("openstack_region", mock.config.openstack_region)
    if mock.dialect == "openstack" and region != mock.regions[0]:
        raise _bad(
            f"'openstack_region' is fixed when the cloud is created ({mock.regions[0]}); "
            "start the server with --region to name it"
        )
    try:
        mock.config.update(body)
    except ValueError as exc:
        raise _bad(str(exc)) from None
    return _json(mock.config.to_dict())


def add_datastore_version(mock: ControlTarget, request: Request) -> Response:
    """Register a datastore version (as an operator does); the API then lists it."""
    fields = _fields(_body(mock, request))
    fields.only({"type", "version"})
    kind, version = fields.text("type"), fields.text("version")
    found = _model_call(lambda: mock.add_datastore_version(kind, version))
    return _json({"datastore": {**datastore_out(found), "version_id": found.version_id}}, 201)


def add_token(mock: ControlTarget, request: Request) -> Response:
    body = _body(mock, request)
    fields = _fields(body)
    fields.only({"token", "project_id", "roles"})
    token = fields.text("token")
    project_id = fields.text("project_id", required=False)
    roles = fields.names("roles")
    _model_call(lambda: mock.add_token(token, project_id, roles=roles))
    return _json({"token": {"id": token, "project_id": project_id, "roles": roles}}, 201)


def add_identity_user(mock: ControlTarget, request: Request) -> Response:
    """Configure an identity user (from then on only configured users can log in)."""
    body = _body(mock, request)
    fields = _fields(body)
    fields.only({"name", "password", "api_key", "project_id", "roles"})
    name, password = fields.text("name"), fields.text("password")
    kwargs: dict[str, Any] = {
        "api_key": fields.text("api_key", required=False),
        "project_id": fields.text("project_id", required=False),
    }
    if body.get("roles") is not None:
        kwargs["roles"] = fields.names("roles")
    user = _model_call(lambda: identity.add_user(mock, name, password, **kwargs))
    return _json(
        {
            "user": {
                "name": user.name,
                "project_id": user.project_id,
                "roles": list(user.roles),
                "api_key": user.api_key is not None,
            }
        },
        201,
    )


def set_backup_status(mock: ControlTarget, request: Request, backup_id: str) -> Response:
    body = _body(mock, request)
    fields = _fields(body)
    fields.only({"status"})
    status = fields.one_of("status", BACKUP_STATUSES)
    _backup(mock, backup_id)
    _model_call(lambda: mock.set_status(backup_id, str(status)))
    return _json({"backup": _backup_view(_backup(mock, backup_id))})


def set_backup_durations(mock: ControlTarget, request: Request, backup_id: str) -> Response:
    body = _body(mock, request)
    fields = _fields(body)
    fields.only({"new_seconds", "building_seconds"})
    if not body:
        raise _bad("give 'new_seconds' and/or 'building_seconds'")
    new = fields.number("new_seconds", required=False, low=0)
    building = fields.number("building_seconds", required=False, low=0)
    _backup(mock, backup_id)
    _model_call(
        lambda: mock.set_backup_durations(backup_id, new_seconds=new, building_seconds=building)
    )
    return _json({"backup": _backup_view(_backup(mock, backup_id))})


def list_faults(mock: ControlTarget, request: Request) -> Response:
    return _json({"faults": [rule.to_dict() for rule in mock.faults.rules]})


def add_fault(mock: ControlTarget, request: Request) -> Response:
    body = _body(mock, request)
    rule = _model_call(lambda: mock.faults.add(**body))
    return _json({"fault": rule.to_dict()}, 201)


def get_fault_seed(mock: ControlTarget, request: Request) -> Response:
    """The seed of the RNG that `probability` rules draw from (`mock.faults.seed`)."""
    return _json({"seed": mock.faults.current_seed})


def set_fault_seed(mock: ControlTarget, request: Request) -> Response:
    """Re-seed that RNG: `{"seed": <integer>}`, or null for an unpredictable one."""
    body = _body(mock, request)
    _fields(body).only({"seed"})
    if "seed" not in body:
        raise _bad("'seed' is required: an integer, or null for an unpredictable seed")
    seed = body["seed"]
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise _bad(f"'seed' must be an integer or null, not {seed!r}")
    mock.faults.seed(seed)
    return _json({"seed": seed})


def clear_faults(mock: ControlTarget, request: Request) -> Response:
    mock.faults.clear()
    return _no_content()


def remove_fault(mock: ControlTarget, request: Request, rule_id: str) -> Response:
    if not any(rule.id == rule_id for rule in mock.faults.rules):
        raise HttpError(404, f"Fault rule {rule_id} cannot be found.")
    try:
        mock.faults.remove(rule_id)
    except (KeyError, ValueError):  # removed by another request meanwhile
        raise HttpError(404, f"Fault rule {rule_id} cannot be found.") from None
    return _no_content()


_JOURNAL_FILTERS = ("method", "route", "status", "project_id", "region", "kind", "delivery")


_PAGING = ("since", "limit")


def _whole_arg(request: Request, name: str, low: int, high: int) -> int | None:
    text = request.args.get(name)
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise _bad(f"{name} must be a whole number from {low} to {high}, not {text!r}")
    return int(text)


def get_journal(mock: ControlTarget, request: Request) -> Response:
    """The journal, oldest first, filtered; `since=<seq>` keeps the entries numbered after
    `seq`, `limit=N` the first N of those (page on with the last entry's `seq`)."""
    since = _whole_arg(request, "since", 0, 2**63)
    limit = _whole_arg(request, "limit", 1, MAX_JOURNAL_PAGE)
    filters = {
        name: value for name, value in request.args.items() if name not in ("pretty", *_PAGING)
    }
    unknown = sorted(set(filters) - set(_JOURNAL_FILTERS))
    if unknown:
        raise _bad(
            f"unknown journal filter(s): {', '.join(unknown)} "
            f"(allowed: {', '.join((*_JOURNAL_FILTERS, *_PAGING))})"
        )
    route, status = filters.get("route"), filters.get("status")
    if route is not None and mock.journal.routes and route not in mock.journal.routes:
        raise _bad(f"unknown route {route!r}; routes: {', '.join(sorted(mock.journal.routes))}")
    if status is not None and not (status.isascii() and status.isdigit() and len(status) == 3):
        raise _bad(f"status must be an HTTP status such as 503, not {status!r}")
    delivery = filters.get("delivery")
    if delivery is not None and delivery not in DELIVERIES:
        raise _bad(f"delivery must be one of {', '.join(DELIVERIES)}, not {delivery!r}")
    kept = mock.journal.entries
    if since is not None:
        kept = [entry for entry in kept if entry.seq is not None and entry.seq > since]
    entries = [entry_to_dict(entry) for entry in kept]
    for name, wanted in filters.items():
        if name == "method":
            wanted = wanted.upper()
        entries = [e for e in entries if str(e.get(name)) == wanted]
    if limit is not None:
        entries = entries[:limit]
    try:
        return _json({"journal": entries})
    except RecursionError:  # a recorded body nested too deeply to encode: show the others
        return _json({"journal": [_encodable(entry) for entry in entries]})


def _encodable(entry: dict[str, Any]) -> dict[str, Any]:
    try:
        json.dumps(entry, default=_encode)
        return entry
    except RecursionError:
        return {**entry, "request_json": None, "request_text": "(nested too deeply to show)"}


def get_journal_entry(mock: ControlTarget, request: Request, seq: str) -> Response:
    """One journal entry by its sequence number."""
    if not (seq.isascii() and seq.isdigit()):
        raise _bad(f"a journal entry is named by its sequence number (1, 2, ...), not {seq!r}")
    for entry in mock.journal.entries:
        if entry.seq == int(seq):
            return _json({"entry": _encodable(entry_to_dict(entry))})
    raise HttpError(404, f"Journal entry {seq} cannot be found (forgotten, or not yet made).")


def clear_journal(mock: ControlTarget, request: Request) -> Response:
    mock.journal.clear()
    return _no_content()


def get_schedule_runs(mock: ControlTarget, request: Request) -> Response:
    """What scheduled backup runs did, oldest first (`?schedule_id=` narrows)."""
    unknown = sorted(set(request.args) - {"schedule_id"})
    if unknown:
        raise _bad(f"unknown filter(s): {', '.join(unknown)} (allowed: schedule_id)")
    runs = mock.schedule_runs(request.args.get("schedule_id"))
    return _json({"runs": [
        {
            "schedule_id": run.schedule_id,
            "project_id": run.project_id,
            "region": run.region,
            "due": run.due,
            "outcome": run.outcome,
            "kind": run.kind,
            "backup_id": run.backup_id,
            "reason": run.reason,
            "fault_rule": run.fault_rule,
            "runs": run.runs,
            "until": run.until,
        }
        for run in runs
    ]})


def get_state(mock: ControlTarget, request: Request) -> Response:
    return _json(_model_call(mock.export_state))


# --- the data plane ---------------------------------------------------------------------------


def get_dataplane(mock: ControlTarget, request: Request) -> Response:
    """The data plane: whether it runs, its engines, servers and backup objects."""
    return _json(mock.dataplane_status())


def get_endpoint(mock: ControlTarget, request: Request, instance_id: str) -> Response:
    """Where an instance's database server listens, with an admin account."""
    point = _data_call(lambda: mock.endpoint(instance_id))
    return _json({"host": point.host, "port": point.port, "user": point.user,
                  "password": point.password, "engine": point.engine,
                  "version": point.version, "url": point.url()})


def corrupt_backup(mock: ControlTarget, request: Request, backup_id: str) -> Response:
    """Corrupt a backup's object: how = flip (a restore gets 409), truncate, delete (404)."""
    f = _fields(_body(mock, request))
    how = f.one_of("how", ("flip", "truncate", "delete"), required=False) or "flip"
    _backup(mock, backup_id)
    _data_call(lambda: mock.corrupt_backup(backup_id, how))
    return _no_content()


def fail_next_backup(mock: ControlTarget, request: Request) -> Response:
    """The next backup's tool run fails; the backup ends FAILED with the reason."""
    f = _fields(_body(mock, request))
    reason = f.text("reason", required=False) or "the backup tool failed (fault injected)"
    _data_call(lambda: mock.fail_next_backup(reason))
    return _no_content()


def settle_dataplane(mock: ControlTarget, request: Request) -> Response:
    """Wait until server starts, backups and restores under way are done."""
    _data_call(mock.wait_for_data)
    return _json(mock.dataplane_status())


def _data_call(call: Callable[[], Any]) -> Any:
    """A data plane call: no data plane (or a failure of it) is a 400 saying why."""
    try:
        return _model_call(call)
    except DataError as error:
        raise _bad(str(error)) from None


def put_state(mock: ControlTarget, request: Request) -> Response:
    state = _body(mock, request)
    _model_call(lambda: mock.import_state(state))
    return _no_content()


def openapi(mock: ControlTarget, request: Request) -> Response:
    """The OpenAPI document of the Trove API of the served dialect."""
    return _json(build_openapi(mock.dialect))


def openapi_control(mock: ControlTarget, request: Request) -> Response:
    """The OpenAPI document of this control API."""
    summaries = {
        rule.endpoint.__name__: " ".join(rule.endpoint.__doc__.split()).split(". ")[0]
        for rule in ROUTES.iter_rules()
        if callable(rule.endpoint) and rule.endpoint.__doc__
    }
    return _json(control_openapi(ROUTES, summaries, _version()))


Handler = Callable[..., Response]

ROUTES = url_map(
    [
        (f"{PREFIX}/", ("GET",), index),
        (f"{PREFIX}/reset", ("POST",), reset),
        (f"{PREFIX}/instances", ("POST",), add_instance),
        (f"{PREFIX}/ha", ("POST",), add_ha_group),
        (f"{PREFIX}/clock", ("GET",), get_clock),
        (f"{PREFIX}/clock", ("POST",), move_clock),
        (f"{PREFIX}/config", ("GET",), get_config),
        (f"{PREFIX}/config", ("PUT",), put_config),
        (f"{PREFIX}/tokens", ("POST",), add_token),
        (f"{PREFIX}/datastores", ("POST",), add_datastore_version),
        (f"{PREFIX}/users", ("POST",), add_identity_user),
        (f"{PREFIX}/backups", ("POST",), add_backup),
        (f"{PREFIX}/backups/<backup_id>/status", ("POST",), set_backup_status),
        (f"{PREFIX}/backups/<backup_id>/durations", ("POST",), set_backup_durations),
        (f"{PREFIX}/faults", ("GET",), list_faults),
        (f"{PREFIX}/faults", ("POST",), add_fault),
        (f"{PREFIX}/faults", ("DELETE",), clear_faults),
        (f"{PREFIX}/faults/seed", ("GET",), get_fault_seed),
        (f"{PREFIX}/faults/seed", ("POST",), set_fault_seed),
        (f"{PREFIX}/faults/<rule_id>", ("DELETE",), remove_fault),
        (f"{PREFIX}/journal", ("GET",), get_journal),
        (f"{PREFIX}/journal/<seq>", ("GET",), get_journal_entry),
        (f"{PREFIX}/journal", ("DELETE",), clear_journal),
        (f"{PREFIX}/schedules/runs", ("GET",), get_schedule_runs),
        (f"{PREFIX}/state", ("GET",), get_state),
        (f"{PREFIX}/dataplane", ("GET",), get_dataplane),
        (f"{PREFIX}/dataplane/settle", ("POST",), settle_dataplane),
        (f"{PREFIX}/dataplane/fail-next-backup", ("POST",), fail_next_backup),
        (f"{PREFIX}/instances/<instance_id>/endpoint", ("GET",), get_endpoint),
        (f"{PREFIX}/backups/<backup_id>/corrupt", ("POST",), corrupt_backup),
        (f"{PREFIX}/state", ("PUT",), put_state),
        (f"{PREFIX}/openapi.json", ("GET",), openapi),
        (f"{PREFIX}/openapi-control.json", ("GET",), openapi_control),
    ],
    strict_slashes=False,
)


def handle(mock: ControlTarget, request: Request) -> Response:
    """Answer one ``/_trovemock/...`` request (errors in the service's fault format)."""
    try:
        if ui.is_ui_path(request.path):
            return ui.serve(mock.control_guard, request)
        mock.control_guard.check(request)
        endpoint, args = match(
            ROUTES,
            request,
            not_found=f"There is no control endpoint {request.path}; GET {PREFIX}/ lists them.",
        )
        response: Response = endpoint(mock, request, **args)
    except HttpError as error:
        return error.render()
    if "pretty" in request.args and response.mimetype == "application/json":
        # `?pretty`: indented for a person at a terminal (curl, a browser's view source)
        response.set_data(json.dumps(json.loads(response.get_data()), indent=2) + "\n")
    return response


