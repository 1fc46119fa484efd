"""The client venvs hold the pinned client versions (and, where they are absent, the one
line that says how to build and run the tier)."""

from __future__ import annotations

import subprocess

import pytest
from conftest import BUILT, NOT_BUILT, venv_bin

PINNED = (
    ("openstack", "python-troveclient", "8.11.0"),
    ("openstack", "python-openstackclient", "10.5.0"),
    ("pyrax", "pyrax", "1.10.0"),
    ("cdbclient", "cdbclient", "1.0.9"),
)


def test_client_venvs_hold_the_pinned_clients() -> None:
    if not BUILT:
        pytest.skip(NOT_BUILT)
    for venv, dist, version in PINNED:
        found = subprocess.run(
            [str(venv_bin(venv, "python")), "-c",
             f"import importlib.metadata as m; print(m.version({dist!r}))"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        assert found == version, (venv, dist)
