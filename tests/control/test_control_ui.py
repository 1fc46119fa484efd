"""The dashboard's files under /_trovemock/ui/: served from the package with a strict CSP,
behind the control API's guard (the token excepted: the files hold no data), and shipped."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from werkzeug.test import Client

from trovemock import TroveMock

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "trovemock" / "control" / "dashboard"


@pytest.fixture
def client() -> Client:
    return Client(TroveMock())


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("/_trovemock/ui/", "text/html"),
        ("/_trovemock/ui", "text/html"),
        ("/_trovemock/ui/index.html", "text/html"),
        ("/_trovemock/ui/app.js", "text/javascript"),
        ("/_trovemock/ui/app.css", "text/css"),
    ],
)
def test_files_are_served_with_their_type_and_a_strict_csp(
    client: Client, path: str, mimetype: str
) -> None:
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer.mimetype == mimetype
    csp = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "require-trusted-types-for 'script'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in answer.headers


def test_an_unknown_file_is_a_404_fault(client: Client) -> None:
    answer = client.get("/_trovemock/ui/secrets.txt")
    assert answer.status_code == 404
    assert "has no file 'secrets.txt'" in answer.get_json()["itemNotFound"]["message"]


def test_a_file_path_cannot_climb_out_of_the_dashboard(client: Client) -> None:
    answer = client.get("/_trovemock/ui/..%2F..%2Fmock.py")
    assert answer.status_code == 404
    assert answer.content_type == "application/json"


def test_posting_to_the_files_is_refused(client: Client) -> None:
    answer = client.post("/_trovemock/ui/", json={})
    assert answer.status_code == 405


def test_a_foreign_host_and_a_cross_site_request_are_refused(client: Client) -> None:
    assert client.get("/_trovemock/ui/", headers={"Host": "evil.example"}).status_code == 403
    cross = client.get("/_trovemock/ui/", headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403


def test_with_a_token_the_page_loads_but_its_data_needs_the_token() -> None:
    mock = TroveMock()
    mock.control_guard.token = "s3cret"
    client = Client(mock)
    assert client.get("/_trovemock/ui/").status_code == 200
    assert client.get("/_trovemock/state").status_code == 401
    answer = client.get("/_trovemock/state", headers={"Authorization": "Bearer s3cret"})
    assert answer.status_code == 200


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline: list[str] = []
        self.ids: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self.scripts.append(found)
            self._in_script = True
        if tag == "style" or "style" in found or any(k.startswith("on") for k in found):
            self.inline.append(tag)
        if found.get("id"):
            self.ids.append(str(found["id"]))

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append("script")


def test_the_page_has_no_inline_script_or_style_and_unique_ids() -> None:
    parsed = _Collect()
    parsed.feed((DASHBOARD / "index.html").read_text(encoding="utf-8"))
    assert parsed.inline == []
    assert [s["src"] for s in parsed.scripts] == ["/_trovemock/ui/app.js"]
    assert len(parsed.ids) == len(set(parsed.ids))


def test_the_script_never_parses_strings_as_html() -> None:
    script = (DASHBOARD / "app.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink
    # every element id the script looks up exists in the page
    page = (DASHBOARD / "index.html").read_text(encoding="utf-8")
    for wanted in set(re.findall(r'\$\("([\w-]+)"\)', script)):
        assert f'id="{wanted}"' in page, wanted


def test_starting_the_cli_does_not_read_the_dashboard() -> None:
    code = (
        "import sys, trovemock.cli, trovemock.control.ui as ui; "
        "print(ui.asset.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
