"""Fixtures shared across the project's tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.fake import CoLendingFaker

AS_OF = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def as_of() -> datetime:
    """The fixed reference time of generated records and of validation in tests."""
    return AS_OF


@pytest.fixture
def fake() -> CoLendingFaker:
    """A seeded generator of realistic Chinese co-lending records at a fixed reference time."""
    return CoLendingFaker(20261203, as_of=AS_OF)
