"""The replay seam: a contract every ``NonceStore`` meets, run here against the in-memory store.

A durable store (SQLite, Redis) adds itself to ``STORES`` and passes the same
contract; the tests after it are specific to ``MemoryNonceStore``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from gateway.signing import Clock, ManualClock, MemoryNonceStore, NonceStore, ReplayStoreError

from .conftest import NOW_MS

STORES: dict[str, Callable[[Clock], NonceStore]] = {"memory": lambda clock: MemoryNonceStore(clock=clock)}


@pytest.fixture(params=sorted(STORES))
def any_store(request: pytest.FixtureRequest, clock: ManualClock) -> NonceStore:
    return STORES[request.param](clock)


# -- the contract


def test_a_nonce_is_accepted_once_per_scope(any_store: NonceStore) -> None:
    assert any_store.check_and_store("platform", "n1", NOW_MS + 10)
    assert not any_store.check_and_store("platform", "n1", NOW_MS + 10)
    assert any_store.check_and_store("bank", "n1", NOW_MS + 10)


def test_a_nonce_is_live_until_its_expiry_inclusive_then_forgotten(any_store: NonceStore, clock: ManualClock) -> None:
    any_store.check_and_store("platform", "n1", NOW_MS + 10)
    clock.advance(10)
    assert not any_store.check_and_store("platform", "n1", NOW_MS + 20)
    clock.advance(1)
    assert any_store.check_and_store("platform", "n1", NOW_MS + 30)


def test_a_refused_nonce_keeps_its_first_expiry(any_store: NonceStore, clock: ManualClock) -> None:
    any_store.check_and_store("platform", "n1", NOW_MS + 10)
    assert not any_store.check_and_store("platform", "n1", NOW_MS + 1_000)
    clock.advance(11)
    assert any_store.check_and_store("platform", "n1", NOW_MS + 1_000)


def test_exactly_one_of_many_concurrent_uses_of_a_nonce_wins(any_store: NonceStore) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def use() -> None:
        barrier.wait()
        results.extend(any_store.check_and_store("platform", f"n{i}", NOW_MS + 10) for i in range(200))

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 200 and len(results) == 1_600


# -- MemoryNonceStore


def test_expired_nonces_free_their_memory(store: MemoryNonceStore, clock: ManualClock) -> None:
    for i in range(100):
        store.check_and_store("platform", f"n{i}", NOW_MS + i)
    clock.advance(50)
    store.check_and_store("platform", "later", NOW_MS + 1_000)
    assert len(store) == 51  # n50..n99 (expiry is inclusive) and "later"


def test_a_full_store_fails_closed_instead_of_forgetting_a_live_nonce(clock: ManualClock) -> None:
    store = MemoryNonceStore(max_entries=2, clock=clock)
    store.check_and_store("p", "a", NOW_MS + 10)
    store.check_and_store("p", "b", NOW_MS + 20)
    with pytest.raises(ReplayStoreError, match="full"):
        store.check_and_store("p", "c", NOW_MS + 30)
    assert not store.check_and_store("p", "a", NOW_MS + 10)
    clock.advance(11)
    assert store.check_and_store("p", "c", NOW_MS + 30)


def test_max_entries_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_entries"):
        MemoryNonceStore(max_entries=0)
