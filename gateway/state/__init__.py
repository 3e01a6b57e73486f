"""Durable and shared state for the gateway: replay nonces and idempotency records.

Two seams, each with a memory fake and two real backends: SQLite (the embedded default, a
WAL file shared by the processes of one host) and Redis (shared by replicas). See
``docs/state.md`` for the schemas, the Redis key layout, the TTLs and the guarantees.

Opening::

    open_stores(url, *, base_dir=None, prefix="coloan:", clock=SystemClock()) -> StateStores
        url: sqlite:///state/state.db | sqlite:////abs/state.db | redis://127.0.0.1:6379/0 | memory:
    StateStores(nonces, idempotency).close()

Replay nonces (``gateway.signing.NonceStore``: ``check_and_store(scope, nonce, expires_at_ms) -> bool``)::

    SqliteNonceStore(path, *, clock, busy_timeout_ms=1000)
    RedisNonceStore(client_or_url, *, prefix="coloan:", clock, grace_ms=30000)

Idempotency (``IdempotencyStore``)::

    begin(scope, key, request_digest, lease_ms) -> Claimed(token) | Replay(response) | Conflict() | InProgress()
    complete(scope, key, token, response: StoredResponse) -> None      # ClaimLost if the lease is gone
    release(scope, key, token) -> None                                 # after a failed forward
    MemoryIdempotencyStore(*, retain_ms=86400000, clock)
    SqliteIdempotencyStore(path, *, retain_ms, clock, busy_timeout_ms=1000)
    RedisIdempotencyStore(client_or_url, *, prefix="coloan:", retain_ms, clock, grace_ms=30000)
    await begin_or_wait(store, scope, key, request_digest, lease_ms, *, deadline_s) -> Claim

    StoredResponse(body, metadata=((name, value), ...), counts=((name, n), ...))
    encode_response(response) -> bytes / decode_response(bytes) -> StoredResponse

Errors::

    StateConfigError             start-up: a state URL or file cannot be used
    StateStoreError              per call → UNAVAILABLE
    ├── BackendError             the backend cannot answer (NonceBackendError is also a ReplayStoreError)
    └── ClaimLost                complete() after the lease expired or was taken over
"""

from __future__ import annotations

from gateway.state._errors import BackendError, ClaimLost, NonceBackendError, StateConfigError, StateStoreError
from gateway.state._idempotency import (
    DEFAULT_RETAIN_MS,
    Claim,
    Claimed,
    Conflict,
    IdempotencyStore,
    InProgress,
    MemoryIdempotencyStore,
    Replay,
)
from gateway.state._open import StateStores, open_stores
from gateway.state._redis import RedisIdempotencyStore, RedisNonceStore, redis_client
from gateway.state._response import StoredResponse, decode_response, encode_response
from gateway.state._sqlite_stores import SqliteIdempotencyStore, SqliteNonceStore
from gateway.state._wait import begin_or_wait

__all__ = [
    "DEFAULT_RETAIN_MS",
    "BackendError",
    "Claim",
    "ClaimLost",
    "Claimed",
    "Conflict",
    "IdempotencyStore",
    "InProgress",
    "MemoryIdempotencyStore",
    "NonceBackendError",
    "RedisIdempotencyStore",
    "RedisNonceStore",
    "Replay",
    "SqliteIdempotencyStore",
    "SqliteNonceStore",
    "StateConfigError",
    "StateStoreError",
    "StateStores",
    "StoredResponse",
    "begin_or_wait",
    "decode_response",
    "encode_response",
    "open_stores",
    "redis_client",
]
