"""Closed-loop load: N concurrent tasks on one event loop share a bounded number of calls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

import grpc

from coloan.v1 import credit_pb2 as c
from gateway.bench._clients import Assess
from gateway.sdk import SdkError


@dataclass(frozen=True)
class Run:
    """One phase: wall time, each successful call's latency (ms, in completion order), failures."""

    wall_s: float
    latencies_ms: tuple[float, ...]
    errors: int
    first_error: str | None


def _describe(exc: Exception) -> str:
    if isinstance(exc, grpc.aio.AioRpcError):
        return f"{exc.code().name}: {exc.details()}"
    return f"{type(exc).__name__}: {exc}"


async def drive(assess: Assess, messages: Sequence[c.LoanApplication], count: int, concurrency: int,
                start: int = 0) -> Run:
    """Make calls ``start .. start+count-1``, call i sending ``messages[i % len(messages)]``."""
    cursor, latencies, failures = iter(range(start, start + count)), list[float](), list[str]()

    async def worker() -> None:
        for i in cursor:
            began = time.perf_counter()
            try:
                await assess(messages[i % len(messages)])
            except (grpc.aio.AioRpcError, SdkError) as exc:
                failures.append(_describe(exc))
                continue
            latencies.append((time.perf_counter() - began) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - began
    return Run(wall, tuple(latencies), len(failures), failures[0] if failures else None)
