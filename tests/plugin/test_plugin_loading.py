"""How the plugin is loaded: installing trovemock adds one cheap plugin to every pytest session
of the environment; the contract suite's options appear only in sessions that use them; and a
project's own `conftest_plugin` package neither replaces ours nor is replaced by it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

# End to end: real processes, sockets or installs (slow; `pytest -m "not e2e"` leaves them out).
pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("trovemock.mock", "trovemock.api", "werkzeug", "jsonschema", "requests", "troveclient")


def test_one_pytest11_entry_point_loads_our_conftest_plugin() -> None:
    ours = [ep for ep in entry_points(group="pytest11") if ep.value.startswith("trovemock")]
    assert [(ep.name, ep.value) for ep in ours] == [("trovemock", "trovemock.pytest_entry:plugin")]
    plugin = ours[0].load()
    assert Path(plugin.__file__).resolve() == ROOT / "conftest_plugin" / "plugin.py"
    assert callable(plugin.trove) and callable(plugin.pytest_load_initial_conftests)


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, trovemock.pytest_entry\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_session_that_does_not_use_the_contract_suite_has_no_trove_options(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import sys

        def test_nothing_heavy_was_imported(request):
            assert request.config.pluginmanager.get_plugin("trovemock") is not None
            heavy = [m for m in ("trovemock.mock", "werkzeug", "jsonschema") if m in sys.modules]
            assert heavy == []
        """
    )
    help_text = pytester.runpytest_subprocess("--help").stdout.str()
    assert "--trove-url" not in help_text
    unknown = pytester.runpytest_subprocess("--trove-nonsense")
    assert unknown.ret == pytest.ExitCode.USAGE_ERROR  # the contract plugin knows no such option
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_trove_option_loads_the_contract_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_options(request):
            assert request.config.getoption("--trove-url") == "http://127.0.0.1:9/v1.0/p"
            assert request.config.getoption("--trove-dialect") == "auto"
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--trove-url", "http://127.0.0.1:9/v1.0/p"
    )
    result.assert_outcomes(passed=1)
    helped = pytester.runpytest_subprocess("-p", "trovemock.contract.pytest_plugin", "--help")
    assert "--trove-url" in helped.stdout.str()


def test_a_projects_own_conftest_plugin_package_shadows_nothing(
    pytester: pytest.Pytester,
) -> None:
    # `python -m pytest` puts the project directory first on sys.path, where this project
    # keeps a package of the same name that would break trovemock's plugin if it were loaded
    # in its place.
    package = pytester.path / "conftest_plugin"
    package.mkdir()
    (package / "__init__.py").write_text("OWNER = 'the project'\n")
    (package / "plugin.py").write_text("raise ImportError('the project has no pytest plugin')\n")
    pytester.makepyfile(
        textwrap.dedent(
            """
            import conftest_plugin

            def test_both_packages_work(trove):
                assert conftest_plugin.OWNER == "the project"
                assert trove.dialect == "openstack"
            """
        )
    )
    result = pytester.run(
        sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
    )
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines(["*1 passed*"])
