"""Per-partner admission (token bucket and in-flight limit) and per-upstream circuit breakers.

Time comes from an injectable monotonic clock so tests can drive every transition.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

Monotonic = Callable[[], float]


class TokenBucket:
    """``rate`` tokens per second up to ``burst``; ``take`` answers how long to wait (0 when admitted)."""

    def __init__(self, rate: float, burst: int, clock: Monotonic = time.monotonic) -> None:
        self._rate, self._burst, self._clock = rate, float(burst), clock
        self._tokens, self._at = float(burst), clock()

    def take(self) -> float:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
        self._at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self._rate


class InFlight:
    """Counts calls in progress; ``enter`` refuses past ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit, self.count = limit, 0

    def enter(self) -> bool:
        if self.count >= self.limit:
            return False
        self.count += 1
        return True

    def leave(self) -> None:
        self.count -= 1


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class BreakerPolicy:
    failures: int = 5        # consecutive failures that open the circuit
    reset_s: float = 10.0    # how long it stays open before one trial call


class CircuitBreaker:
    """Opens after consecutive upstream failures, fails fast while open, lets one trial through after ``reset_s``."""

    def __init__(self, policy: BreakerPolicy, clock: Monotonic = time.monotonic,
                 on_change: Callable[[BreakerState], None] = lambda _: None) -> None:
        self._p, self._clock, self._on_change = policy, clock, on_change
        self.state, self._failures, self._opened_at, self._trial = BreakerState.CLOSED, 0, 0.0, False

    def _set(self, state: BreakerState) -> None:
        if state != self.state:
            self.state = state
            self._on_change(state)

    def allow(self) -> bool:
        """Whether a call may go to the upstream now."""
        if self.state == BreakerState.OPEN and self._clock() - self._opened_at >= self._p.reset_s:
            self._set(BreakerState.HALF_OPEN)
            self._trial = False
        if self.state == BreakerState.HALF_OPEN and not self._trial:
            self._trial = True
            return True
        return self.state == BreakerState.CLOSED

    def success(self) -> None:
        self._failures = 0
        self._set(BreakerState.CLOSED)

    def failure(self) -> None:
        self._failures += 1
        if self.state == BreakerState.HALF_OPEN or self._failures >= self._p.failures:
            self._opened_at = self._clock()
            self._set(BreakerState.OPEN)
