"""Fixtures of the masking tests: deterministic keys, a fixed date, and test-only schemas."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from masking_support import TODAY, Schema, compile_schema, seeded

from masking import Engine, Keyring


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.ephemeral(random=seeded(1))


@pytest.fixture
def engine(keyring: Keyring) -> Engine:
    return Engine(keyring, today=lambda: TODAY)


@pytest.fixture
def schema(tmp_path: Path) -> Callable[[str], Schema]:
    """Compile a test-only schema body into a Schema (services, message classes, an engine)."""
    return lambda body: compile_schema(body, tmp_path)
