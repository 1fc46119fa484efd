"""The browser tier: the dashboard driven in a real Chromium (Debian's `chromium`) through a
pinned Playwright that launches that system browser and never downloads one.

`.ci/tiers/40-browser.sh` runs this directory (it sets TROVEMOCK_BROWSER=1); the default run
over tests/ leaves it out (tests/conftest.py), so CI runs it once. Run directly, a missing
browser or Playwright skips these tests with the reason, unless CI is set: then it fails.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.serve_process import ServeProcess

SCREENSHOTS = Path(__file__).parent / "screenshots"
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
HOW_TO_RUN = ("tests/dashboard (browser tier) not run: "
              "run it with `bash .ci/tiers/40-browser.sh`")


def _in_ci() -> bool:
    value = os.environ.get("CI", "").strip().lower()
    return bool(value) and value not in ("0", "false", "no")


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (the tier's .venv-browser has it)"
    if chromium_path() is None:
        return "chromium is not installed (apt-get install chromium)"
    return None


def chromium_path() -> str | None:
    return os.environ.get("TROVEMOCK_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    missing = _missing()
    if missing:
        if _in_ci():
            pytest.fail(f"browser tests cannot run in CI: {missing}")
        pytest.skip(f"browser tests skipped: {missing}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
        print(f"chromium {launched.version}")
        yield launched
        launched.close()


@pytest.fixture
def server() -> Iterator[ServeProcess]:
    """`trovemock serve --clock manual` on 127.0.0.1, stopped by its PID."""
    with ServeProcess("--clock", "manual", "--no-seed-demo", "--dialect", "rackspace") as running:
        yield running


class Watched:
    """A page whose console errors, page errors and CSP violations are collected."""

    def __init__(self, page: Any, name: str) -> None:
        self.page = page
        self.name = name
        self.problems: list[str] = []
        self.allow_http_errors = False  # a test that makes the API refuse input on purpose
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.add_init_script(
            "window.__csp = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        )

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        if self.allow_http_errors and message.text.startswith(
            "Failed to load resource: the server responded with a status of 4"
        ):
            return
        self.problems.append(message.text)

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_selector("body[data-ready='1']")

    def view(self, name: str) -> None:
        self.page.click(f"nav button[data-view='{name}']")
        self.page.wait_for_selector(f"body[data-view='{name}']")
        self.shot(name)

    def shot(self, label: str) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        safe = re.sub(r"[^\w.-]+", "_", f"{self.name}-{label}")
        self.page.screenshot(path=str(SCREENSHOTS / f"{safe}.png"), full_page=True)

    def check_clean(self) -> None:
        violations = self.page.evaluate("window.__csp || []")
        assert self.problems == [] and violations == [], (self.problems, violations)


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    watched = Watched(context.new_page(), request.node.name)
    try:
        yield watched
        watched.check_clean()
    finally:
        context.close()
