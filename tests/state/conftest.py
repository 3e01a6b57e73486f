"""Fixtures of the state-store tests: a stopped clock, and a private Redis for the whole session.

The Redis server is real: ``scripts/redis.sh`` installs redis-server with apt-get when it is
missing and starts it on a free loopback port; nothing is skipped when it is absent.
"""

from __future__ import annotations

import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from signing import conftest as signing_conftest

from gateway.signing import ManualClock

NOW_MS = signing_conftest.NOW_MS
"""The signing contract tests assume this time; every test here starts at it too."""
REDIS = pytest.param("redis", marks=pytest.mark.integration)
"""The Redis parameter of a store fixture: it needs the session's real server."""
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "redis.sh"
INSTALL_TIMEOUT_S = 280  # a first run may apt-get install redis-server


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_sh(*args: str | int | Path, timeout: float = INSTALL_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=timeout, check=False)


class PrivateRedis:
    """A redis-server started by ``scripts/redis.sh`` on a free port, with its files in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.port, self.directory = free_port(), directory

    def start(self) -> str:
        done = redis_sh("start", self.port, self.directory)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def stop(self) -> None:
        done = redis_sh("stop", self.port, timeout=30)
        assert done.returncode == 0, done.stderr


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a Redis shared by the session's tests; each test keeps apart with its own ``prefix``."""
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    url = server.start()
    yield url
    server.stop()


@pytest.fixture
def prefix() -> str:
    """A key prefix no other test uses, so tests share one Redis without flushing it."""
    return f"test-{uuid.uuid4().hex[:12]}:"


@pytest.fixture
def clock() -> ManualClock:
    """Stopped at the signing tests' ``NOW_MS``, which their contract tests assume."""
    return ManualClock(NOW_MS)
