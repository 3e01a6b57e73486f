"""What tests run on 127.0.0.1: free ports, and a real, private redis-server (``scripts/redis.sh``
installs it with apt-get when it is missing; nothing is skipped when it is absent)."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "redis.sh"
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
