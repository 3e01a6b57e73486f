"""Route: the terminal stage; forwards to the receiver's upstream within the caller's deadline."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import grpc

from gateway._call import Call
from gateway._config import Deadlines
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


class Route:
    """Propagates the caller's deadline minus a margin (capped), and maps upstream failures to clean statuses."""

    def __init__(self, upstreams: Mapping[str, Upstream], deadlines: Deadlines) -> None:
        self._upstreams = dict(upstreams)
        self._d = deadlines

    def _timeout(self, call: Call) -> float:
        budget = self._d.default_ms / 1000 if call.time_remaining_s is None else call.time_remaining_s
        timeout = min(budget - self._d.margin_ms / 1000, self._d.max_ms / 1000)
        if timeout <= 0:
            raise DeadlineExceeded("no_time_left", "the caller's deadline leaves no time for the upstream")
        return timeout

    async def __call__(self, call: Call) -> None:
        assert call.receiver is not None
        timeout, start = self._timeout(call), time.perf_counter()
        try:
            reply = await self._upstreams[call.receiver.name].call(
                call.method.path, call.forward_body, call.forward_metadata, timeout)
        except UpstreamError as exc:
            if exc.code == grpc.StatusCode.DEADLINE_EXCEEDED:
                raise DeadlineExceeded("upstream_deadline", "the upstream did not answer in time") from None
            if exc.code in _RELAYED:
                raise UpstreamRefused(exc.code) from None
            raise Unavailable("upstream_unavailable", "the upstream is unavailable") from None
        finally:
            call.upstream_ms = (time.perf_counter() - start) * 1000
        call.response_body, call.response_metadata = reply.body, reply.trailing_metadata
