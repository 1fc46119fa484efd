"""README.md and the documentation's pages (docs/*.md) run as printed, each in order.

Every fenced block is one of:

- a Python block: run (its own namespace; `# example:` blocks also run one by one below);
  `<!-- readme: pytest -->` before it runs it as a test file with pytest, and
  `<!-- readme: given trove, backup_id -->` provides those names (a `>>>` block is a doctest);
- a shell block (`sh`: every line is a command; `console`: the `$ ` lines are commands and
  the lines under one are its output): run in one bash per `##` section, so a server started
  with `&` lives until the section ends. A `trovemock serve` without `&` is started in the
  background too (a reader keeps it open in another terminal), and the next command waits
  until it listens. Each command must exit 0 (`<!-- readme: exit N -->`: the block's last
  command exits N), and a JSON line printed under a command must have the same keys as the
  one the README shows;
- output (`text`, or no language): not run;
- `<!-- readme: skip: reason -->`: not run here, for the reason given;
- `<!-- readme: needs: mariadb postgresql -->`: the page runs only where those data plane
  engines are installed (it skips, saying which is missing; with
  TROVEMOCK_REQUIRE_DATAPLANE=1, as in CI, it fails instead).

The first of the two commands at the top runs as printed on a fresh copy of the checkout, and
`.ci/run` runs the second's test command. The servers use the README's ports (8779-8781), so
these tests take a file lock around them.
"""

from __future__ import annotations

import doctest
import fcntl
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
BIN = Path(sys.executable).parent
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[ \t]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.DOTALL | re.MULTILINE,
)

# End to end: real processes, sockets or installs (slow; `pytest -m "not e2e"` leaves them out).
pytestmark = pytest.mark.e2e
MARKER = re.compile(r"<!--\s*readme:\s*(?P<text>.*?)\s*-->")
SERVE = re.compile(r"(?:^|[\s/])trovemock(?:\s+serve\b|\s+--|\s*$|\s*&)")
COMMAND_TIMEOUT = 120.0
SERVER_TIMEOUT = 60.0


@dataclass
class Block:
    path: Path
    line: int
    lang: str
    body: str
    section: str
    marker: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        if "skip" in self.marker:
            return "skip"
        if self.lang == "python":
            return "pytest" if "pytest" in self.marker else "python"
        if self.lang in ("sh", "bash", "console", "shell"):
            return "shell"
        return "output"

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)} line {self.line} ({self.lang or 'text'})"


