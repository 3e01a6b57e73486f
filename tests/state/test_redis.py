"""What only the Redis stores do: their key layout and TTLs, and failing closed when Redis cannot answer."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from gateway.signing import ManualClock, ReplayStoreError, SystemClock
from gateway.state import (
    BackendError,
    Claimed,
    NonceBackendError,
    RedisIdempotencyStore,
    RedisNonceStore,
    Replay,
    StoredResponse,
    encode_response,
    redis_client,
)

from .conftest import NOW_MS, PrivateRedis, free_port

pytestmark = pytest.mark.integration

GRACE_MS = 30_000


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis_client(redis_url)
    yield connection
    connection.close()


@pytest.fixture
def nonces(client: redis.Redis, prefix: str, clock: ManualClock) -> RedisNonceStore:
    return RedisNonceStore(client, prefix=prefix, clock=clock)


@pytest.fixture
def records(client: redis.Redis, prefix: str, clock: ManualClock) -> RedisIdempotencyStore:
    return RedisIdempotencyStore(client, prefix=prefix, clock=clock, retain_ms=3_600_000)


@pytest.fixture
def silent() -> Iterator[tuple[int, list[socket.socket]]]:
    """A port that accepts connections and never answers, like a hung server."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.05)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept)
    thread.start()
    yield int(server.getsockname()[1]), accepted
    stop.set()
    thread.join()
    for sock in [*accepted, server]:
        sock.close()


def test_a_nonce_is_a_string_key_holding_its_expiry_and_a_gc_ttl(
    nonces: RedisNonceStore, client: redis.Redis, prefix: str
) -> None:
    nonces.check_and_store("req:platform", "AAAAAAAAAAAAAAAAAAAAAA", NOW_MS + 60_000)
    key = f"{prefix}nonce:req%3Aplatform:AAAAAAAAAAAAAAAAAAAAAA"
    assert client.get(key) == str(NOW_MS + 60_000).encode()
    assert 60_000 < client.pttl(key) <= 60_000 + GRACE_MS


def test_an_idempotency_record_is_a_hash_whose_ttl_follows_its_state(
    records: RedisIdempotencyStore, client: redis.Redis, prefix: str
) -> None:
    held = records.begin("platform/Drawdown", "dd 1", "d" * 64, 10_000)
    assert isinstance(held, Claimed)
    key = f"{prefix}idem:platform%2FDrawdown:dd%201"
    pending = {b"digest": b"d" * 64, b"token": held.token.encode(), b"expires_at_ms": str(NOW_MS + 10_000).encode()}
    assert client.hgetall(key) == pending
    assert 10_000 < client.pttl(key) <= 10_000 + GRACE_MS
    records.complete("platform/Drawdown", "dd 1", held.token, StoredResponse(b"disbursed"))
    assert client.hget(key, "response") == encode_response(StoredResponse(b"disbursed"))
    assert 3_600_000 < client.pttl(key) <= 3_600_000 + GRACE_MS


def test_expiry_follows_the_gateway_clock_even_when_redis_is_a_day_ahead(client: redis.Redis, prefix: str) -> None:
    behind = ManualClock(SystemClock().now_ms() - 86_400_000)
    nonces = RedisNonceStore(client, prefix=prefix, clock=behind)
    assert nonces.check_and_store("req:platform", "n1", behind.now_ms() + 60_000)
    assert not nonces.check_and_store("req:platform", "n1", behind.now_ms() + 60_000)


def test_a_client_that_decodes_responses_is_refused(redis_url: str) -> None:
    decoding = redis.Redis.from_url(redis_url, decode_responses=True)
    with pytest.raises(ValueError, match="decode_responses"):
        RedisIdempotencyStore(decoding)
    decoding.close()


def test_an_unreadable_stored_response_is_a_backend_error_not_a_replay(
    records: RedisIdempotencyStore, client: redis.Redis, prefix: str
) -> None:
    held = records.begin("s", "k", "d", 1_000)
    assert isinstance(held, Claimed)
    records.complete("s", "k", held.token, StoredResponse(b"disbursed"))
    client.hset(f"{prefix}idem:s:k", "response", b"garbage")
    with pytest.raises(BackendError, match="unreadable"):
        records.begin("s", "k", "d", 1_000)


def fail_every_operation(url: str, clock: ManualClock) -> None:
    nonces, records = RedisNonceStore(url, clock=clock), RedisIdempotencyStore(url, clock=clock)
    with pytest.raises(NonceBackendError) as error:
        nonces.check_and_store("req:platform", "n1", NOW_MS + 10)
    assert isinstance(error.value, ReplayStoreError)
    with pytest.raises(BackendError):
        records.begin("s", "k", "d", 1_000)
    with pytest.raises(BackendError):
        records.complete("s", "k", "token", StoredResponse(b""))
    with pytest.raises(BackendError):
        records.release("s", "k", "token")
    nonces.close()
    records.close()


def test_a_refused_connection_fails_every_operation_closed(clock: ManualClock) -> None:
    fail_every_operation(f"redis://127.0.0.1:{free_port()}/0", clock)


def test_a_server_that_never_answers_fails_every_operation_closed_after_one_attempt(
    silent: tuple[int, list[socket.socket]], clock: ManualClock
) -> None:
    port, accepted = silent
    fail_every_operation(f"redis://127.0.0.1:{port}/0", clock)
    for _ in range(100):  # the acceptor thread may lag behind the client
        if len(accepted) >= 4:
            break
        time.sleep(0.01)
    assert len(accepted) == 4  # one bounded attempt per operation: no retries, no backoff


def test_a_full_redis_refuses_writes_and_the_stores_fail_closed(
    client: redis.Redis, nonces: RedisNonceStore, records: RedisIdempotencyStore
) -> None:
    assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    client.config_set("maxmemory", 1)
    try:
        with pytest.raises(NonceBackendError):
            nonces.check_and_store("req:platform", "n1", NOW_MS + 10)
        with pytest.raises(BackendError):
            records.begin("s", "k", "d", 1_000)
    finally:
        client.config_set("maxmemory", 0)
    assert nonces.check_and_store("req:platform", "n1", NOW_MS + 10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A second private Redis this test may stop and start; stopped at the end in any case."""
    private = PrivateRedis(tmp_path / "redis")
    yield private
    private.stop()


def test_a_stopped_redis_fails_closed_and_a_restarted_one_keeps_its_records(
    server: PrivateRedis, clock: ManualClock
) -> None:
    url = server.start()
    nonces, records = RedisNonceStore(url, clock=clock), RedisIdempotencyStore(url, clock=clock)
    nonces.check_and_store("req:platform", "n1", NOW_MS + 60_000)
    held = records.begin("s", "k", "d", 1_000)
    assert isinstance(held, Claimed)
    records.complete("s", "k", held.token, StoredResponse(b"disbursed"))
    server.stop()
    with pytest.raises(NonceBackendError):
        nonces.check_and_store("req:platform", "n2", NOW_MS + 60_000)
    with pytest.raises(BackendError):
        records.begin("s", "k", "d", 1_000)
    assert server.start() == url
    assert not nonces.check_and_store("req:platform", "n1", NOW_MS + 60_000)
    assert records.begin("s", "k", "d", 1_000) == Replay(StoredResponse(b"disbursed"))
    nonces.close()
    records.close()
