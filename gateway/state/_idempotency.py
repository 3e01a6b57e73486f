"""The idempotency seam: one record per (scope, key) that lets exactly one replica forward a request.

A record is *pending* (a replica holds a lease and is forwarding) or *done* (the response is
kept for replays). ``begin`` answers what a request may do; ``complete`` and ``release`` end the
lease. A lease that is never ended (the replica crashed) expires, and the key is free again.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, replace
from typing import Protocol

from gateway.signing import Clock, SystemClock
from gateway.state._errors import ClaimLost
from gateway.state._response import StoredResponse

SYSTEM_CLOCK: Clock = SystemClock()

DEFAULT_RETAIN_MS = 24 * 3_600_000
"""How long a completed response is kept for replays: a day of client retries."""


@dataclass(frozen=True)
class Claimed:
    """The caller holds the lease: forward once, then ``complete`` (or ``release`` if the forward failed)."""

    token: str


@dataclass(frozen=True)
class Replay:
    """Same key, same request, already completed: answer with ``response`` and do not forward."""

    response: StoredResponse


@dataclass(frozen=True)
class Conflict:
    """Same key, different request bytes: refuse (``ALREADY_EXISTS``)."""


@dataclass(frozen=True)
class InProgress:
    """Same key and request, and another holder is forwarding it now: wait, or ask the client to retry."""


Claim = Claimed | Replay | Conflict | InProgress


class IdempotencyStore(Protocol):
    """Claims a key for one forward and keeps its response; every backend failure raises ``StateStoreError``.

    Three methods, not one: a claim has a lifecycle (begin, then complete or release), and folding
    it into one call would hide the forward inside the store.
    """

    def begin(self, scope: str, key: str, request_digest: str, lease_ms: int) -> Claim:
        """Atomically: what a request with ``request_digest`` may do under ``key``; ``Claimed`` for ``lease_ms``."""
        ...

    def complete(self, scope: str, key: str, token: str, response: StoredResponse) -> None:
        """Keep ``response`` for replays; ``ClaimLost`` if ``token`` no longer holds a live lease. Idempotent."""
        ...

    def release(self, scope: str, key: str, token: str) -> None:
        """Give the key up after a failed forward so a retry may claim it; a no-op if ``token`` no longer holds it."""
        ...


@dataclass(frozen=True)
class Record:
    """One (scope, key): who holds it, until when, and the response once done."""

    digest: str
    token: str
    expires_at_ms: int
    response: StoredResponse | None = None


def judge(record: Record | None, digest: str, now_ms: int) -> Claim | None:
    """What an existing record means for a new ``begin``; None when the key is free (absent or expired)."""
    if record is None or record.expires_at_ms < now_ms:
        return None
    if record.digest != digest:
        return Conflict()
    return InProgress() if record.response is None else Replay(record.response)


def finish(record: Record | None, token: str, response: StoredResponse, now_ms: int, retain_ms: int) -> Record:
    """The record after ``complete``: done and kept ``retain_ms``; unchanged if already done by ``token``."""
    if record is None or record.token != token:
        raise ClaimLost("the idempotency claim was taken over or has expired")
    if record.response is not None:
        return record
    if record.expires_at_ms < now_ms:
        raise ClaimLost("the idempotency claim's lease expired before it completed")
    return replace(record, response=response, expires_at_ms=now_ms + retain_ms)


def releasable(record: Record | None, token: str) -> bool:
    """Whether ``release`` by ``token`` deletes ``record``: only a pending lease it still holds."""
    return record is not None and record.token == token and record.response is None


def new_token() -> str:
    """A lease token: 16 random bytes, so no two claims ever share one."""
    return secrets.token_urlsafe(16)


def check_ms(value: int, name: str) -> int:
    """A positive duration in milliseconds."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int of milliseconds")
    return value


class MemoryIdempotencyStore:
    """An in-process, thread-safe ``IdempotencyStore``: the fake for tests, and enough for one process.

    Expired records are dropped when their key is touched and swept every ``SWEEP_EVERY`` begins.
    """

    SWEEP_EVERY = 1024

    def __init__(self, *, retain_ms: int = DEFAULT_RETAIN_MS, clock: Clock = SYSTEM_CLOCK) -> None:
        self._retain = check_ms(retain_ms, "retain_ms")
        self._clock = clock
        self._records: dict[tuple[str, str], Record] = {}
        self._begins = 0
        self._lock = threading.Lock()

    def begin(self, scope: str, key: str, request_digest: str, lease_ms: int) -> Claim:
        check_ms(lease_ms, "lease_ms")
        with self._lock:
            now = self._clock.now_ms()
            self._sweep(now)
            claim = judge(self._records.get((scope, key)), request_digest, now)
            if claim is None:
                claim = Claimed(new_token())
                self._records[(scope, key)] = Record(request_digest, claim.token, now + lease_ms)
            return claim

    def complete(self, scope: str, key: str, token: str, response: StoredResponse) -> None:
        with self._lock:
            record = self._records.get((scope, key))
            self._records[(scope, key)] = finish(record, token, response, self._clock.now_ms(), self._retain)

    def release(self, scope: str, key: str, token: str) -> None:
        with self._lock:
            if releasable(self._records.get((scope, key)), token):
                del self._records[(scope, key)]

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def _sweep(self, now_ms: int) -> None:
        self._begins += 1
        if self._begins % self.SWEEP_EVERY == 0:
            self._records = {k: r for k, r in self._records.items() if r.expires_at_ms >= now_ms}
