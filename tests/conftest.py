"""Fixtures shared across the project's tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, settings
from loopback import PrivateRedis

from gateway.fake import CoLendingFaker

AS_OF = datetime(2026, 6, 1, tzinfo=UTC)

# Property tests run on shared 2-core machines: slow example generation is load, not a defect.
settings.register_profile("coloan", suppress_health_check=[HealthCheck.too_slow], deadline=None, database=None)
settings.load_profile("coloan")


@pytest.fixture
def as_of() -> datetime:
    """The fixed reference time of generated records and of validation in tests."""
    return AS_OF


@pytest.fixture
def fake() -> CoLendingFaker:
    """A seeded generator of realistic Chinese co-lending records at a fixed reference time."""
    return CoLendingFaker(20261203, as_of=AS_OF)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a Redis shared by the session's tests; each test keeps apart with its own ``prefix``."""
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    url = server.start()
    yield url
    server.stop()
