"""One bench run end to end: deploy on loopback, measure, optionally profile, tear down, report."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from gateway.bench._deploy import Stack, deployed
from gateway.bench._model import AUDIT_ACK, AUDIT_FSYNC, GATEWAY_MODES, Level, Options, Profile, Report
from gateway.bench._profile import profile_full
from gateway.bench._report import LABELS, environment, verdicts
from gateway.bench._run import applications, measure

Say = Callable[[str], None]

NOTES = (
    "direct and pass-through: the client signs nothing and the bank checks no countersignature (nothing on "
    "that path could verify one); full: the SDK signs and verifies, the gateway runs every stage, the bank "
    "verifies the countersignature and signs its response. The bank's own work (decide, serialize) is the "
    "same in every mode and decrypts nothing.",
    "CPU µs/call: client from time.process_time(), gateway and bank from /proc/<pid>/stat (10 ms ticks), "
    "over the measured phases only; each gateway process writes its own JSON access log.",
    "modes take turns in rounds (rotated order) so each sees the same host load; ratios and targets use each "
    "mode's best round, which filters out bursts of other work on a shared host; latencies merge all rounds.",
    "full, audit off: a gateway process of its own with the full gateway's config and every stage on, but the "
    "audit log disabled; full (audit on) appends each call's record to its own audit directory before "
    "forwarding.",
)


@contextmanager
def _root(workdir: Path | None) -> Iterator[Path]:
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="coloan-bench-") as tmp:
            yield Path(tmp) / "ws"
    else:
        yield workdir / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%S}"


async def _session(stack: Stack, options: Options, say: Say) -> tuple[tuple[Level, ...], Profile | None]:
    messages = applications(options)
    levels = await measure(stack, options, messages, say)
    if not options.profile:
        return levels, None
    say(f"profiling the full path ({options.profile_requests} calls)")
    return levels, await profile_full(stack, options, messages)


def audit_note(filesystem: str) -> str:
    """The audit log's fsync policy, as the note line states it."""
    return f'audit: {AUDIT_ACK} (fsync policy "{AUDIT_FSYNC}"; the workspace is on {filesystem})'


def run(options: Options, say: Say = lambda _: None) -> Report:
    """Deploy the bank and the three gateways as processes on 127.0.0.1, measure every mode and level, stop them."""
    with _root(options.workdir) as root, deployed(root, options.state) as stack:
        pids = ", ".join(f"{LABELS[mode]} gateway pid {stack.gateways[mode].pid}" for mode in GATEWAY_MODES)
        say(f"bank pid {stack.bank.pid}, {pids} (workspace {root})")
        env = environment(root)
        levels, profile = asyncio.run(_session(stack, options, say))
    notes = (*NOTES, audit_note(env["workspace_filesystem"]))
    return Report(options, levels, verdicts(levels), env, notes, profile)
