"""Time as a one-method seam, so freshness and nonce expiry are testable without sleeping."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    """The current time as Unix milliseconds."""

    def now_ms(self) -> int: ...


class SystemClock:
    """The host's wall clock (NTP-disciplined in production; the protocol tolerates the window's skew)."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000


class ManualClock:
    """A clock that moves only when told to: the fake for tests, demos and vector checks."""

    def __init__(self, now_ms: int) -> None:
        self._now = now_ms
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        return self._now

    def set(self, now_ms: int) -> None:
        """Jump to ``now_ms`` (backwards too, to model a skewed peer)."""
        with self._lock:
            self._now = now_ms

    def advance(self, ms: int) -> None:
        """Move forward by ``ms`` milliseconds."""
        with self._lock:
            self._now += ms


SYSTEM_CLOCK = SystemClock()
