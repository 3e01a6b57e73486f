"""The SQLite nonce and idempotency stores: the embedded default, one file shared by every process on a host.

Each operation is one statement or one ``BEGIN IMMEDIATE`` transaction, so it is atomic across
threads, connections and processes opening the same file. Writes also delete at most
``PURGE_LIMIT`` expired rows (nonce writes every ``NONCE_PURGE_EVERY`` calls, to keep the per-call
path to one statement), so the tables stay near their live size without a sweeper.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from gateway.signing import Clock
from gateway.state._errors import BackendError, NonceBackendError
from gateway.state._idempotency import (
    DEFAULT_RETAIN_MS,
    SYSTEM_CLOCK,
    Claim,
    Claimed,
    Record,
    check_ms,
    finish,
    judge,
    new_token,
    releasable,
)
from gateway.state._response import StoredResponse, decode_response, encode_response
from gateway.state._sqlite import DEFAULT_BUSY_TIMEOUT_MS, PURGE_LIMIT, Database

# A live row is kept (0 rows changed: a replay); an absent or expired one is (re)written (1 row).
_USE_NONCE = """
INSERT INTO nonces (scope, nonce, expires_at_ms) VALUES (?, ?, ?)
ON CONFLICT (scope, nonce) DO UPDATE SET expires_at_ms = excluded.expires_at_ms WHERE nonces.expires_at_ms < ?
"""
NONCE_PURGE_EVERY = 64
_PURGE_NONCES = "DELETE FROM nonces WHERE rowid IN (SELECT rowid FROM nonces WHERE expires_at_ms < ? LIMIT ?)"
_PURGE_RECORDS = (
    "DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency WHERE expires_at_ms < ? LIMIT ?)"
)
_READ = "SELECT digest, token, expires_at_ms, response FROM idempotency WHERE scope = ? AND key = ?"
_WRITE = """
INSERT OR REPLACE INTO idempotency (scope, key, digest, token, expires_at_ms, response) VALUES (?, ?, ?, ?, ?, ?)
"""
_DELETE = "DELETE FROM idempotency WHERE scope = ? AND key = ?"


class SqliteNonceStore:
    """A ``NonceStore`` in a SQLite file: nonces survive a restart and are shared by processes on the host."""

    def __init__(self, path: Path | str, *, clock: Clock = SYSTEM_CLOCK,
                 busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> None:
        self._db = Database(Path(path), busy_timeout_ms=busy_timeout_ms, error=NonceBackendError, durable=False)
        self._clock = clock
        self._calls = 0

    def check_and_store(self, scope: str, nonce: str, expires_at_ms: int) -> bool:
        now = self._clock.now_ms()
        fresh = self._db.execute(_USE_NONCE, (scope, nonce, expires_at_ms, now)) == 1
        self._calls += 1
        if self._calls % NONCE_PURGE_EVERY == 0:
            self._db.execute(_PURGE_NONCES, (now, PURGE_LIMIT))
        return fresh

    def close(self) -> None:
        self._db.close()


class SqliteIdempotencyStore:
    """An ``IdempotencyStore`` in a SQLite file; completed responses are kept ``retain_ms``."""

    def __init__(self, path: Path | str, *, retain_ms: int = DEFAULT_RETAIN_MS, clock: Clock = SYSTEM_CLOCK,
                 busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> None:
        self._retain = check_ms(retain_ms, "retain_ms")
        self._db = Database(Path(path), busy_timeout_ms=busy_timeout_ms, error=BackendError)
        self._clock = clock

    def begin(self, scope: str, key: str, request_digest: str, lease_ms: int) -> Claim:
        check_ms(lease_ms, "lease_ms")
        now = self._clock.now_ms()
        with self._db.transaction() as conn:
            claim = judge(_read(conn, scope, key), request_digest, now)
            if claim is None:
                claim = Claimed(new_token())
                _write(conn, scope, key, Record(request_digest, claim.token, now + lease_ms))
            conn.execute(_PURGE_RECORDS, (now, PURGE_LIMIT))
        return claim

    def complete(self, scope: str, key: str, token: str, response: StoredResponse) -> None:
        now = self._clock.now_ms()
        with self._db.transaction() as conn:
            record = _read(conn, scope, key)
            done = finish(record, token, response, now, self._retain)
            if done is not record:
                _write(conn, scope, key, done)

    def release(self, scope: str, key: str, token: str) -> None:
        with self._db.transaction() as conn:
            if releasable(_read(conn, scope, key), token):
                conn.execute(_DELETE, (scope, key))

    def close(self) -> None:
        self._db.close()


def _read(conn: sqlite3.Connection, scope: str, key: str) -> Record | None:
    row = conn.execute(_READ, (scope, key)).fetchone()
    if row is None:
        return None
    digest, token, expires_at_ms, response = row
    return Record(digest, token, expires_at_ms, None if response is None else decode_response(response))


def _write(conn: sqlite3.Connection, scope: str, key: str, record: Record) -> None:
    response = None if record.response is None else encode_response(record.response)
    conn.execute(_WRITE, (scope, key, record.digest, record.token, record.expires_at_ms, response))
