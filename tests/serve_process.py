"""`trovemock serve` in a subprocess, for the tests that need a real process: started on a
free port, waited for, and stopped by its own PID."""

from __future__ import annotations

import os
import re
import resource
import selectors
import signal
import subprocess
import sys
import time

import requests

READY_TIMEOUT = 20.0


# serve() checks for its stop signal every 0.1 s; this bound only catches a server that hangs,
# with room for a loaded 2-core CI machine (it is not a speed target: see benchmarks/).
EXIT_TIMEOUT = 10.0


class ServeProcess:
    """Runs `python -m trovemock.cli serve --port 0 ARGS...` and reads the URL from its banner."""

    def __init__(self, *args: str, descriptor_limit: int | None = None) -> None:
        command = [sys.executable, "-m", "trovemock.cli", "serve", "--port", "0", "--quiet"]

        def limit_descriptors() -> None:  # in the child, before it runs the server
            if descriptor_limit is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (descriptor_limit, descriptor_limit))

        self.proc = subprocess.Popen(
            [*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
            preexec_fn=limit_descriptors,
        )
        try:
            self.banner = self._read_banner()
            match = re.search(r"on (http://127\.0\.0\.1:\d+)$", self.banner.splitlines()[0])
            assert match, self.banner
            self.url = match.group(1)
            self._wait_ready()
        except BaseException:
            self.proc.kill()
            self.proc.wait()
            raise

    def _read_banner(self) -> str:
        """Everything `serve` prints up to its last banner line (read unbuffered, so a
        select() on the pipe never misses lines already read into a buffer)."""
        output = b""
        deadline = time.monotonic() + READY_TIMEOUT
        with selectors.DefaultSelector() as selector:
            selector.register(self.proc.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not selector.select(timeout=0.1):
                    continue
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:  # the process ended before printing its banner
                    raise AssertionError(f"serve exited: {self.proc.stderr.read().decode()}")
                output += chunk
                if b"Press Ctrl-C" in output:
                    return output.decode()
        raise AssertionError(f"no banner within the timeout:\n{output.decode()}")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                if requests.get(self.url + "/_trovemock/clock", timeout=READY_TIMEOUT).ok:
                    return
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.05)

    def control(self, method: str, path: str, body=None) -> requests.Response:
        return requests.request(method, f"{self.url}/_trovemock/{path}", json=body, timeout=5)

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, float, str]:
        """Send `sig`; returns (exit code, seconds it took to exit, stderr)."""
        started = time.monotonic()
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=EXIT_TIMEOUT + 10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        elapsed = time.monotonic() - started
        return code, elapsed, self.proc.stderr.read().decode()

    def __enter__(self) -> ServeProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.stop()
        self.proc.stdout.close()
        self.proc.stderr.close()


def assert_clean_exit(server: ServeProcess, sig: int = signal.SIGTERM) -> None:
    code, elapsed, stderr = server.stop(sig)
    assert code == 0, stderr
    assert elapsed < EXIT_TIMEOUT
    assert "Traceback" not in stderr
