"""The SDK's public surface is exactly its ``__all__``, every name importable."""

from __future__ import annotations

import types

import gateway.sdk


def test_all_names_are_importable_and_unique() -> None:
    assert len(set(gateway.sdk.__all__)) == len(gateway.sdk.__all__)
    for name in gateway.sdk.__all__:
        assert getattr(gateway.sdk, name) is not None, name


def test_all_lists_every_public_name_the_package_defines() -> None:
    public = {name for name, value in vars(gateway.sdk).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType) and name != "annotations"}
    assert public == set(gateway.sdk.__all__)
