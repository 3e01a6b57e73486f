"""Several gateway processes on one port (SO_REUSEPORT), supervised by one parent that forwards signals."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

from gateway._config import GatewayConfig
from gateway.errors import StartupError


def check_workers(config: GatewayConfig, workers: int) -> None:
    """Refuse what would break with several processes: an ephemeral port, state that is not shared."""
    if workers == 1:
        return
    if config.listen.rsplit(":", 1)[-1] == "0":
        raise StartupError(f"{config.source}: gateway.listen: --workers needs a fixed port; fix: set a port")
    if config.state.startswith("memory:"):
        raise StartupError(f"{config.source}: gateway.state: workers must share replay and idempotency state; "
                           "fix: use sqlite:///state.db or redis://...")


def run_workers(config_file: Path, workers: int, grace: float) -> int:
    """Start ``workers`` processes, forward SIGTERM/SIGINT/SIGHUP to all; the first failure stops the rest."""
    command = [sys.executable, "-m", "gateway.cli", "serve", "--config", str(config_file), "--grace", str(grace)]
    procs = [subprocess.Popen([*command, "--worker", str(n)])  # noqa: S603 - this interpreter, no shell
             for n in range(workers)]

    def forward(signum: int, _: FrameType | None) -> None:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    worst = 0
    for proc in procs:
        code = proc.wait()
        if code != 0 and worst == 0:
            worst = code
            forward(signal.SIGTERM, None)
    return worst
