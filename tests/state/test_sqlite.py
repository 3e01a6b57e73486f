"""What only the SQLite stores do: survive restarts, purge lazily, fail closed when locked, refuse bad files."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.signing import ManualClock, ReplayStoreError
from gateway.state import (
    BackendError,
    Claimed,
    NonceBackendError,
    Replay,
    SqliteIdempotencyStore,
    SqliteNonceStore,
    StateConfigError,
    StoredResponse,
)

from .conftest import NOW_MS


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "state.db"


@pytest.fixture
def nonces(path: Path, clock: ManualClock) -> Iterator[SqliteNonceStore]:
    store = SqliteNonceStore(path, clock=clock)
    yield store
    store.close()


@pytest.fixture
def records(path: Path, clock: ManualClock) -> Iterator[SqliteIdempotencyStore]:
    store = SqliteIdempotencyStore(path, clock=clock)
    yield store
    store.close()


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608 (fixed names)


def test_nonces_and_responses_survive_a_restart(path: Path, clock: ManualClock) -> None:
    nonces, records = SqliteNonceStore(path, clock=clock), SqliteIdempotencyStore(path, clock=clock)
    nonces.check_and_store("req:platform", "n1", NOW_MS + 10)
    held = records.begin("s", "k", "d", 1_000)
    assert isinstance(held, Claimed)
    records.complete("s", "k", held.token, StoredResponse(b"disbursed"))
    nonces.close()
    records.close()
    nonces, records = SqliteNonceStore(path, clock=clock), SqliteIdempotencyStore(path, clock=clock)
    assert not nonces.check_and_store("req:platform", "n1", NOW_MS + 10)
    assert records.begin("s", "k", "d", 1_000) == Replay(StoredResponse(b"disbursed"))
    nonces.close()
    records.close()


def test_the_file_is_private_and_in_wal_mode(path: Path, nonces: SqliteNonceStore) -> None:
    assert path.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_expired_nonces_are_purged_a_bounded_batch_every_64_writes(
    path: Path, nonces: SqliteNonceStore, clock: ManualClock
) -> None:
    for i in range(200):
        nonces.check_and_store("req:platform", f"n{i}", NOW_MS)
    clock.advance(1)  # the first 200 have expired
    for i in range(55):
        nonces.check_and_store("req:platform", f"later{i}", NOW_MS + 10)
    assert count(path, "nonces") == 255  # no purge between the 192nd and the 256th write
    nonces.check_and_store("req:platform", "256th", NOW_MS + 10)
    assert count(path, "nonces") == 256 - 64  # one batch of at most 64 expired rows
    for i in range(64 * 3):
        nonces.check_and_store("req:platform", f"more{i}", NOW_MS + 10)
    assert count(path, "nonces") == 56 + 64 * 3  # every expired row is gone after three more batches


def test_expired_idempotency_records_are_purged_too(
    path: Path, records: SqliteIdempotencyStore, clock: ManualClock
) -> None:
    for i in range(10):
        records.begin("s", f"k{i}", "d", 5)
    clock.advance(6)
    records.begin("s", "later", "d", 5)
    assert count(path, "idempotency") == 1


def test_a_write_lock_held_past_the_busy_timeout_fails_closed(path: Path, clock: ManualClock) -> None:
    nonces = SqliteNonceStore(path, clock=clock, busy_timeout_ms=50)
    records = SqliteIdempotencyStore(path, clock=clock, busy_timeout_ms=50)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(NonceBackendError) as nonce_error:
        nonces.check_and_store("req:platform", "n1", NOW_MS + 10)
    with pytest.raises(BackendError):
        records.begin("s", "k", "d", 1_000)
    other.execute("ROLLBACK")
    assert isinstance(nonce_error.value, ReplayStoreError)
    assert nonces.check_and_store("req:platform", "n1", NOW_MS + 10)
    assert isinstance(records.begin("s", "k", "d", 1_000), Claimed)
    for closing in (other, nonces, records):
        closing.close()


def test_an_unreadable_stored_response_is_a_backend_error_not_a_replay(
    path: Path, records: SqliteIdempotencyStore
) -> None:
    held = records.begin("s", "k", "d", 1_000)
    assert isinstance(held, Claimed)
    records.complete("s", "k", held.token, StoredResponse(b"disbursed"))
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE idempotency SET response = ?", (b"garbage",))
    with pytest.raises(BackendError, match="unreadable"):
        records.begin("s", "k", "d", 1_000)


def test_a_file_from_a_newer_schema_is_refused_at_start_up(path: Path) -> None:
    SqliteNonceStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 2")
    with pytest.raises(StateConfigError, match="schema version 2"):
        SqliteIdempotencyStore(path)


def test_a_file_that_is_not_a_database_is_refused_at_start_up(path: Path) -> None:
    path.parent.mkdir()
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(StateConfigError, match="not a usable SQLite state file"):
        SqliteNonceStore(path)


def test_a_path_that_cannot_be_created_is_refused_at_start_up(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(StateConfigError, match="cannot create"):
        SqliteNonceStore(tmp_path / "file" / "state.db")


def test_the_busy_timeout_must_be_positive(path: Path) -> None:
    with pytest.raises(ValueError, match="busy_timeout_ms"):
        SqliteNonceStore(path, busy_timeout_ms=0)
