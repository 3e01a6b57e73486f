"""Route: the terminal stage; forwards to the receiver's upstream within the caller's deadline."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import grpc

from gateway._call import Call
from gateway._config import Deadlines, Retries
from gateway._resilience import CircuitBreaker
from gateway.errors import DeadlineExceeded, Unavailable, UpstreamRefused

# Upstream codes relayed by code (the upstream's own decision about the request);
# any other code means the upstream failed, and the caller sees UNAVAILABLE.
_RELAYED = frozenset({
    grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.OUT_OF_RANGE, grpc.StatusCode.ABORTED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
})


@dataclass(frozen=True)
class UpstreamReply:
    body: bytes
    trailing_metadata: tuple[tuple[str, str], ...]


class UpstreamError(Exception):
    """The upstream call ended with a non-OK status; only the code is kept."""

    def __init__(self, code: grpc.StatusCode) -> None:
        super().__init__(code.name)
        self.code = code


class Upstream(Protocol):
    """One partner's server: a unary call with raw bytes in and out."""

    async def call(self, path: str, body: bytes, metadata: Sequence[tuple[str, str]], timeout: float) -> UpstreamReply:
        ...


def _failure(code: grpc.StatusCode) -> Exception:
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return DeadlineExceeded("upstream_deadline", "the upstream did not answer in time")
    return Unavailable("upstream_unavailable", "the upstream is unavailable")


class Route:
    """Propagates the caller's deadline minus a margin (capped); retries safe methods with jittered backoff
    while the deadline allows; a circuit breaker per upstream fails fast while the upstream is down."""

    def __init__(self, upstreams: Mapping[str, Upstream], deadlines: Deadlines,
                 breakers: Mapping[str, CircuitBreaker], retries: Retries | None = None, *,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 jitter: Callable[[], float] = random.random) -> None:
        self._upstreams, self._breakers = dict(upstreams), dict(breakers)
        self._d, self._r, self._sleep, self._jitter = deadlines, retries or Retries(), sleep, jitter

    def _budget(self, call: Call) -> float:
        budget = self._d.default_ms / 1000 if call.time_remaining_s is None else call.time_remaining_s
        timeout = min(budget - self._d.margin_ms / 1000, self._d.max_ms / 1000)
        if timeout <= 0:
            raise DeadlineExceeded("no_time_left", "the caller's deadline leaves no time for the upstream")
        return timeout

    async def __call__(self, call: Call) -> None:
        assert call.receiver is not None
        breaker = self._breakers[call.receiver.name]
        end = time.monotonic() + self._budget(call)
        attempts = 1 + (self._r.attempts if call.method.policy.safe_to_retry else 0)
        start = time.perf_counter()
        try:
            for attempt in range(attempts):
                reply = await self._attempt(call, breaker, end)
                if reply is not None:
                    call.response_body, call.response_metadata = reply.body, reply.trailing_metadata
                    return
                pause = self._r.backoff_ms / 1000 * 2**attempt * (0.5 + self._jitter())
                if attempt + 1 == attempts or time.monotonic() + pause >= end:
                    raise _failure(grpc.StatusCode.UNAVAILABLE)
                await self._sleep(pause)
        finally:
            call.upstream_ms = (time.perf_counter() - start) * 1000

    async def _attempt(self, call: Call, breaker: CircuitBreaker, end: float) -> UpstreamReply | None:
        """One upstream call: the reply, None after an UNAVAILABLE that may be retried, or a refusal."""
        assert call.receiver is not None
        allowed = breaker.allow()
        call.breaker = breaker.state.value
        if not allowed:
            raise Unavailable("circuit_open", "the upstream's circuit is open")
        try:
            reply = await self._upstreams[call.receiver.name].call(
                call.method.path, call.forward_body, call.forward_metadata, end - time.monotonic())
        except UpstreamError as exc:
            if exc.code in _RELAYED:
                breaker.success()
                raise UpstreamRefused(exc.code) from None
            breaker.failure()
            if exc.code == grpc.StatusCode.UNAVAILABLE:
                return None
            raise _failure(exc.code) from None
        breaker.success()
        return reply
