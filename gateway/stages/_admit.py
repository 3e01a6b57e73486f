"""Admit: per-partner rate and concurrency limits, so one partner cannot starve the others."""

from __future__ import annotations

from collections.abc import Mapping

from gateway._call import Call
from gateway._resilience import InFlight, TokenBucket
from gateway.errors import ResourceExhausted


class Admit:
    """Refuses with RESOURCE_EXHAUSTED and a retry delay past the caller's rate or in-flight limit."""

    def __init__(self, limits: Mapping[str, tuple[TokenBucket, InFlight]]) -> None:
        self._limits = dict(limits)

    async def __call__(self, call: Call) -> None:
        assert call.caller is not None
        bucket, in_flight = self._limits[call.caller.name]
        wait = bucket.take()
        if wait > 0:
            raise ResourceExhausted("rate_limited", "the partner's request rate is over its limit", wait)
        if not in_flight.enter():
            raise ResourceExhausted("concurrency_limited", "the partner has too many calls in flight", 0.05)
        call.on_finish.append(in_flight.leave)
