"""Fixtures of the state-store tests: a stopped clock and key prefixes; the session's private Redis
(``redis_url``) comes from tests/conftest.py."""

from __future__ import annotations

import uuid

import pytest
from loopback import SCRIPT, PrivateRedis, free_port, redis_sh
from signing import conftest as signing_conftest

from gateway.signing import ManualClock

__all__ = ["NOW_MS", "REDIS", "SCRIPT", "PrivateRedis", "free_port", "redis_sh"]

NOW_MS = signing_conftest.NOW_MS
"""The signing contract tests assume this time; every test here starts at it too."""
REDIS = pytest.param("redis", marks=pytest.mark.integration)
"""The Redis parameter of a store fixture: it needs the session's real server."""
@pytest.fixture
def prefix() -> str:
    """A key prefix no other test uses, so tests share one Redis without flushing it."""
    return f"test-{uuid.uuid4().hex[:12]}:"


@pytest.fixture
def clock() -> ManualClock:
    """Stopped at the signing tests' ``NOW_MS``, which their contract tests assume."""
    return ManualClock(NOW_MS)
