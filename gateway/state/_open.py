"""Opening the state stores from one URL in the gateway's config."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from gateway.signing import Clock, MemoryNonceStore, NonceStore
from gateway.state._errors import StateConfigError
from gateway.state._idempotency import SYSTEM_CLOCK, IdempotencyStore, MemoryIdempotencyStore
from gateway.state._redis import DEFAULT_PREFIX, RedisIdempotencyStore, RedisNonceStore, redis_client
from gateway.state._sqlite_stores import SqliteIdempotencyStore, SqliteNonceStore

EXAMPLES = "sqlite:///state/state.db (in the workspace), sqlite:////abs/state.db or redis://127.0.0.1:6379/0"


class StateStores(NamedTuple):
    """The nonce and idempotency stores of one gateway process; unpack it, and ``close`` it at shutdown."""

    nonces: NonceStore
    idempotency: IdempotencyStore

    def close(self) -> None:
        """Close the stores' connections (the memory stores have none)."""
        for store in self:
            close = getattr(store, "close", None)
            if close is not None:
                close()


def open_stores(url: str, *, base_dir: Path | None = None, prefix: str = DEFAULT_PREFIX,
                clock: Clock = SYSTEM_CLOCK) -> StateStores:
    """The stores ``url`` names: ``sqlite://`` (a file), ``redis://``/``rediss://``/``unix://``, or ``memory:``.

    SQLite URLs follow SQLAlchemy: three slashes then a path relative to ``base_dir``
    (default: the working directory), four slashes for an absolute path. Raises
    ``StateConfigError`` naming the problem and the fix; the URL itself is never echoed
    (it may carry a Redis password).
    """
    scheme = url.partition(":")[0].lower()
    if scheme == "sqlite":
        path = _sqlite_path(url, base_dir or Path.cwd())
        return StateStores(SqliteNonceStore(path, clock=clock), SqliteIdempotencyStore(path, clock=clock))
    if scheme in ("redis", "rediss", "unix"):
        try:
            client = redis_client(url)
        except ValueError:
            raise StateConfigError(f"state url: not a usable {scheme} URL; fix: e.g. {EXAMPLES}") from None
        return StateStores(RedisNonceStore(client, prefix=prefix, clock=clock),
                           RedisIdempotencyStore(client, prefix=prefix, clock=clock))
    if url == "memory:":
        return StateStores(MemoryNonceStore(clock=clock), MemoryIdempotencyStore(clock=clock))
    raise StateConfigError(f"state url: not a sqlite, redis, rediss, unix or memory URL; fix: e.g. {EXAMPLES}")


def _sqlite_path(url: str, base_dir: Path) -> Path:
    rest = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""
    if not rest.strip("/") or "?" in rest:
        raise StateConfigError(f"state url: a SQLite URL needs a file path and nothing else; fix: e.g. {EXAMPLES}")
    return Path(rest) if rest.startswith("/") else base_dir / rest
