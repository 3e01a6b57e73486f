"""The full path's profile, gateway side: a cProfile'd full gateway under steady load, top entries.

A separate gateway process is started for it, so the profiler's own overhead never
touches the measured figures; profiling starts after the warm-up (SIGUSR1).
"""

from __future__ import annotations

import asyncio
import pstats
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from coloan.v1 import credit_pb2 as c
from gateway._workspace import Workspace
from gateway.bench._clients import client
from gateway.bench._deploy import Stack, start_gateway
from gateway.bench._load import drive
from gateway.bench._model import Options, Profile, ProfileEntry
from gateway.bench._procs import Child, expect, stop

TOP = 15
_ROOTS = sorted({str(Path(p)) for p in sys.path if p}, key=len, reverse=True)


def _where(filename: str) -> str:
    """A source file relative to the import root that holds it (``gateway/_server.py``, ``grpc/aio/_call.py``)."""
    for root in _ROOTS:
        if filename.startswith(root + "/"):
            return filename[len(root) + 1:]
    return filename


def _entries(stats: pstats.Stats, key: int) -> tuple[ProfileEntry, ...]:
    """The top entries, by own time (key 2) or cumulative time (key 3)."""
    rows = stats.stats.items()  # type: ignore[attr-defined]
    ordered = sorted(rows, key=lambda item: item[1][key], reverse=True)[:TOP]
    return tuple(ProfileEntry(f"{_where(file)}:{line}({name})", calls, own, cumulative)
                 for (file, line, name), (_, calls, own, cumulative, _) in ordered)


def read(path: Path, requests: int, level: int, keep: bool) -> Profile:
    stats = pstats.Stats(str(path))
    return Profile(requests, level, _entries(stats, 2), _entries(stats, 3), path if keep else None)


async def _load(ws: Workspace, child: Child, messages: Sequence[c.LoanApplication], options: Options,
                level: int) -> int:
    async with client(ws, "full", f"127.0.0.1:{child.ports[0]}") as assess:
        await drive(assess, messages, options.warmup, level)
        child.process.send_signal(signal.SIGUSR1)
        await asyncio.to_thread(expect, child, "profiling")
        run = await drive(assess, messages, options.profile_requests, level)
    return len(run.latencies_ms)


async def profile_full(stack: Stack, options: Options, messages: Sequence[c.LoanApplication]) -> Profile:
    """Profile ``options.profile_requests`` full-path calls at concurrency 8 (or the highest level below)."""
    level = max([n for n in options.levels if n <= 8] or [1])
    out = stack.ws.root / "logs" / "full-gateway.pstats"
    child = await asyncio.to_thread(start_gateway, stack.ws, "full", stack.gated_bank,
                                    state=stack.state, profile=out)
    try:
        done = await _load(stack.ws, child, messages, options, level)
    finally:
        await asyncio.to_thread(stop, child)
    return read(out, done, level, keep=options.workdir is not None)
