"""Concurrent duplicates through two replicas sharing state: one forward, and every caller gets its response."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.state import (
    Claimed,
    Conflict,
    IdempotencyStore,
    InProgress,
    Replay,
    StateStores,
    StoredResponse,
    begin_or_wait,
    open_stores,
)

from .conftest import REDIS

SCOPE, KEY = "platform/coloan.v1.CreditService/Drawdown", "dd-20260601-0001"
DRAWDOWN = b"\n\x0bAPP-0000001\x10\xa0\x8d\x06"


class Bank:
    """The upstream: counts disbursements, slow enough that the duplicates arrive while it works."""

    def __init__(self) -> None:
        self.disbursements = 0
        self._lock = threading.Lock()

    async def drawdown(self, body: bytes) -> StoredResponse:
        with self._lock:
            self.disbursements += 1
        await asyncio.sleep(0.2)
        return StoredResponse(b"disbursement for " + body, (("x-coloan-signature", "s"),))


async def forward(store: IdempotencyStore, bank: Bank, body: bytes) -> StoredResponse | str:
    """What the gateway's idempotency step does around the route stage."""
    claim = await begin_or_wait(store, SCOPE, KEY, hashlib.sha256(body).hexdigest(), 30_000, deadline_s=20)
    if isinstance(claim, Replay):
        return claim.response
    if isinstance(claim, Conflict | InProgress):
        return type(claim).__name__
    response = await bank.drawdown(body)
    await asyncio.to_thread(store.complete, SCOPE, KEY, claim.token, response)
    return response


@pytest.fixture(params=["sqlite", REDIS])
def replicas(request: pytest.FixtureRequest, tmp_path: Path, prefix: str) -> Iterator[list[StateStores]]:
    url = f"sqlite:///{tmp_path}/state.db" if request.param == "sqlite" else request.getfixturevalue("redis_url")
    stores = [open_stores(url, prefix=prefix) for _ in range(2)]
    yield stores
    for store in stores:
        store.close()


def test_concurrent_duplicates_at_two_replicas_disburse_exactly_once(replicas: list[StateStores]) -> None:
    bank = Bank()

    async def fire() -> list[StoredResponse | str]:
        calls = [forward(replicas[i % 2].idempotency, bank, DRAWDOWN) for i in range(8)]
        return list(await asyncio.gather(*calls))

    answers = asyncio.run(fire())
    assert bank.disbursements == 1
    assert answers == [StoredResponse(b"disbursement for " + DRAWDOWN, (("x-coloan-signature", "s"),))] * 8


def test_a_duplicate_with_other_bytes_is_refused_and_not_forwarded(replicas: list[StateStores]) -> None:
    bank = Bank()

    async def fire() -> list[StoredResponse | str]:
        first = await forward(replicas[0].idempotency, bank, DRAWDOWN)
        return [first, await forward(replicas[1].idempotency, bank, DRAWDOWN + b"\x18\x01")]

    assert asyncio.run(fire())[1] == "Conflict"
    assert bank.disbursements == 1


def test_a_claimed_forward_that_fails_is_released_and_the_retry_forwards(replicas: list[StateStores]) -> None:
    digest = hashlib.sha256(DRAWDOWN).hexdigest()
    failed = replicas[0].idempotency.begin(SCOPE, KEY, digest, 30_000)
    assert isinstance(failed, Claimed)
    replicas[0].idempotency.release(SCOPE, KEY, failed.token)
    bank = Bank()
    answer = asyncio.run(forward(replicas[1].idempotency, bank, DRAWDOWN))
    assert isinstance(answer, StoredResponse) and bank.disbursements == 1
