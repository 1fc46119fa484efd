"""A venv with trovemock installed from its wheel (plus pytest), as a user installs it: no
editable-install finder on sys.path, bytecode compiled by pip. Start-up figures are measured
there. Built once into `benchmarks/.wheel-venv` and rebuilt when the sources change."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(__file__).resolve().parent / ".wheel-venv"


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for folder in ("trovemock", "conftest_plugin", "schemas"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    digest.update((ROOT / "pyproject.toml").read_bytes())
    return digest.hexdigest()


def wheel_venv() -> Path:
    """The venv's bin directory, (re)built when trovemock's sources changed."""
    stamp = VENV / "sources.sha256"
    digest = _sources_digest()
    if stamp.exists() and stamp.read_text() == digest:
        return VENV / "bin"
    pip = ["-m", "pip", "--disable-pip-version-check", "-q"]
    with tempfile.TemporaryDirectory() as dist:
        subprocess.run(
            [sys.executable, *pip, "wheel", "--no-deps", "-w", dist, str(ROOT)], check=True
        )
        (wheel,) = Path(dist).glob("trovemock-*.whl")
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "python"), *pip, "install", str(wheel), "pytest"],
                       check=True)
    stamp.write_text(digest)
    return VENV / "bin"
