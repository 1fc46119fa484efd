"""Every Python block in README.md that starts with `# example:` runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"```python\n(# example: ([^\n]+)\n.*?)```", re.DOTALL)


def examples() -> list[tuple[str, str]]:
    return [(m.group(2).strip(), m.group(1)) for m in BLOCK.finditer(README.read_text("utf-8"))]


def test_the_readme_has_runnable_examples() -> None:
    names = [name for name, _ in examples()]
    assert {"in-process", "rackspace", "disaster-recovery"} <= set(names), names
    assert len(names) == len(set(names)), "example names must be unique"


@pytest.mark.parametrize(("name", "code"), examples(), ids=[n for n, _ in examples()])
def test_readme_example_runs(name: str, code: str) -> None:
    exec(compile(code, f"README.md example {name!r}", "exec"), {"__name__": f"readme_{name}"})
