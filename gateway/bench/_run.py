"""A bench run: warm every mode, then measure each level in interleaved rounds of every mode.

Interleaving (direct, pass-through, full, full with the audit log off, then the next
round in a rotated order)
gives each mode the same share of whatever else the host is doing. A mode's CPU per
process is read before and after each of its phases: the client's from
``time.process_time()``, the gateway's and the bank's from ``/proc``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AsyncExitStack

from coloan.v1 import credit_pb2 as c
from gateway.bench._clients import Assess, client
from gateway.bench._deploy import Stack
from gateway.bench._errors import BenchError
from gateway.bench._load import Run, drive
from gateway.bench._model import MODES, Level, Options, Sample
from gateway.fake import CoLendingFaker

Say = Callable[[str], None]
SETTLE_S = 0.05  # lets a process finish a phase's trailing work before its CPU time is read


def applications(options: Options) -> list[c.LoanApplication]:
    """The Faker applications every mode sends, in the same order."""
    faker = CoLendingFaker(options.seed)
    return [faker.application() for _ in range(options.messages)]


def _cpu(stack: Stack, mode: str) -> dict[str, float]:
    seen = {role: child.cpu_s() for role, child in stack.servers(mode).items()}
    return {"client": time.process_time(), **seen}


async def _phase(stack: Stack, mode: str, assess: Assess, messages: Sequence[c.LoanApplication],
                 count: int, level: int, start: int) -> tuple[Run, dict[str, float]]:
    await asyncio.sleep(SETTLE_S)
    before = _cpu(stack, mode)
    run = await drive(assess, messages, count, level, start)
    await asyncio.sleep(SETTLE_S)
    after = _cpu(stack, mode)
    return run, {p: after[p] - before[p] for p in before}


def _merge(mode: str, level: int, parts: Sequence[tuple[Run, Mapping[str, float]]]) -> Sample:
    cpu = {p: sum(cpu[p] for _, cpu in parts) for p in parts[0][1]}
    latencies = tuple(sorted(ms for run, _ in parts for ms in run.latencies_ms))
    errors = [run.first_error for run, _ in parts if run.first_error]
    rounds = tuple(len(run.latencies_ms) / run.wall_s for run, _ in parts if run.wall_s > 0)
    return Sample(mode, level, sum(run.wall_s for run, _ in parts), latencies,
                  sum(run.errors for run, _ in parts), cpu, errors[0] if errors else None, rounds)


def _split(total: int, rounds: int) -> list[int]:
    return [total // rounds + (1 if r < total % rounds else 0) for r in range(rounds)]


async def _level(stack: Stack, clients: Mapping[str, Assess], messages: Sequence[c.LoanApplication],
                 level: int, options: Options) -> Level:
    parts: dict[str, list[tuple[Run, Mapping[str, float]]]] = {m: [] for m in MODES}
    start, total = 0, options.requests_at(level)
    for r, count in enumerate(_split(total, max(1, min(options.rounds, total)))):
        for mode in MODES[r % len(MODES):] + MODES[:r % len(MODES)]:
            parts[mode].append(await _phase(stack, mode, clients[mode], messages, count, level, start))
        start += count
    return Level(level, {mode: _merge(mode, level, parts[mode]) for mode in MODES})


async def measure(stack: Stack, options: Options, messages: Sequence[c.LoanApplication],
                  say: Say) -> tuple[Level, ...]:
    """Warm up every mode, then measure every level; ``say`` reports progress between phases."""
    async with AsyncExitStack() as exits:
        clients = {m: await exits.enter_async_context(client(stack.ws, m, stack.target(m))) for m in MODES}
        for mode in MODES:
            warm = await drive(clients[mode], messages, options.warmup, min(8, max(options.levels)))
            if warm.errors and warm.errors == options.warmup:
                raise BenchError(f"every {mode} warm-up call failed: {warm.first_error}")
        say(f"warmed up ({options.warmup} calls per mode)")
        levels = []
        for level in options.levels:
            levels.append(await _level(stack, clients, messages, level, options))
            say(f"concurrency {level}: {options.requests_at(level)} calls per mode")
        return tuple(levels)
