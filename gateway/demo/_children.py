"""The processes the demo starts: the gateway and the two mock partners, each ``coloan-gw`` in its own session.

Each child runs in a new session, so a Ctrl-C at the terminal reaches the demo alone
and the demo stops its children itself, in order (reverse of start). ``stop`` blocks
SIGINT and SIGTERM while it works, so a second Ctrl-C cannot leave a child behind. On
Linux a child also gets SIGTERM if the demo dies without stopping it (``kill -9``).
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gateway.errors import StartupError

_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_PR_SET_PDEATHSIG = 1


def orphan_guard() -> Callable[[], None] | None:
    """What a child runs before exec on Linux: ask for SIGTERM when its parent dies (elsewhere nothing)."""
    if not sys.platform.startswith("linux"):
        return None
    prctl, parent = ctypes.CDLL(None, use_errno=True).prctl, os.getpid()

    def guard() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the request was made
            os.kill(os.getpid(), signal.SIGTERM)

    return guard


def coloan_gw() -> list[str]:
    """How to run ``coloan-gw``: the console script beside this interpreter, on PATH, or the module itself."""
    beside = Path(sys.executable).with_name("coloan-gw")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("coloan-gw")
    return [found] if found else [sys.executable, "-c", "from gateway.cli import main; main()"]


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    address: str
    exit_code: int | None = None

    def tail(self, lines: int = 5) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        return " | ".join(text[-lines:]) or "(no output)"


class Children:
    """Starts children with their output in ``logs/<name>.log``; ``stop`` (or leaving the ``with``) ends them all.

    A child still running ``wait_s`` seconds after its SIGTERM is killed.
    """

    def __init__(self, logs: Path, *, wait_s: float = 10.0) -> None:
        self._logs = logs
        self._wait = wait_s
        self.started: list[Child] = []

    def start(self, name: str, argv: list[str], address: str) -> Child:
        log = self._logs / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,  # noqa: S603
                                       stderr=subprocess.STDOUT, start_new_session=True,
                                       preexec_fn=orphan_guard())  # the demo starts children before any thread
        child = Child(name, process, log, address)
        self.started.append(child)
        return child

    async def ready(self, child: Child, credentials: grpc.ChannelCredentials, timeout_s: float = 30.0) -> None:
        """Wait until the child's health service answers SERVING; a child that exits first is a StartupError."""
        deadline = time.monotonic() + timeout_s
        async with grpc.aio.secure_channel(child.address, credentials) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while time.monotonic() < deadline:
                if child.process.poll() is not None:
                    raise StartupError(f"{child.name} exited with {child.process.returncode}: {child.tail()}")
                if await _serving(stub):
                    return
                await asyncio.sleep(0.1)
        raise StartupError(f"{child.name} did not become ready in {timeout_s:.0f} s: {child.tail()}")

    def stop(self) -> dict[str, int]:
        """SIGTERM each running child (last started first), wait for it, SIGKILL it if it hangs; exit codes."""
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        try:
            for child in reversed(self.started):
                child.exit_code = self._end(child.process)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        return {child.name: child.exit_code for child in self.started if child.exit_code is not None}

    def _end(self, process: subprocess.Popen[bytes]) -> int:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            return process.wait(self._wait)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()

    def __enter__(self) -> Children:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


async def _serving(stub: health_pb2_grpc.HealthStub) -> bool:
    try:
        reply = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1.0)
    except grpc.aio.AioRpcError:
        return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)
