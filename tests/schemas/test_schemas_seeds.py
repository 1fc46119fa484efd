"""Every JSON response example of the API documents (the seeds) against the response schemas.

Examples that are themselves wrong are listed in the fixture index as known seed errors; the
test asserts they still fail, for the recorded reason, so the record stays true."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trovemock.contract.schemas import validator

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
INDEX = json.loads((SEEDS / "index.json").read_text(encoding="utf-8"))["examples"]


def _errors(schema: str, body: object) -> list[str]:
    return [error.message for error in validator(schema).iter_errors(body)]


def _by_expectation(expect: str) -> list:
    return [pytest.param(e, id=e["file"]) for e in INDEX if e["expect"] == expect]


def test_index_lists_every_fixture_file() -> None:
    listed = {entry["file"] for entry in INDEX}
    on_disk = {p.name for p in SEEDS.glob("*.json")} - {"index.json"}
    assert listed == on_disk


@pytest.mark.parametrize("entry", _by_expectation("valid"))
def test_seed_example_validates(entry: dict) -> None:
    body = json.loads((SEEDS / entry["file"]).read_text(encoding="utf-8"))
    assert _errors(entry["schema"], body) == []


@pytest.mark.parametrize("entry", _by_expectation("invalid"))
def test_known_seed_error_fails_for_its_recorded_reason(entry: dict) -> None:
    body = json.loads((SEEDS / entry["file"]).read_text(encoding="utf-8"))
    messages = "\n".join(
        f"{''.join(f'[{p!r}]' for p in error.absolute_path)}: {error.message}"
        for error in validator(entry["schema"]).iter_errors(body)
    )
    assert messages, f"{entry['file']} now validates; it was recorded as: {entry['reason']}"
    for fragment in entry["error_contains"]:
        assert fragment.removeprefix("$") in messages


@pytest.mark.parametrize("entry", _by_expectation("invalid-json"))
def test_known_unparseable_example_is_broken_only_as_recorded(entry: dict) -> None:
    text = (SEEDS / entry["file"]).read_text(encoding="utf-8")
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    repaired = json.loads(entry["repair_prefix"] + text)
    assert _errors(entry["schema"], repaired) == []

