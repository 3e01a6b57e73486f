"""The signing package's ``NonceStore`` contract, run unchanged against the SQLite and Redis stores.

The contract tests are imported from ``tests/signing/test_replay.py`` and resolve
``any_store`` to the fixture below; a guard checks that none is left out.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
from signing import test_replay as signing_replay
from signing.test_replay import (
    test_a_nonce_is_accepted_once_per_scope,
    test_a_nonce_is_live_until_its_expiry_inclusive_then_forgotten,
    test_a_refused_nonce_keeps_its_first_expiry,
    test_exactly_one_of_many_concurrent_uses_of_a_nonce_wins,
)

from gateway.signing import ManualClock, NonceStore
from gateway.state import RedisNonceStore, SqliteNonceStore

from .conftest import REDIS

CONTRACT = (
    test_a_nonce_is_accepted_once_per_scope,
    test_a_nonce_is_live_until_its_expiry_inclusive_then_forgotten,
    test_a_refused_nonce_keeps_its_first_expiry,
    test_exactly_one_of_many_concurrent_uses_of_a_nonce_wins,
)


@pytest.fixture(params=["sqlite", REDIS])
def any_store(request: pytest.FixtureRequest, clock: ManualClock, tmp_path: Path) -> Iterator[NonceStore]:
    store: SqliteNonceStore | RedisNonceStore
    if request.param == "sqlite":
        store = SqliteNonceStore(tmp_path / "state.db", clock=clock)
    else:
        url, prefix = request.getfixturevalue("redis_url"), request.getfixturevalue("prefix")
        store = RedisNonceStore(url, prefix=prefix, clock=clock)
    yield store
    store.close()


def test_every_contract_test_of_the_signing_package_runs_here() -> None:
    uses_store = {name for name, f in vars(signing_replay).items()
                  if name.startswith("test_") and "any_store" in inspect.signature(f).parameters}
    assert uses_store == {f.__name__ for f in CONTRACT}
