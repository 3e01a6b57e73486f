"""Stores on different connections and in different processes see each other's nonces and claims."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gateway.signing import ManualClock, NonceStore
from gateway.state import Claimed, IdempotencyStore, InProgress, Replay, StateStores, StoredResponse, open_stores

from .conftest import NOW_MS, REDIS

WORKER = Path(__file__).with_name("_worker.py")
PROCESSES, ATTEMPTS = 3, 100
Open = Callable[[], StateStores]


@pytest.fixture(params=["sqlite", REDIS])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same state, reached by every replica through its own connection."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/state.db"
    return str(request.getfixturevalue("redis_url"))


@pytest.fixture
def replicas(url: str, prefix: str, clock: ManualClock) -> Iterator[tuple[StateStores, StateStores]]:
    one, two = (open_stores(url, prefix=prefix, clock=clock) for _ in range(2))
    yield one, two
    one.close()
    two.close()


def test_a_nonce_used_at_one_replica_is_refused_at_another(replicas: tuple[StateStores, StateStores]) -> None:
    one, two = replicas
    assert one.nonces.check_and_store("req:platform", "n1", NOW_MS + 10)
    assert not two.nonces.check_and_store("req:platform", "n1", NOW_MS + 10)


def test_a_claim_at_one_replica_is_seen_and_replayed_at_another(replicas: tuple[StateStores, StateStores]) -> None:
    one, two = replicas
    held = one.idempotency.begin("platform/Drawdown", "dd-1", "d" * 64, 1_000)
    assert isinstance(held, Claimed)
    assert two.idempotency.begin("platform/Drawdown", "dd-1", "d" * 64, 1_000) == InProgress()
    one.idempotency.complete("platform/Drawdown", "dd-1", held.token, StoredResponse(b"disbursed"))
    assert two.idempotency.begin("platform/Drawdown", "dd-1", "d" * 64, 1_000) == Replay(StoredResponse(b"disbursed"))


def test_threads_racing_through_two_replicas_win_each_nonce_and_key_once(
    replicas: tuple[StateStores, StateStores],
) -> None:
    wins: list[str] = []
    barrier = threading.Barrier(6)

    def race(nonces: NonceStore, claims: IdempotencyStore) -> None:
        barrier.wait()
        for i in range(40):
            wins.extend(["nonce"] * nonces.check_and_store("req:platform", f"n{i}", NOW_MS + 10))
            wins.extend(["claim"] * isinstance(claims.begin("platform/Drawdown", f"k{i}", "d" * 64, 1_000), Claimed))

    threads = [threading.Thread(target=race, args=replicas[i % 2]) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wins.count("nonce") == 40 and wins.count("claim") == 40


def test_processes_racing_on_the_same_state_win_each_nonce_and_key_once(url: str, prefix: str) -> None:
    workers = [subprocess.Popen([sys.executable, str(WORKER), url, prefix, str(ATTEMPTS)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True) for _ in range(PROCESSES)]
    try:
        for worker in workers:
            assert worker.stdout is not None and worker.stdout.readline() == "ready\n"
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        results = [json.loads(worker.communicate(timeout=60)[0]) for worker in workers]
    finally:
        for worker in workers:  # a failed start must not leave processes or pipes behind
            if worker.poll() is None:
                worker.kill()
            worker.communicate()
    assert all(worker.returncode == 0 for worker in workers)
    for kind in ("fresh", "claimed"):
        won = sorted(i for result in results for i in result[kind])
        assert won == list(range(ATTEMPTS)), kind
