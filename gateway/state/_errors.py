"""Errors of the state stores: two roots, because start-up and per-call failures are handled apart.

    StateConfigError             start-up: a state URL or file cannot be used (names it and the fix)

    StateStoreError              per call: the state cannot be read or written safely → UNAVAILABLE
    ├── BackendError             the backend cannot answer: refused, timed out, locked past the busy
    │   │                        timeout, or a record it returned is unreadable
    │   └── NonceBackendError    the same from a nonce store; also a signing ``ReplayStoreError``,
    │                            so ``RequestVerifier`` callers map it as they always have
    └── ClaimLost                ``complete`` with a token that no longer holds the claim (its lease
                                 expired, or another replica took the key over)

Messages are fixed phrases naming the backend, never a scope, key, nonce, digest or body; the
backend's own exception is kept as ``__cause__`` for operators.
"""

from __future__ import annotations

from gateway.signing import ReplayStoreError


class StateConfigError(Exception):
    """A state store cannot be opened as configured; raised before the gateway serves anything."""


class StateStoreError(Exception):
    """A state operation failed, so the call cannot be proven safe to forward or answer."""


class BackendError(StateStoreError):
    """The backend (SQLite file, Redis server) cannot answer now; the store never guesses instead."""


class NonceBackendError(BackendError, ReplayStoreError):
    """A nonce store's backend cannot answer; the request cannot be proven fresh."""


class ClaimLost(StateStoreError):
    """The claim's lease expired or was taken over before ``complete``; its response was not stored."""
