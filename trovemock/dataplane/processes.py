"""Server processes the data plane starts: started directly (no daemonizing wrapper), in a
session of their own, told to die with the thread that started them (Linux's parent-death
signal), listed in a registry file, and stopped by their own PID, never by name."""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child, after fork, before exec
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start(argv: list[str], *, log: Path, user: str | None = None,
          env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start a server process; its output goes to `log`. With `user`, it runs as that
    account (PostgreSQL refuses root)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a ^C to the emulator reaches it only through us
            preexec_fn=_die_with_parent,  # after the user switch, which would clear it
            user=user,
            env=env,
            close_fds=True,
        )


def stop(process: subprocess.Popen, sig: int, timeout: float = 30.0) -> None:
    """Ask the process to stop with `sig`; after `timeout`, kill it. Waits for it."""
    if process.poll() is None:
        try:
            process.send_signal(sig)
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        except ProcessLookupError:
            pass


class Registry:
    """`servers.json` under the data plane's directory: what is running, so a later
    emulator can stop what a killed one left (only a process whose command line still names
    the recorded data directory: a PID may have been reused)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _read(self) -> dict[str, dict]:
        try:
            return json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}

    def _write(self, entries: dict[str, dict]) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(entries, indent=1))
        tmp.replace(self.path)

    def add(self, key: str, pid: int, datadir: Path) -> None:
        with self._lock:
            entries = self._read()
            entries[key] = {"pid": pid, "datadir": str(datadir)}
            self._write(entries)

    def remove(self, key: str) -> None:
        with self._lock:
            entries = self._read()
            if entries.pop(key, None) is not None:
                self._write(entries)

    def entries(self) -> dict[str, dict]:
        with self._lock:
            return self._read()

    def reap(self) -> list[int]:
        """Stop every recorded process still running with its data directory on its
        command line; forget the rest. Returns the PIDs stopped."""
        stopped = []
        with self._lock:
            for entry in self._read().values():
                pid, datadir = entry.get("pid"), entry.get("datadir")
                if isinstance(pid, int) and isinstance(datadir, str) and _runs(pid, datadir):
                    _terminate(pid)
                    stopped.append(pid)
            self._write({})
        return stopped


def _runs(pid: int, datadir: str) -> bool:
    """Whether `pid` runs with `datadir` on its command line (a process caught mid-exec
    shows an empty one for a moment: asked again before deciding)."""
    for _ in range(40):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False
        if cmdline:
            return any(datadir.encode() in part for part in cmdline.split(b"\0"))
        time.sleep(0.025)
    return False


def _exists(pid: int) -> bool:
    """Still running: a zombie (ended, waiting for its parent to read its status) is not."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _terminate(pid: int, timeout: float = 10.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _exists(pid):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