def _marker(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in text.split(";"):
        key, _, value = part.strip().partition(":")
        if key.strip().startswith("given "):
            key, value = "given", key.strip()[len("given ") :]
        elif " " in key.strip() and not value:
            key, value = key.strip().split(" ", 1)
        found[key.strip()] = value.strip()
    return found


def blocks() -> list[Block]:
    """Every page's blocks, the README's first."""
    return [block for page in PAGES for block in blocks_of(page)]


def blocks_of(page: Path) -> list[Block]:
    text = page.read_text("utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()]
        line = before.count("\n") + 1
        sections = re.findall(r"^## (.+)$", before, re.MULTILINE)
        previous = before.rstrip().splitlines()[-1] if before.strip() else ""
        marker = MARKER.search(previous)
        indent = match.group("indent")
        body = "".join(
            row[len(indent) :] if row.startswith(indent) else row
            for row in match.group("body").splitlines(keepends=True)
        )
        found.append(
            Block(
                path=page,
                line=line,
                lang=match.group("lang"),
                body=body,
                section=sections[-1] if sections else "",
                marker=_marker(marker.group("text")) if marker else {},
            )
        )
    return found


# -- the `# example:` blocks, one test each ----------------------------------------------------
def examples() -> list[tuple[str, str, str]]:
    """(name, code, the engines it needs) of every `# example:` block."""
    return [
        (block.body.splitlines()[0].split(":", 1)[1].strip(), block.body,
         block.marker.get("needs", ""))
        for block in blocks()
        if block.lang == "python" and block.body.startswith("# example:")
    ]


def test_the_readme_has_runnable_examples() -> None:
    names = [name for name, _, _ in examples()]
    assert {"in-process", "rackspace", "disaster-recovery"} <= set(names), names
    assert len(names) == len(set(names)), "example names must be unique"


@pytest.mark.parametrize(("name", "code", "needs"), examples(),
                         ids=[n for n, _, _ in examples()])
def test_readme_example_runs(name: str, code: str, needs: str) -> None:
    _require(needs.split(), name)
    exec(compile(code, f"README.md example {name!r}", "exec"), {"__name__": f"readme_{name}"})


def test_every_block_runs_or_says_why_not() -> None:
    found = blocks()
    assert len(found) > 20
    for block in found:
        if "skip" in block.marker:
            assert block.marker["skip"], f"{block}: a skip needs its reason"
    kinds = {block.kind for block in found}
    assert {"python", "pytest", "shell", "output", "skip"} <= kinds
    skipped = [block for block in found if block.kind == "skip"]
    assert len(skipped) <= 14, [str(b) for b in skipped]  # each says why


def test_a_pasted_block_waits_for_the_server_it_starts() -> None:
    """A reader pastes a whole block: a server started with `&` must be listening before the
    block's next command calls it."""
    for block in blocks():
        if block.kind not in ("shell", "skip") or block.lang not in ("sh", "console"):
            continue
        commands = [command for command, _ in shell_commands(block)]
        for command, following in zip(commands, commands[1:], strict=False):
            if SERVE.search(command) and command.split("#")[0].rstrip().endswith("&"):
                assert following.startswith("until curl"), (
                    f"{block}: {command!r} is not followed by a wait for the server")


# -- shell blocks -------------------------------------------------------------------------------
def shell_commands(block: Block) -> list[tuple[str, list[str]]]:
    """(command, the output lines the README shows under it) of a shell block."""
    commands: list[tuple[str, list[str]]] = []
    lines = block.body.splitlines()
    console = block.lang == "console"
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if console and not line.startswith("$ "):
            if commands:
                commands[-1][1].append(line)
            continue
        text = line[2:] if console else line
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        while text.endswith("\\") and index < len(lines):
            text = text + "\n" + lines[index]  # bash reads the backslash-newline
            index += 1
        commands.append((text, []))
    return commands


def _shape(value: Any) -> Any:
    """Keys of the JSON objects in `value`, recursively (values and list lengths vary)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return None


def _json_lines(lines: list[str]) -> list[Any]:
    found = []
    for line in lines:
        if line.startswith("{"):
            try:  # a background server's log line may follow on the same line
                found.append(json.JSONDecoder().raw_decode(line)[0])
            except ValueError:
                continue
    return found


class Shell:
    """One bash for a README section: commands run one after the other in it, and servers
    started with `&` stay up until `close()`."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def run(self, command: str, timeout: float = COMMAND_TIMEOUT) -> tuple[int, list[str]]:
        sentinel = f"__readme_done_{uuid.uuid4().hex}__"
        assert self.proc.stdin is not None
        # The newline ends output that has none (curl's), before the exit status.
        self.proc.stdin.write(f"{command}\n__status=$?; echo; echo {sentinel}$__status\n")
        self.proc.stdin.flush()
        output: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"{command!r} still runs after {timeout:.0f} s") from None
            if line is None:
                raise AssertionError(f"bash ended during {command!r}: {output}")
            if sentinel in line:
                before, _, code = line.partition(sentinel)
                if before:
                    output.append(before)
                return int(code), output
            output.append(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.run('kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; true', timeout=60)
            finally:
                if self.proc.stdin is not None:
                    self.proc.stdin.close()
                self.proc.wait(30)


def _wait_for_port(
    port: int, timeout: float = SERVER_TIMEOUT, process: subprocess.Popen | None = None
) -> None:
    """Until something listens on `port`; fails at once when `process` (the command meant to
    start the server) has ended instead, with what it printed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            printed = process.stdout.read() if process.stdout is not None else ""
            raise AssertionError(f"the command ended ({process.returncode}) before anything "
                                 f"listened on port {port}:\n{printed}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} after {timeout:.0f} s")


def _served_port(command: str) -> int | None:
    if not SERVE.search(command) or "--help" in command or "--version" in command:
        return None
    port = re.search(r"--port[ =](\d+)", command)
    return int(port.group(1)) if port else 8779


@contextmanager
def readme_ports() -> Iterator[None]:
    """The README's servers listen on fixed ports: one test at a time uses them, and they
    must be free when it starts."""
    with open(Path(tempfile.gettempdir()) / "trovemock-readme-ports.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for port in (8779, 8780, 8781):
            with socket.socket() as probe:
                busy = probe.connect_ex(("127.0.0.1", port)) == 0
            assert not busy, f"port {port} is in use: the README's examples need it free"
        yield


# -- given names for Python fragments -----------------------------------------------------------
def given(names: str) -> dict[str, Any]:
    from werkzeug.test import Client

    from trovemock import TroveMock

    trove = TroveMock()
    instance = trove.add_instance("p1")
    ids = []
    for name in ("first", "second"):
        created = Client(trove).post(
            "/v1.0/p1/backups",
            headers={"X-Auth-Token": "t"},
            json={"backup": {"name": name, "instance": instance.id}},
        )
        assert created.status_code == 202
        ids.append(created.json["backup"]["id"])
        trove.clock.advance(10)
    context = {"trove": trove, "backup_id": ids[-1]}
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    assert set(wanted) <= set(context), f"no given value for {set(wanted) - set(context)}"
    return {name: context[name] for name in wanted}


def run_python(block: Block, workdir: Path) -> None:
    namespace: dict[str, Any] = {"__name__": f"readme_line_{block.line}"}
    namespace.update(given(block.marker.get("given", "")))
    if block.body.lstrip().startswith(">>>"):
        test = doctest.DocTestParser().get_doctest(
            block.body, namespace, str(block), str(block.path), block.line
        )
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        result = runner.run(test, out=lambda text: print(text, end=""))
        assert result.failed == 0, f"{block}: doctest failed"
        return
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        exec(compile(block.body, str(block), "exec"), namespace)
    finally:
        os.chdir(cwd)


def run_pytest(block: Block, workdir: Path) -> None:
    path = workdir / f"test_readme_line_{block.line}.py"
    path.write_text(block.body, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    assert done.returncode == 0, f"{block}:\n{done.stdout}\n{done.stderr}"


def run_shell(block: Block, shell: Shell) -> None:
    commands = shell_commands(block)
    assert commands, f"{block}: no command"
    for number, (command, shown) in enumerate(commands, start=1):
        port = _served_port(command)
        if port is not None:
            command = re.sub(r"\s+#[^'\"]*$", "", command).rstrip()
            if not command.endswith("&"):
                command += " &"  # a foreground server: the reader keeps it in its own terminal
        print(f"   $ {command}", flush=True)
        code, output = shell.run(command)
        wanted = int(block.marker.get("exit", "0")) if number == len(commands) else 0
        assert code == wanted, f"{block}: {command!r} exited {code}:\n" + "\n".join(output)
        if port is not None:
            _wait_for_port(port)
        expected, actual = _json_lines(shown), _json_lines(output)
        if expected:
            assert actual, f"{block}: {command!r} printed no JSON:\n" + "\n".join(output)
            assert _shape(actual[0]) == _shape(expected[0]), (
                f"{block}: {command!r} printed {actual[0]}, the README shows {expected[0]}"
            )


def runnable(page: Path) -> list[Block]:
    return [block for block in blocks_of(page) if block.kind not in ("skip", "output")]


def test_the_pages_have_at_least_20_runnable_blocks() -> None:
    assert sum(len(runnable(page)) for page in PAGES) >= 20


@pytest.mark.parametrize(
    "page", [page for page in PAGES if runnable(page)], ids=lambda page: page.name
)
def test_the_readme_runs_in_order(page: Path, tmp_path: Path) -> None:
    _require_engines(page)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "VIRTUAL_ENV"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    shell: Shell | None = None
    section = None
    ran = 0
    with readme_ports():
        try:
            for block in runnable(page):
                if block.section != section:
                    if shell is not None:
                        shell.close()
                    shell, section = Shell(tmp_path, env), block.section
                assert shell is not None
                print(f"-- {block} [{block.kind}]", flush=True)  # shown when a block fails
                if block.kind == "shell":
                    run_shell(block, shell)
                elif block.kind == "pytest":
                    run_pytest(block, tmp_path)
                else:
                    run_python(block, tmp_path)
                ran += 1
        finally:
            if shell is not None:
                shell.close()
    assert ran == len(runnable(page))


def _require_engines(page: Path) -> None:
    """A page whose blocks need data plane engines runs only where they are installed."""
    wanted = {name for block in runnable(page) for name in block.marker.get("needs", "").split()}
    _require(sorted(wanted), page.name)


def _require(wanted: list[str], what: str) -> None:
    """Skip unless the data plane engines named are installed (fail instead in CI, where
    TROVEMOCK_REQUIRE_DATAPLANE=1)."""
    from trovemock.dataplane.servers import make_engines

    if not wanted:
        return
    engines = make_engines(())
    missing = [f"{name}: {engines[name].missing()}" for name in sorted(wanted)
               if engines[name].missing()]
    if not missing:
        return
    if os.environ.get("TROVEMOCK_REQUIRE_DATAPLANE") == "1":
        pytest.fail(f"{what} needs {'; '.join(missing)}", pytrace=False)
    pytest.skip(f"{what} needs {'; '.join(missing)}")


# -- the two commands at the top -----------------------------------------------------------------
def top_commands() -> list[str]:
    first, second = [b for b in blocks_of(README) if b.section == "Start here: two commands"][:2]
    return [first.body.strip(), second.body.strip()]


def test_ci_runs_the_second_command() -> None:
    second = top_commands()[1]
    pytest_command = second.split("&&")[-1].strip().replace(".venv/bin/", "")
    assert pytest_command == "python -m pytest -n 2 -q -p no:cacheprovider"
    assert f"\n{pytest_command}\n" in (ROOT / ".ci" / "run").read_text("utf-8")


def test_the_first_command_installs_and_serves_on_a_fresh_copy(tmp_path: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to copy from")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    copy = tmp_path / "trovemock"
    for name in filter(None, listed.split("\0")):
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, target)
    first = top_commands()[0]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    with readme_ports():
        process = subprocess.Popen(
            ["bash", "-c", first],
            cwd=copy,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            _wait_for_port(8779, timeout=600, process=process)
            request = urllib.request.Request(
                "http://127.0.0.1:8779/v1.0/demo/backups", headers={"X-Auth-Token": "t"}
            )
            with urllib.request.urlopen(request, timeout=30) as answer:
                assert [b["name"] for b in json.loads(answer.read())["backups"]] == ["nightly"]
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            output, _ = process.communicate(timeout=60)
    assert (copy / ".venv" / "bin" / "trovemock").exists()
    assert "serving the openstack dialect on http://127.0.0.1:8779" in output, output
