"""Time as an injectable seam: every operation asks a clock, so tests can issue expired certificates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware in UTC."""


def system_clock() -> datetime:
    """The real time, in UTC."""
    return datetime.now(UTC)


class FrozenClock:
    """A clock that stands still until told to move; the fake for :data:`Clock`."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = (now or system_clock()).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock by ``delta`` (may be negative) and return the new time."""
        self.now += delta
        return self.now
