"""Child processes of the bench: start one, wait for its ``ready`` line, read its CPU time, stop it."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from gateway.bench._errors import BenchError

READY_TIMEOUT_S = 30.0
_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a whole process (all its threads), from ``/proc/<pid>/stat``."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        fields = f.read().rsplit(b")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime: fields 14 and 15 of stat(5)


@dataclass(frozen=True)
class Child:
    """A running bench process and the ports it announced."""

    name: str
    process: subprocess.Popen[str]
    ports: tuple[int, ...]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_s(self) -> float:
        return cpu_seconds(self.pid)


def _ready_line(process: subprocess.Popen[str], timeout: float) -> str | None:
    """The first stdout line, or None if the process exits or stays silent past ``timeout``."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(process.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            return None
    return process.stdout.readline() or None


def _tail(log: Path) -> str:
    lines = log.read_text(errors="replace").strip().splitlines() if log.exists() else []
    return lines[-1] if lines else "no output"


def spawn(name: str, module: str, args: list[str], log: Path) -> Child:
    """Start ``python -m module args`` with stderr to ``log``; it must print ``ready <port>...`` first."""
    with log.open("w") as err:
        process = subprocess.Popen([sys.executable, "-m", module, *args], stdout=subprocess.PIPE,  # noqa: S603
                                   stderr=err, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line = _ready_line(process, READY_TIMEOUT_S)
    if line is None or not line.startswith("ready "):
        stop(Child(name, process, (), log))
        raise BenchError(f"bench {name} process did not start: {_tail(log)} (log: {log})")
    return Child(name, process, tuple(int(p) for p in line.split()[1:]), log)


def expect(child: Child, word: str, timeout: float = READY_TIMEOUT_S) -> None:
    """Wait for the child's next stdout line to be ``word`` (an acknowledgement of a signal)."""
    line = _ready_line(child.process, timeout)
    if line is None or line.strip() != word:
        raise BenchError(f"bench {child.name} process did not answer {word!r}: {_tail(child.log)} (log: {child.log})")


def stop(child: Child, timeout: float = 10.0) -> int | None:
    """SIGTERM, then SIGKILL after ``timeout``; returns the exit code."""
    if child.process.poll() is None:
        child.process.send_signal(signal.SIGTERM)
        try:
            child.process.wait(timeout)
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()
    out: IO[str] | None = child.process.stdout
    if out is not None:
        out.close()
    return child.process.returncode
