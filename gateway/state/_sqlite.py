"""The SQLite state file: one connection per store, WAL, and writes as IMMEDIATE transactions.

Idempotency records use ``synchronous=FULL``: in WAL mode NORMAL skips the fsync at commit, so
a power cut can roll back the last commits, and a lost idempotency record means a second
disbursement. Nonces use NORMAL (no fsync per call; a process crash loses nothing, only an OS
crash or power cut can roll back the last commits): the gateway refuses requests signed before
it started, so a nonce rolled back that way can never be replayed.
``BEGIN IMMEDIATE`` takes the write lock up front, so concurrent writers in other processes
wait in the busy handler (bounded by ``busy_timeout_ms``) instead of failing mid-transaction.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from gateway.state._errors import BackendError, StateConfigError
from gateway.state._idempotency import check_ms

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS nonces (
    scope TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    PRIMARY KEY (scope, nonce)
);
CREATE INDEX IF NOT EXISTS nonces_by_expiry ON nonces (expires_at_ms);
CREATE TABLE IF NOT EXISTS idempotency (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    digest TEXT NOT NULL,
    token TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    response BLOB,
    PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS idempotency_by_expiry ON idempotency (expires_at_ms);
"""
DEFAULT_BUSY_TIMEOUT_MS = 1_000
PURGE_LIMIT = 64
"""Expired rows deleted per write at most: more than one write adds, so the table stays near its live size."""


class Database:
    """One connection to the state file, serialized by a lock; sqlite3 failures become ``error``."""

    def __init__(self, path: Path, *, busy_timeout_ms: int, error: type[BackendError], durable: bool = True) -> None:
        self._error = error
        self._lock = threading.Lock()
        self._conn = _connect(Path(path), check_ms(busy_timeout_ms, "busy_timeout_ms"))
        self._conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; committed when the block ends, rolled back if it raises."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                yield self._conn
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise self._error("the SQLite state file cannot answer") from exc
            except BaseException:
                self._rollback()
                raise

    def execute(self, sql: str, params: tuple[object, ...]) -> int:
        """One statement in its own implicit transaction (atomic on its own); the number of rows it changed."""
        with self._lock:
            try:
                return int(self._conn.execute(sql, params).rowcount)
            except sqlite3.Error as exc:
                raise self._error("the SQLite state file cannot answer") from exc

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")


def _connect(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    """An autocommit connection (transactions are explicit) in WAL mode with the schema in place."""
    _create_private(path)
    try:
        conn = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StateConfigError(f"{path}: cannot open the SQLite state file ({exc}); fix: check the path") from exc
    try:
        _prepare(conn, path, busy_timeout_ms)
    except BaseException:
        conn.close()
        raise
    return conn


def _create_private(path: Path) -> None:
    """Create the file (and its directory) readable by the owner only: it holds response bodies."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    except OSError as exc:
        raise StateConfigError(f"{path}: cannot create the state file ({exc.strerror}); fix: a writable path") from exc


def _journal_wal(conn: sqlite3.Connection, path: Path, busy_timeout_ms: int) -> str:
    """Switch to WAL; the switch needs the file to itself and does not wait in the busy handler, so
    processes opening a new file at once retry it until the busy timeout."""
    give_up = time.monotonic() + busy_timeout_ms / 1000
    while True:
        try:
            return str(conn.execute("PRAGMA journal_mode=WAL").fetchone()[0])
        except sqlite3.Error as exc:
            if "locked" not in str(exc) or time.monotonic() > give_up:
                raise StateConfigError(f"{path}: not a usable SQLite state file ({exc}); fix: another path") from exc
            time.sleep(0.02)


def _prepare(conn: sqlite3.Connection, path: Path, busy_timeout_ms: int) -> None:
    """WAL, FULL sync, and the schema, created in one transaction if the file is new."""
    mode = _journal_wal(conn, path, busy_timeout_ms)
    try:
        conn.execute("PRAGMA synchronous=FULL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:  # idempotent, so two processes creating it at once is harmless
            conn.executescript(f"BEGIN IMMEDIATE;{SCHEMA}PRAGMA user_version={SCHEMA_VERSION};COMMIT;")
    except sqlite3.Error as exc:
        raise StateConfigError(f"{path}: not a usable SQLite state file ({exc}); fix: another path") from exc
    if mode != "wal":
        raise StateConfigError(f"{path}: the filesystem does not support WAL mode; fix: a local disk")
    if version not in (0, SCHEMA_VERSION):
        raise StateConfigError(f"{path}: schema version {version} is not {SCHEMA_VERSION}; fix: a matching gateway")
