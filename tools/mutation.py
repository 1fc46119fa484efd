"""A bounded mutation check of the domain rules, with mutmut (pinned below).

    python3 tools/mutation.py                  # backups.py and instances.py (about 15 min)
    python3 tools/mutation.py trovemock/model/copies.py     # other model modules
    python3 tools/mutation.py --update-readme  # ...and record the figures in README.md

mutmut changes the code one small edit at a time (a comparison flipped, a constant changed, a
call dropped...) and runs the core rule tests against each change; a change no test notices
("survived") is a rule the suite does not pin down. The run happens in a copy of the checkout
(mutmut writes a `mutants/` folder and its config there), with its own venv
(`.venv-mutation`, made on first use), so the working tree is never touched. Not part of CI:
it takes minutes. Every survivor is listed with its diff; some are equivalent mutants (the
change alters nothing observable, such as a default argument no caller uses).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-mutation"
MUTMUT = "mutmut==3.8.1"
DEFAULT_MODULES = ("trovemock/model/backups.py", "trovemock/model/instances.py")
# The rule tests: fast, in-process, every rule through HTTP (no servers, no subprocesses).
TESTS = (
    "tests/backups/test_backup_names.py",
    "tests/backups/test_backup_create.py",
    "tests/backups/test_one_running_backup.py",
    "tests/backups/test_backup_lifecycle.py",
    "tests/backups/test_incremental_chains.py",
    "tests/backups/test_backup_delete.py",
    "tests/backups/test_backup_list.py",
    "tests/backups/test_restore.py",
    "tests/backups/test_backup_quota.py",
    "tests/instances/test_instances.py",
    "tests/regions/test_cross_region_copies.py",
    "tests/regions/test_ha_backups.py",
)
README = ROOT / "README.md"
START, END = "<!-- mutation:start -->", "<!-- mutation:end -->"


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", MUTMUT, "-e", f"{ROOT}[test]"], check=True
    )
    return VENV / "bin"


def copy_checkout(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def write_config(target: Path, modules: list[str]) -> None:
    def listing(values: list[str] | tuple[str, ...]) -> str:
        return "\n    ".join(values)

    (target / "setup.cfg").write_text(
        "[mutmut]\n"
        "source_paths = trovemock\n"
        f"only_mutate = {listing(modules)}\n"
        "also_copy = schemas\n    conftest_plugin\n"
        f"pytest_add_cli_args_test_selection = {listing(TESTS)}\n"
        "pytest_add_cli_args = -p no:cacheprovider\n",
        encoding="utf-8",
    )


def results(bin_dir: Path, workdir: Path) -> dict[str, list[str]]:
    done = subprocess.run(
        [str(bin_dir / "mutmut"), "results", "--all", "true"],
        cwd=workdir, capture_output=True, text=True, check=True,
    )
    found: dict[str, list[str]] = {}
    for line in done.stdout.splitlines():
        match = re.match(r"\s*(\S+): (.+)$", line)
        if match:
            found.setdefault(match.group(2).strip(), []).append(match.group(1))
    return found


def main(argv: list[str]) -> int:
    if "-h" in argv or "--help" in argv:
        print(__doc__.strip())
        return 0
    modules = [a for a in argv if not a.startswith("-")] or list(DEFAULT_MODULES)
    bin_dir = ensure_venv()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="trovemock-mutation-") as tmp:
        workdir = Path(tmp)
        copy_checkout(workdir)
        write_config(workdir, modules)
        subprocess.run([str(bin_dir / "mutmut"), "run", "--max-children", "2"], cwd=workdir,
                       check=True, stdout=subprocess.DEVNULL)
        found = results(bin_dir, workdir)
        survivors = found.get("survived", [])
        for name in survivors:
            shown = subprocess.run([str(bin_dir / "mutmut"), "show", name], cwd=workdir,
                                   capture_output=True, text=True)
            print(f"--- survived: {name}\n{shown.stdout}")
    minutes = (time.monotonic() - started) / 60
    total = sum(len(names) for names in found.values())
    killed = len(found.get("killed", []))
    others = ", ".join(
        f"{len(names)} {status}" for status, names in sorted(found.items()) if status != "killed"
    )
    command = " ".join(["python3 tools/mutation.py", *argv])
    shown_modules = ", ".join(f"`{module}`" for module in modules)
    summary = (
        f"Last run: {datetime.now(UTC):%Y-%m-%d}, `{command}` on {shown_modules}: {total} "
        f"mutants, {killed} killed ({100 * killed / max(total, 1):.0f} %), {others}; "
        f"{minutes:.0f} minutes on 2 cores."
    )
    print(summary)
    if "--update-readme" in argv:
        text = README.read_text("utf-8")
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        README.write_text(f"{head}{START}\n{summary}\n{END}{tail}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
