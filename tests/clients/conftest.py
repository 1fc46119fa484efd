"""The client tier: real clients, each in its own venv under `.venv-clients/` (built by
`bash .ci/tiers/20-clients.sh` from the pinned files beside this), drive `trovemock serve`.

Where the venvs are absent (a developer's default run) only `test_tier.py` is collected, and
its one test is skipped with one line saying how to run the tier.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_process import ServeProcess, assert_clean_exit

ROOT = Path(__file__).resolve().parents[2]
VENVS = Path(os.environ.get("TROVEMOCK_CLIENT_VENVS", ROOT / ".venv-clients"))
SCRIPTS = Path(__file__).parent / "scripts"
NOT_BUILT = "client tier not built (.venv-clients/ absent): run  bash .ci/tiers/20-clients.sh"
# Durations for a server on the wall clock: everything settles in well under a second.
FAST = {"instance_build_seconds": 0.3, "instance_action_seconds": 0.3,
        "backup_new_seconds": 0.2, "backup_building_seconds": 0.3, "copy_seconds": 0.3}


CLIENT_VENVS = ("openstack", "pyrax", "cdbclient")


def venv_bin(venv: str, program: str) -> Path:
    return VENVS / venv / "bin" / program


BUILT = all(venv_bin(venv, "python").exists() for venv in CLIENT_VENVS)
collect_ignore = [] if BUILT else [
    "test_openstack_clients.py", "test_pyrax.py", "test_cdbclient.py",
]  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def _client_venv(request: pytest.FixtureRequest) -> None:
    venv = getattr(request.module, "VENV", None)
    if venv is not None and not venv_bin(venv, "python").exists():
        pytest.skip(NOT_BUILT)


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """No OS_* / TROVE_* variables or config files of the person running the tests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "TROVE"))}
    env["HOME"] = str(tmp_path_factory.mktemp("home"))
    env["PYTHONWARNINGS"] = "ignore"
    return env


def serve(*args: str) -> Iterator[ServeProcess]:
    with ServeProcess("--no-seed-demo", *args) as served:
        assert served.control("PUT", "config", FAST).ok
        yield served
        assert_clean_exit(served)


def run(command: list[str], env: dict[str, str], timeout: float = 120) -> tuple[int, str, str]:
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def run_json(command: list[str], env: dict[str, str]):
    code, out, err = run(command, env)
    assert code == 0, f"{' '.join(command)}\n{out}\n{err}"
    return json.loads(out)
