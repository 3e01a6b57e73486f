"""``open_stores``: one URL names both stores; a bad URL is a start-up error that never echoes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.signing import MemoryNonceStore
from gateway.state import (
    MemoryIdempotencyStore,
    RedisIdempotencyStore,
    RedisNonceStore,
    SqliteIdempotencyStore,
    SqliteNonceStore,
    StateConfigError,
    open_stores,
)


def test_three_slashes_is_a_file_relative_to_the_base_directory(tmp_path: Path) -> None:
    stores = open_stores("sqlite:///state/state.db", base_dir=tmp_path)
    assert isinstance(stores.nonces, SqliteNonceStore) and isinstance(stores.idempotency, SqliteIdempotencyStore)
    stores.close()
    assert (tmp_path / "state" / "state.db").is_file()


def test_four_slashes_is_an_absolute_path(tmp_path: Path) -> None:
    stores = open_stores(f"sqlite:///{tmp_path}/abs.db", base_dir=tmp_path / "elsewhere")
    stores.close()
    assert (tmp_path / "abs.db").is_file() and not (tmp_path / "elsewhere").exists()


@pytest.mark.integration
def test_a_redis_url_opens_both_stores_on_one_client(redis_url: str) -> None:
    stores = open_stores(redis_url)
    assert isinstance(stores.nonces, RedisNonceStore) and isinstance(stores.idempotency, RedisIdempotencyStore)
    stores.close()


def test_memory_is_for_tests_and_single_processes() -> None:
    stores = open_stores("memory:")
    assert isinstance(stores.nonces, MemoryNonceStore) and isinstance(stores.idempotency, MemoryIdempotencyStore)
    stores.close()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgres://user:s3cret@db/state", "not a sqlite, redis"),
        ("sqlite://state.db", "needs a file path"),
        ("sqlite:///", "needs a file path"),
        ("sqlite:///state.db?mode=ro", "needs a file path"),
        ("redis://:s3cret@127.0.0.1:notaport/0", "not a usable redis URL"),
        ("s3cret", "not a sqlite, redis"),
    ],
)
def test_a_bad_url_names_the_problem_and_the_fix_but_not_the_url(url: str, problem: str) -> None:
    with pytest.raises(StateConfigError, match=problem) as error:
        open_stores(url)
    assert "fix: e.g. sqlite:///" in str(error.value)
    assert "s3cret" not in str(error.value)
