"""The state package's surface: ``__all__`` complete and importable, and no grpc."""

from __future__ import annotations

import subprocess
import sys

import gateway.state


def test_all_names_are_importable_and_unique() -> None:
    names = gateway.state.__all__
    assert len(set(names)) == len(names)
    for name in names:
        assert getattr(gateway.state, name) is not None, name


def test_every_public_name_is_in_all() -> None:
    public = {name for name in vars(gateway.state) if not name.startswith("_") and name != "annotations"}
    assert public == set(gateway.state.__all__)


def test_the_package_does_not_import_grpc() -> None:
    code = "import sys, gateway.state; print([m for m in sys.modules if m.split('.')[0] == 'grpc'])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
