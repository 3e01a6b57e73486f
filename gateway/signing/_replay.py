"""The replay seam: a store that remembers each nonce until its request could no longer be fresh.

A durable or shared store (SQLite for one host, Redis for replicas) implements the
same one method; with Redis it is ``SET <scope>\\0<nonce> 1 NX PXAT <expires_at_ms>``.
"""

from __future__ import annotations

import heapq
import threading
from typing import Protocol

from gateway.signing._clock import SYSTEM_CLOCK, Clock
from gateway.signing._errors import ReplayStoreError


class NonceStore(Protocol):
    """Records nonces per scope (one caller) until they expire."""

    def check_and_store(self, scope: str, nonce: str, expires_at_ms: int) -> bool:
        """Atomically: False if ``nonce`` is live in ``scope``, else remember it until ``expires_at_ms`` and True.

        A store that cannot answer raises ``ReplayStoreError``; it never guesses.
        """
        ...


class MemoryNonceStore:
    """An in-process, thread-safe ``NonceStore`` with TTL expiry and a hard bound on entries.

    It fails closed: when ``max_entries`` live nonces are held it raises
    ``ReplayStoreError`` rather than forget a live nonce (which would allow a replay).
    Memory for one host and one process; the fake for tests.
    """

    def __init__(self, *, max_entries: int = 250_000, clock: Clock = SYSTEM_CLOCK) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be positive")
        self._max = max_entries
        self._clock = clock
        self._live: dict[tuple[str, str], int] = {}
        self._expiry: list[tuple[int, str, str]] = []
        self._lock = threading.Lock()

    def check_and_store(self, scope: str, nonce: str, expires_at_ms: int) -> bool:
        with self._lock:
            self._purge(self._clock.now_ms())
            if (scope, nonce) in self._live:
                return False
            if len(self._live) >= self._max:
                raise ReplayStoreError("replay store is full of live nonces")
            self._live[(scope, nonce)] = expires_at_ms
            heapq.heappush(self._expiry, (expires_at_ms, scope, nonce))
            return True

    def __len__(self) -> int:
        with self._lock:
            return len(self._live)

    def _purge(self, now_ms: int) -> None:
        """Forget every nonce whose expiry is in the past; amortized O(log n) per stored nonce."""
        while self._expiry and self._expiry[0][0] < now_ms:
            _, scope, nonce = heapq.heappop(self._expiry)
            del self._live[(scope, nonce)]
