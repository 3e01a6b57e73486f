"""``begin_or_wait``: a duplicate waits out the holder's forward, and never longer than its deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from gateway.signing import ManualClock
from gateway.state import Claimed, Conflict, InProgress, MemoryIdempotencyStore, Replay, StoredResponse, begin_or_wait

SCOPE, KEY, DIGEST, LEASE_MS = "platform/Drawdown", "dd-1", "d" * 64, 30_000


def wait(store: MemoryIdempotencyStore, clock: ManualClock, on_poll: Callable[[int], None] = lambda _: None,
         digest: str = DIGEST) -> tuple[object, list[float]]:
    """Runs ``begin_or_wait`` with a sleep that moves ``clock`` and calls ``on_poll(n)`` at the n-th poll."""
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(round(seconds * 1000))
        on_poll(len(slept))

    claim = begin_or_wait(store, SCOPE, KEY, digest, LEASE_MS, deadline_s=1.0, poll_s=0.3, clock=clock, sleep=sleep)
    return asyncio.run(claim), slept


def held(store: MemoryIdempotencyStore) -> Claimed:
    claim = store.begin(SCOPE, KEY, DIGEST, LEASE_MS)
    assert isinstance(claim, Claimed)
    return claim


def test_a_free_key_is_claimed_without_waiting(clock: ManualClock) -> None:
    claim, slept = wait(MemoryIdempotencyStore(clock=clock), clock)
    assert isinstance(claim, Claimed) and slept == []


def test_a_conflict_is_answered_without_waiting(clock: ManualClock) -> None:
    store = MemoryIdempotencyStore(clock=clock)
    held(store)
    assert wait(store, clock, digest="e" * 64) == (Conflict(), [])


def test_a_duplicate_gets_the_holders_response_once_it_completes(clock: ManualClock) -> None:
    store = MemoryIdempotencyStore(clock=clock)
    token = held(store).token

    def complete_at_second_poll(n: int) -> None:
        if n == 2:
            store.complete(SCOPE, KEY, token, StoredResponse(b"disbursed"))

    assert wait(store, clock, complete_at_second_poll) == (Replay(StoredResponse(b"disbursed")), [0.3, 0.3])


def test_a_duplicate_claims_the_key_when_the_holder_releases_it(clock: ManualClock) -> None:
    store = MemoryIdempotencyStore(clock=clock)
    token = held(store).token
    claim, slept = wait(store, clock, lambda n: store.release(SCOPE, KEY, token))
    assert isinstance(claim, Claimed) and claim.token != token and slept == [0.3]


def test_a_duplicate_gives_up_in_progress_at_its_deadline(clock: ManualClock) -> None:
    store = MemoryIdempotencyStore(clock=clock)
    held(store)
    claim, slept = wait(store, clock)
    assert claim == InProgress()
    assert slept == [0.3, 0.3, 0.3, 0.1]
