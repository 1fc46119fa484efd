"""The wheel ships every JSON Schema: each folder of `schemas/` is a listed package."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_schema_folder_is_packaged_into_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    assert config["package-dir"]["trovemock._schemas"] == "schemas"
    listed = set(config["packages"])
    folders = {p.parent for p in (ROOT / "schemas").rglob("*.json")}
    assert folders, "schemas/ holds no schema"
    for folder in folders:
        relative = folder.relative_to(ROOT / "schemas")
        package = ".".join(("trovemock._schemas", *relative.parts))
        assert package in listed, f"{folder} is not in [tool.setuptools] packages"
    assert config["package-data"]["trovemock._schemas"] == ["*.json", "**/*.json"]


def test_every_python_package_is_listed() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
            "packages"
        ]
    )
    for init in [*ROOT.glob("trovemock/**/__init__.py"), *ROOT.glob("conftest_plugin/__init__.py")]:
        package = ".".join(init.parent.relative_to(ROOT).parts)
        assert package in listed, f"{package} is missing from [tool.setuptools] packages"
