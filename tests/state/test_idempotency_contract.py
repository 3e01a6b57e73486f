"""The ``IdempotencyStore`` contract, run against the memory, SQLite and Redis stores alike."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.signing import ManualClock
from gateway.state import (
    Claimed,
    ClaimLost,
    Conflict,
    IdempotencyStore,
    InProgress,
    MemoryIdempotencyStore,
    RedisIdempotencyStore,
    Replay,
    SqliteIdempotencyStore,
    StoredResponse,
)

from .conftest import REDIS

LEASE_MS = 30_000
RETAIN_MS = 3_600_000
SCOPE = "platform/coloan.v1.CreditService/Drawdown"
KEY = "dd-20260601-0001"
DIGEST = "a" * 64
OTHER_DIGEST = "b" * 64
RESPONSE = StoredResponse(
    body=bytes(range(256)) + b"\n{\"v\":2}\n",
    metadata=(("x-coloan-signature", "sig/1"), ("x-coloan-note", "贷款: 放款"), ("x-coloan-note", "second")),
    counts=(("tokenize", 3), ("redact", 0)),
)


@pytest.fixture(params=["memory", "sqlite", REDIS])
def store(request: pytest.FixtureRequest, clock: ManualClock, tmp_path: Path) -> Iterator[IdempotencyStore]:
    if request.param == "memory":
        yield MemoryIdempotencyStore(retain_ms=RETAIN_MS, clock=clock)
        return
    durable: SqliteIdempotencyStore | RedisIdempotencyStore
    if request.param == "sqlite":
        durable = SqliteIdempotencyStore(tmp_path / "state.db", retain_ms=RETAIN_MS, clock=clock)
    else:
        url, prefix = request.getfixturevalue("redis_url"), request.getfixturevalue("prefix")
        durable = RedisIdempotencyStore(url, prefix=prefix, retain_ms=RETAIN_MS, clock=clock)
    yield durable
    durable.close()


def claim(store: IdempotencyStore, key: str = KEY, digest: str = DIGEST, scope: str = SCOPE) -> Claimed:
    result = store.begin(scope, key, digest, LEASE_MS)
    assert isinstance(result, Claimed), result
    return result


def test_the_first_request_claims_the_key_and_a_duplicate_waits(store: IdempotencyStore) -> None:
    claim(store)
    assert store.begin(SCOPE, KEY, DIGEST, LEASE_MS) == InProgress()


def test_the_same_key_with_different_bytes_conflicts_while_pending_and_when_done(store: IdempotencyStore) -> None:
    held = claim(store)
    assert store.begin(SCOPE, KEY, OTHER_DIGEST, LEASE_MS) == Conflict()
    store.complete(SCOPE, KEY, held.token, RESPONSE)
    assert store.begin(SCOPE, KEY, OTHER_DIGEST, LEASE_MS) == Conflict()


def test_a_completed_request_replays_its_exact_response(store: IdempotencyStore) -> None:
    store.complete(SCOPE, KEY, claim(store).token, RESPONSE)
    assert store.begin(SCOPE, KEY, DIGEST, LEASE_MS) == Replay(RESPONSE)
    assert store.begin(SCOPE, KEY, DIGEST, LEASE_MS) == Replay(RESPONSE)


def test_keys_are_independent_per_scope_and_per_key(store: IdempotencyStore) -> None:
    claim(store)
    claim(store, scope="bank/coloan.v1.LoanEventService/Report")
    claim(store, key=KEY + "-2")
    claim(store, scope=SCOPE + ":", key=KEY)  # no ambiguity between scope and key
    claim(store, scope=SCOPE, key=":" + KEY)


def test_every_claim_gets_its_own_token(store: IdempotencyStore) -> None:
    first = claim(store)
    store.release(SCOPE, KEY, first.token)
    assert claim(store).token != first.token


def test_release_frees_the_key_for_any_request(store: IdempotencyStore) -> None:
    store.release(SCOPE, KEY, claim(store).token)
    claim(store, digest=OTHER_DIGEST)


def test_release_with_a_token_that_does_not_hold_the_key_changes_nothing(store: IdempotencyStore) -> None:
    held = claim(store)
    store.release(SCOPE, KEY, "not-the-token")
    store.release(SCOPE, "never-claimed", held.token)
    assert store.begin(SCOPE, KEY, DIGEST, LEASE_MS) == InProgress()


def test_release_after_complete_keeps_the_response(store: IdempotencyStore) -> None:
    held = claim(store)
    store.complete(SCOPE, KEY, held.token, RESPONSE)
    store.release(SCOPE, KEY, held.token)
    assert store.begin(SCOPE, KEY, DIGEST, LEASE_MS) == Replay(RESPONSE)


def test_complete_is_idempotent_and_keeps_the_first_response(store: IdempotencyStore) -> None:
    held = claim(store)
    store.complete(SCOPE, KEY, held.token, RESPONSE)
    store.complete(SCOPE, KEY, held.token, StoredResponse(b"other"))
    assert store.begin(SCOPE, KEY, DIGEST, LEASE_MS) == Replay(RESPONSE)


def test_complete_with_a_foreign_token_is_refused_and_stores_nothing(store: IdempotencyStore) -> None:
    claim(store)
    with pytest.raises(ClaimLost):
        store.complete(SCOPE, KEY, "not-the-token", RESPONSE)
    with pytest.raises(ClaimLost):
        store.complete(SCOPE, "never-claimed", "not-the-token", RESPONSE)
    assert store.begin(SCOPE, KEY, DIGEST, LEASE_MS) == InProgress()


def test_a_lease_is_held_until_its_expiry_inclusive(store: IdempotencyStore, clock: ManualClock) -> None:
    claim(store)
    clock.advance(LEASE_MS)
    assert store.begin(SCOPE, KEY, DIGEST, LEASE_MS) == InProgress()


def test_a_crashed_holders_lease_expires_and_a_retry_takes_the_key_over(
    store: IdempotencyStore, clock: ManualClock
) -> None:
    crashed = claim(store)
    clock.advance(LEASE_MS + 1)
    retry = claim(store)
    with pytest.raises(ClaimLost):
        store.complete(SCOPE, KEY, crashed.token, StoredResponse(b"late"))
    store.complete(SCOPE, KEY, retry.token, RESPONSE)
    assert store.begin(SCOPE, KEY, DIGEST, LEASE_MS) == Replay(RESPONSE)


def test_an_expired_lease_frees_the_key_for_different_bytes_too(store: IdempotencyStore, clock: ManualClock) -> None:
    claim(store)
    clock.advance(LEASE_MS + 1)
    claim(store, digest=OTHER_DIGEST)


def test_complete_after_the_lease_expired_is_refused_even_if_nobody_took_over(
    store: IdempotencyStore, clock: ManualClock
) -> None:
    held = claim(store)
    clock.advance(LEASE_MS + 1)
    with pytest.raises(ClaimLost):
        store.complete(SCOPE, KEY, held.token, RESPONSE)
    claim(store)


def test_a_completed_response_is_kept_for_the_retention_then_forgotten(
    store: IdempotencyStore, clock: ManualClock
) -> None:
    clock.advance(LEASE_MS - 1)  # retention counts from completion, not from the claim
    store.complete(SCOPE, KEY, claim(store).token, RESPONSE)
    clock.advance(RETAIN_MS)
    assert store.begin(SCOPE, KEY, DIGEST, LEASE_MS) == Replay(RESPONSE)
    clock.advance(1)
    claim(store, digest=OTHER_DIGEST)


def test_an_empty_response_round_trips(store: IdempotencyStore) -> None:
    store.complete(SCOPE, KEY, claim(store).token, StoredResponse(b""))
    assert store.begin(SCOPE, KEY, DIGEST, LEASE_MS) == Replay(StoredResponse(b""))


@pytest.mark.parametrize("lease_ms", [0, -1])
def test_a_lease_must_be_positive(store: IdempotencyStore, lease_ms: int) -> None:
    with pytest.raises(ValueError, match="lease_ms"):
        store.begin(SCOPE, KEY, DIGEST, lease_ms)


def test_exactly_one_of_many_concurrent_duplicates_is_claimed(store: IdempotencyStore) -> None:
    results: list[object] = []
    barrier = threading.Barrier(8)

    def race() -> None:
        barrier.wait()
        results.extend(store.begin(SCOPE, f"k{i}", DIGEST, LEASE_MS) for i in range(50))

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [r for r in results if isinstance(r, Claimed)]
    assert len(claimed) == 50 and results.count(InProgress()) == 350
