"""The contract report's three renderings: terminal table, Markdown, JSON."""

from __future__ import annotations

import json
from pathlib import Path

from trovemock.contract.report import FAIL, PASS, SKIP, CheckResult, Report


def sample() -> Report:
    return Report(
        target="https://trove.example.com/v1.0/p1",
        dialect="rackspace",
        results=[
            CheckResult("backups.list", "200 {\"backups\": [...]}", "200, 3 backup(s)", PASS),
            CheckResult("backups.show.unknown", "404 itemNotFound fault",
                        "200, body is not JSON: 'a | b " + "x" * 80 + "'", FAIL,
                        ["GET /v1.0/p1/backups/1 -> 200: body is not JSON"]),
            CheckResult("backups.show", "200 backup", "no backup listed to show", SKIP),
        ],
        notes=["dialect rackspace detected from the host name of the URL"],
    )


def test_the_text_table_wraps_cells_and_lists_details_under_their_row() -> None:
    lines = sample().text().splitlines()
    assert lines[0] == ("trovemock contract report for https://trove.example.com/v1.0/p1 "
                        "(dialect rackspace)")
    assert lines[1] == "note: dialect rackspace detected from the host name of the URL"
    assert max(len(line) for line in lines if line.startswith(" ")) <= 132
    row = next(i for i, line in enumerate(lines) if line.startswith(" backups.show.unknown"))
    assert lines[row].endswith("| FAIL")
    assert lines[row + 1].startswith(" " * 29 + " |")  # the long answer wraps in its column
    detail = next(line for line in lines[row:] if line.startswith("    - "))
    assert detail == "    - GET /v1.0/p1/backups/1 -> 200: body is not JSON"
    assert lines[-1] == "FAILED: 1 passed, 1 failed, 1 skipped"


def test_markdown_escapes_pipes_and_puts_details_in_the_answer_cell(tmp_path: Path) -> None:
    path = tmp_path / "r.markdown"
    sample().write(path)
    text = path.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| backups.show.unknown"))
    assert "a \\| b" in row
    assert row.endswith("<br>- GET /v1.0/p1/backups/1 -> 200: body is not JSON | **FAIL** |")
    assert row.count(" | ") == 3


def test_json_and_plain_text_files(tmp_path: Path) -> None:
    report = sample()
    report.write(tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["passed"] is False
    assert data["counts"] == {"PASS": 1, "FAIL": 1, "SKIP": 1}
    assert data["results"][2] == {"check": "backups.show", "expected": "200 backup",
                                  "answer": "no backup listed to show", "result": "SKIP",
                                  "details": []}
    report.write(tmp_path / "r.txt")
    assert (tmp_path / "r.txt").read_text(encoding="utf-8") == report.text()


def test_skips_do_not_fail_a_report() -> None:
    report = sample()
    report.results = [r for r in report.results if r.result != FAIL]
    assert report.passed
    assert report.summary() == "PASSED: 1 passed, 0 failed, 1 skipped"
