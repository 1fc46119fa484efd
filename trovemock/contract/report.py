"""The contract report: one row per check (expected vs. the deployment's answer)."""

from __future__ import annotations

import json
import textwrap
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"
COLUMNS = (("Check", 28), ("Expected (documented)", 44), ("Answer", 44), ("Result", 6))


@dataclass
class CheckResult:
    check: str
    expected: str
    answer: str
    result: str  # PASS, FAIL or SKIP
    details: list[str] = field(default_factory=list)  # schema errors and other findings

    @property
    def failed(self) -> bool:
        return self.result == FAIL

    def explain(self) -> str:
        lines = [f"{self.check}: {self.result}", f"  expected: {self.expected}",
                 f"  answer:   {self.answer}"]
        lines += [f"  - {detail}" for detail in self.details]
        return "\n".join(lines)


@dataclass
class Report:
    target: str
    dialect: str
    results: list[CheckResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not any(result.failed for result in self.results)

    def result(self, check: str) -> CheckResult:
        for result in self.results:
            if result.check == check:
                return result
        raise KeyError(check)

    def counts(self) -> dict[str, int]:
        return {kind: sum(r.result == kind for r in self.results) for kind in (PASS, FAIL, SKIP)}

    def summary(self) -> str:
        counts = self.counts()
        verdict = "PASSED" if self.passed else "FAILED"
        return (f"{verdict}: {counts[PASS]} passed, {counts[FAIL]} failed, "
                f"{counts[SKIP]} skipped")

    def text(self) -> str:
        """A plain-text table for the terminal; details follow their row, indented."""
        lines = [f"trovemock contract report for {self.target} (dialect {self.dialect})"]
        lines += [f"note: {note}" for note in self.notes]
        widths = [width for _, width in COLUMNS]
        rule = "+".join("-" * (w + 2) for w in widths)
        lines += [rule, _row([title for title, _ in COLUMNS], widths), rule]
        for result in self.results:
            lines.append(_row([result.check, result.expected, result.answer, result.result],
                              widths))
            for detail in result.details:
                lines += textwrap.wrap(detail, 120, initial_indent="    - ",
                                       subsequent_indent="      ")
        lines += [rule, self.summary()]
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        lines = ["# trovemock contract report", "",
                 f"Target: `{self.target}`, dialect `{self.dialect}`.", ""]
        lines += [f"- {note}" for note in self.notes]
        lines += ["", "| Check | Expected (documented) | Answer | Result |",
                  "|---|---|---|---|"]
        for result in self.results:
            answer = result.answer + "".join(f"<br>- {d}" for d in result.details)
            cells = [result.check, result.expected, answer, f"**{result.result}**"]
            lines.append("| " + " | ".join(_md(cell) for cell in cells) + " |")
        lines += ["", self.summary()]
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "dialect": self.dialect, "passed": self.passed,
                "counts": self.counts(), "notes": self.notes,
                "results": [asdict(result) for result in self.results]}

    def write(self, path: str | Path) -> None:
        """Markdown for .md/.markdown, JSON for .json, the text table otherwise."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix in (".md", ".markdown"):
            content = self.markdown()
        elif suffix == ".json":
            content = json.dumps(self.to_dict(), indent=2) + "\n"
        else:
            content = self.text()
        path.write_text(content, encoding="utf-8")


def _row(cells: list[str], widths: list[int]) -> str:
    wrapped = [textwrap.wrap(cell, width) or [""]
               for cell, width in zip(cells, widths, strict=True)]
    height = max(len(lines) for lines in wrapped)
    out = []
    for i in range(height):
        parts = [(lines[i] if i < len(lines) else "").ljust(width)
                 for lines, width in zip(wrapped, widths, strict=True)]
        out.append(" " + " | ".join(parts).rstrip())
    return "\n".join(out)


def _md(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")
