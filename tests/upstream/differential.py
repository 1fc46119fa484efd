"""Running a case on both sides and comparing the answers.

An answer is reduced to what a client can rely on, with what is random on both sides
replaced: each side's backup ids by the case's aliases (`{B1}`), timestamps by `<time>`, the
uuid in a 500 message by `<uuid>`. Two answers are identical when the status, the
Content-Type, the `WWW-Authenticate`, `Allow` and `Location` headers and the whole reduced
body (keys, value types, values, list order, `links`) are equal."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from werkzeug.test import TestResponse

from tests.upstream.sides import Force, Request, Seed, Settle, Side, Step

HEADERS = ("WWW-Authenticate", "Allow", "Location")
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?")
# Fields random on both sides: the id Trove's 500 message asks to keep.
RANDOM = (re.compile(r"(Please keep this ID to help us figure out what went wrong: \()"
                     r"[0-9a-f-]{36}(\))"), r"\1<uuid>\2")


@dataclass(frozen=True)
class Case:
    name: str
    steps: tuple[Step, ...]
    # what the case covers, for the figures (validation, auth, create, list, ...)
    group: str = ""


def reduce(resp: TestResponse, ids: dict[str, str]) -> dict[str, Any]:
    aliases = sorted(ids.items(), key=lambda kv: -len(kv[1]))

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            for alias, real in aliases:
                value = value.replace(real, "{" + alias + "}")
            value = TIME.sub("<time>", value)
            return RANDOM[0].sub(RANDOM[1], value)
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    text = resp.get_data(as_text=True)
    try:
        body: Any = json.loads(text) if text else None
    except ValueError:
        body = {"<not json>": text[:300]}
    answer: dict[str, Any] = {"status": resp.status_code,
                              "content_type": resp.headers.get("Content-Type")}
    for name in HEADERS:
        if name in resp.headers:
            answer[name] = clean(resp.headers[name])
    answer["body"] = clean(body)
    return answer


def run(side: Side, case: Case) -> list[dict[str, Any]]:
    """Every request's reduced answer, in order (seeding steps answer nothing)."""
    side.start_case()
    answers = []
    created = 0
    for step in case.steps:
        if isinstance(step, Request):
            resp = side.send(step)
            if _created_backup(step, resp):
                created += 1
                side.ids[step.alias or f"new{created}"] = resp.get_json()["backup"]["id"]
            answers.append({"request": f"{step.method} {step.path}"
                            + (f"?{step.query}" if step.query else ""),
                            **reduce(resp, side.ids)})
        elif isinstance(step, Force):
            if step.alias in side.ids:  # else its create failed here, and that shows already
                side.force(step)
        elif isinstance(step, Seed):
            side.seed(step)
        elif isinstance(step, Settle):
            side.settle()
    return answers


def _created_backup(step: Request, resp: TestResponse) -> bool:
    if step.method != "POST" or resp.status_code != 202:
        return False
    body = resp.get_json(silent=True)
    return isinstance(body, dict) and isinstance(body.get("backup"), dict)


def differences(upstream: list[dict[str, Any]], mine: list[dict[str, Any]]) -> list[str]:
    """Where the answers differ, one line each ("#2 POST /backups status: 500 != 400")."""
    found = []
    for n, (a, b) in enumerate(zip(upstream, mine, strict=True), 1):
        for path, x, y in _walk(a, b, ""):
            found.append(f"#{n} {a['request']} {path}: {_short(x)} != {_short(y)}")
    return found


def _walk(a: Any, b: Any, path: str):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key == "request":
                continue
            if key not in a or key not in b:
                yield (f"{path}.{key}".lstrip("."), a.get(key, "<absent>"),
                       b.get(key, "<absent>"))
            else:
                yield from _walk(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _walk(x, y, f"{path}[{n}]")
    elif a != b or type(a) is not type(b):
        yield path.lstrip(".") or "(answer)", a, b


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 160 else text[:157] + "..."
