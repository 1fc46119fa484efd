"""The wheel is what users install: build it, install it into a fresh venv (with pytest, and
nothing else but trovemock's own dependencies), and use it from there, in a directory holding
a foreign `schemas` folder and a foreign `conftest_plugin` package that sit first on sys.path.

The first test builds the wheel and the venv once for the module (about 30 s on 2 cores)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import tomllib
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# End to end: real processes, sockets or installs (slow; `pytest -m "not e2e"` leaves them out).
pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Installed:
    wheel: Path
    python: Path
    bin: Path
    workdir: Path  # holds the decoys; commands run here

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        return subprocess.run(
            args, cwd=self.workdir, env=env, capture_output=True, text=True, timeout=timeout
        )


def _pip(python: Path | str, *args: str) -> None:
    done = subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", "-q", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("wheel")
    _pip(sys.executable, "wheel", "--no-deps", "-w", str(base / "dist"), str(ROOT))
    (wheel,) = (base / "dist").glob("trovemock-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True, timeout=300)
    python = base / "venv" / "bin" / "python"
    _pip(python, "install", str(wheel), "pytest")
    workdir = base / "project"
    site_packages = next((base / "venv" / "lib").glob("python3*/site-packages"))
    # What other projects and distributions may hold: a `schemas` folder, in the project
    # and installed beside trovemock in site-packages...
    for decoys in (workdir / "schemas", site_packages / "schemas"):
        decoys.mkdir(parents=True)
        (decoys / "__init__.py").write_text("")
        (decoys / "fault.json").write_text('{"not": "trovemock\'s"}')
    foreign = workdir / "conftest_plugin"  # ...and a conftest_plugin package of its own
    foreign.mkdir()
    (foreign / "__init__.py").write_text("OWNER = 'the project'\n")
    (foreign / "plugin.py").write_text("raise ImportError('not trovemock')\n")
    yield Installed(wheel, python, python.parent, workdir)


def test_the_wheel_holds_every_module_schema_and_the_typing_marker(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    modules = {
        str(path.relative_to(ROOT))
        for package in ("trovemock", "conftest_plugin")
        for path in (ROOT / package).rglob("*.py")
    }
    assert modules <= names, sorted(modules - names)
    schemas = {
        "trovemock/_schemas/" + str(path.relative_to(ROOT / "schemas"))
        for path in (ROOT / "schemas").rglob("*.json")
    }
    assert schemas and schemas <= names, sorted(schemas - names)
    assert "trovemock/py.typed" in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(installed.wheel).read(entry_points).decode()
    assert "[pytest11]\ntrovemock = trovemock.pytest_entry:plugin" in text
    assert "trovemock-contract" not in text


def test_the_installed_wheel_serves_the_dashboard(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    shipped = {f"trovemock/control/dashboard/{n}" for n in ("index.html", "app.js", "app.css")}
    assert shipped <= names, sorted(shipped - names)
    code = (
        "from werkzeug.test import Client; import trovemock; c = Client(trovemock.TroveMock()); "
        "print(*(c.get('/_trovemock/ui/' + n).status_code for n in ('', 'app.js', 'app.css')))"
    )
    done = installed.run(str(installed.python), "-c", code)
    assert done.stdout.split() == ["200", "200", "200"], done.stdout + done.stderr


def test_the_installed_package_works_and_reads_its_own_schemas(installed: Installed) -> None:
    code = textwrap.dedent(
        """
        import json, sys
        from werkzeug.test import Client
        from trovemock import TroveMock
        from trovemock.schema import schemas_root, validation_message

        mock = TroveMock()
        inst = mock.add_instance("p1")
        api = Client(mock)
        created = api.post("/v1.0/p1/backups", headers={"X-Auth-Token": "t"},
                           json={"backup": {"name": "n", "instance": inst.id}})
        refused = api.post("/v1.0/p1/backups", headers={"X-Auth-Token": "t"},
                           json={"backup": {"name": "n"}})
        print(json.dumps({
            "root": str(schemas_root()),
            "created": created.status_code,
            "refused": [refused.status_code, refused.json],
            "invalid": validation_message("requests/backup-create-openstack", {}),
        }))
        """
    )
    done = installed.run(str(installed.python), "-c", code)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert os.path.join("site-packages", "trovemock", "_schemas") in seen["root"]
    assert seen["created"] == 202
    assert seen["refused"][0] == 400 and "badRequest" in seen["refused"][1]
    assert seen["invalid"].startswith("Validation error:")


def test_the_console_script_serves_and_stops(installed: Installed) -> None:
    process = subprocess.Popen(
        [str(installed.bin / "trovemock"), "serve", "--port", "0", "--quiet"],
        cwd=installed.workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline() if process.stdout else ""
        url = first.split(" on ", 1)[1].strip()
        request = urllib.request.Request(
            url + "/v1.0/demo/backups", headers={"X-Auth-Token": "demo-token"}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200
            assert json.loads(answer.read())["backups"][0]["name"] == "nightly"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0


def test_the_plugin_runs_from_the_installed_wheel(installed: Installed) -> None:
    (installed.workdir / "test_downstream.py").write_text(
        textwrap.dedent(
            """
            import json
            import urllib.request

            import conftest_plugin
            import pytest


            def test_in_process(trove):
                instance = trove.add_instance("test-project")
                assert trove.instance(instance.id).status == "ACTIVE"


            def test_over_http(trove, trove_server):
                trove.add_instance("test-project")
                request = urllib.request.Request(
                    trove_server.endpoint() + "/instances", headers={"X-Auth-Token": "t"}
                )
                with urllib.request.urlopen(request, timeout=30) as answer:
                    assert len(json.loads(answer.read())["instances"]) == 1


            @pytest.mark.trove(dialect="rackspace")
            def test_marker(trove):
                assert trove.dialect == "rackspace"


            def test_the_projects_own_package_is_untouched():
                assert conftest_plugin.OWNER == "the project"
            """
        )
    )
    done = installed.run(str(installed.python), "-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 passed" in done.stdout
    helped = installed.run(str(installed.python), "-m", "pytest", "--help")
    assert "--trove-url" not in helped.stdout  # no contract options unless asked for


def test_every_python_package_is_listed() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
            "packages"
        ]
    )
    for init in [*ROOT.glob("trovemock/**/__init__.py"), *ROOT.glob("conftest_plugin/__init__.py")]:
        package = ".".join(init.parent.relative_to(ROOT).parts)
        assert package in listed, f"{package} is missing from [tool.setuptools] packages"
