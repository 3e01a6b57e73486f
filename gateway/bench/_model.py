"""What a bench run measures, as values: options, one sample per (mode, level), ratios and verdicts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

MODES = ("direct", "passthrough", "full", "full-noaudit")
GATEWAY_MODES = MODES[1:]  # the modes served by a gateway process, one process each
SIGNED_MODES = ("full", "full-noaudit")  # every stage on: the SDK signs, the gateway-only bank answers
AUDIT_FSYNC = "batch"  # the fsync policy the gateway opens its audit log with (AuditLog's default)
AUDIT_ACK = "group commit, a record is acknowledged after its batch's fdatasync"  # what "batch" means
PROCESSES = ("client", "gateway", "bank")
DEFAULT_REQUESTS = {1: 300, 8: 1_000, 32: 2_000}
QUICK_REQUESTS = {1: 40, 8: 120, 32: 200}


@dataclass(frozen=True)
class Options:
    """How much to run: concurrency levels, requests per level, interleaved rounds, warm-up, the Faker seed."""

    levels: tuple[int, ...] = (1, 8, 32)
    requests: int | None = None  # the same count at every level; None: DEFAULT_REQUESTS (or QUICK_REQUESTS)
    rounds: int = 5
    warmup: int = 100
    messages: int = 64
    seed: int = 20260601
    quick: bool = False
    profile: bool = False
    profile_requests: int = 500
    workdir: Path | None = None
    state: str | None = None  # the gateways' replay/idempotency store URL; None: the gateway's default

    def requests_at(self, level: int) -> int:
        """Requests measured at ``level`` (all rounds together)."""
        if self.requests is not None:
            return self.requests
        table = QUICK_REQUESTS if self.quick else DEFAULT_REQUESTS
        return table.get(level, max(table.values()))


def quick_options(**overrides: object) -> Options:
    """The smoke-sized run (``--quick``): one round, a short warm-up, a few hundred requests in all."""
    base: dict[str, object] = {"quick": True, "rounds": 1, "warmup": 20, "messages": 16, "profile_requests": 150}
    return Options(**{**base, **overrides})  # type: ignore[arg-type]


def percentile(ordered: tuple[float, ...], q: float) -> float:
    """The ``q`` quantile (0-1) of sorted values, interpolated between the two nearest ranks."""
    if not ordered:
        return float("nan")
    rank = q * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Sample:
    """One mode at one concurrency level, every round merged: wall time, sorted latencies, CPU per process."""

    mode: str
    level: int
    wall_s: float
    latencies_ms: tuple[float, ...]
    errors: int
    cpu_s: Mapping[str, float]  # process name -> CPU seconds over the measured phases
    first_error: str | None = None
    round_rps: tuple[float, ...] = ()  # requests/s of each round

    @property
    def best_rps(self) -> float:
        """The best round's requests/s: what the mode does when the shared host leaves it alone."""
        return max(self.round_rps, default=self.rps)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + self.errors

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies_ms, 0.50)

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies_ms, 0.99)

    def cpu_us_per_call(self, process: str) -> float | None:
        """CPU µs per call of ``process``; None where the mode has no such process (no gateway in direct)."""
        if process not in self.cpu_s or not self.requests:
            return None
        return self.cpu_s[process] / self.requests * 1e6


@dataclass(frozen=True)
class Level:
    """Every mode at one concurrency level, and how they compare."""

    level: int
    samples: Mapping[str, Sample]

    def throughput_ratio(self, mode: str, base: str) -> float:
        """Best-round requests/s of ``mode`` over those of ``base`` (e.g. full over pass-through)."""
        below = self.samples[base].best_rps
        return self.samples[mode].best_rps / below if below else float("nan")

    def cpu_ratio(self, process: str, mode: str, base: str) -> float:
        """CPU per call of ``process`` in ``mode`` over that in ``base`` (e.g. the gateway, full over pass-through)."""
        above, below = self.samples[mode].cpu_us_per_call(process), self.samples[base].cpu_us_per_call(process)
        return above / below if above is not None and below else float("nan")

    def added_p50_ms(self, mode: str, base: str) -> float:
        return self.samples[mode].p50_ms - self.samples[base].p50_ms


@dataclass(frozen=True)
class Verdict:
    """A target and whether this run met it, stated as a fact (``met`` is None if the level was not run)."""

    target: str
    observed: str
    met: bool | None


@dataclass(frozen=True)
class ProfileEntry:
    """One function of the gateway's profile: calls, own time, time including callees."""

    function: str
    calls: int
    self_s: float
    cumulative_s: float


@dataclass(frozen=True)
class Profile:
    """The full path's profile in the gateway process, over ``requests`` calls at ``level``."""

    requests: int
    level: int
    by_self: tuple[ProfileEntry, ...]
    by_cumulative: tuple[ProfileEntry, ...]
    stats_file: Path | None = None


@dataclass(frozen=True)
class Report:
    """A whole bench run."""

    options: Options
    levels: tuple[Level, ...]
    verdicts: tuple[Verdict, ...]
    environment: Mapping[str, str]
    notes: tuple[str, ...] = ()
    profile: Profile | None = field(default=None)
