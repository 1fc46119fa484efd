"""The `pytest11` entry point `trovemock` (``trovemock.pytest_entry:plugin``).

It loads the `conftest_plugin` package installed with this trovemock by its location. When
the name `conftest_plugin` would find another package first (a project's own folder of that
name on sys.path, say), ours is loaded under a private module name instead, so neither package
replaces the other. Loading it imports nothing of trovemock's emulator, werkzeug or jsonschema:
the fixtures import those when a test uses them.
"""

from __future__ import annotations

import importlib
import os
import sys
from importlib.util import find_spec, module_from_spec, spec_from_file_location
from types import ModuleType

PACKAGE = "conftest_plugin"
PRIVATE_NAME = "trovemock._conftest_plugin"  # where ours lives when the name is taken


def _our_folder() -> str:
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), PACKAGE)


def _same_folder(spec_locations: list[str] | None, folder: str) -> bool:
    return any(os.path.realpath(path) == os.path.realpath(folder) for path in spec_locations or ())


def load_plugin() -> ModuleType:
    """The plugin module of trovemock's own `conftest_plugin` package."""
    folder = _our_folder()
    if not os.path.isfile(os.path.join(folder, "__init__.py")):
        return importlib.import_module(f"{PACKAGE}.plugin")  # an unusual layout: trust sys.path
    loaded = sys.modules.get(PACKAGE)
    if loaded is not None:
        found = list(getattr(loaded, "__path__", ()))
    else:
        spec = find_spec(PACKAGE)
        found = list(spec.submodule_search_locations or ()) if spec is not None else []
    if _same_folder(found, folder):
        return importlib.import_module(f"{PACKAGE}.plugin")
    package = sys.modules.get(PRIVATE_NAME)
    if package is None:
        spec = spec_from_file_location(
            PRIVATE_NAME, os.path.join(folder, "__init__.py"), submodule_search_locations=[folder]
        )
        assert spec is not None and spec.loader is not None
        package = module_from_spec(spec)
        sys.modules[PRIVATE_NAME] = package
        spec.loader.exec_module(package)
    return importlib.import_module(f"{PRIVATE_NAME}.plugin")


plugin = load_plugin()
