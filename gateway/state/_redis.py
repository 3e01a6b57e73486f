"""The Redis nonce and idempotency stores: shared by every replica, each operation one atomic Lua script.

Expiry is judged by the gateway's clock, not Redis's: a record holds its ``expires_at_ms``
and every script compares it with the caller's ``now_ms``, so the result is the same as the
SQLite and memory stores under an injected clock, and a Redis clock that runs ahead of the
gateways never forgets a live nonce early. Redis's own TTL (``PX``) only collects garbage:
it is the time left plus ``grace_ms``, the clock skew tolerated between replicas.

Keys (``<scope>`` and ``<name>`` percent-encoded, so the layout is unambiguous)::

    <prefix>nonce:<scope>:<nonce>   string  expires_at_ms
    <prefix>idem:<scope>:<key>      hash    digest, token, expires_at_ms, response (once done)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import redis
from redis.backoff import NoBackoff
from redis.commands.core import Script
from redis.exceptions import RedisError
from redis.retry import Retry

from gateway.signing import Clock
from gateway.state._errors import BackendError, ClaimLost, NonceBackendError
from gateway.state._idempotency import (
    DEFAULT_RETAIN_MS,
    SYSTEM_CLOCK,
    Claim,
    Claimed,
    Conflict,
    InProgress,
    Replay,
    check_ms,
    new_token,
)
from gateway.state._response import StoredResponse, decode_response, encode_response

DEFAULT_PREFIX = "coloan:"
DEFAULT_TIMEOUT_S = 0.5
DEFAULT_GRACE_MS = 30_000

# Each script's first write is one Redis refuses when memory is full (SET, HSET), so a full
# server fails the whole script before it changes anything.

# KEYS[1] nonce; ARGV now_ms, expires_at_ms, ttl_ms
USE_NONCE = """
local stored = redis.call('GET', KEYS[1])
if stored and tonumber(stored) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""
# KEYS[1] record; ARGV now_ms, digest, token, expires_at_ms, ttl_ms
BEGIN = """
local r = redis.call('HMGET', KEYS[1], 'digest', 'expires_at_ms', 'response')
if r[1] and tonumber(r[2]) >= tonumber(ARGV[1]) then
  if r[1] ~= ARGV[2] then return {'conflict'} end
  if r[3] then return {'replay', r[3]} end
  return {'in_progress'}
end
redis.call('HSET', KEYS[1], 'digest', ARGV[2], 'token', ARGV[3], 'expires_at_ms', ARGV[4])
redis.call('HDEL', KEYS[1], 'response')
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {'claimed'}
"""
# KEYS[1] record; ARGV now_ms, token, response, expires_at_ms, ttl_ms
COMPLETE = """
local r = redis.call('HMGET', KEYS[1], 'token', 'expires_at_ms', 'response')
if r[1] ~= ARGV[2] then return 0 end
if r[3] then return 1 end
if tonumber(r[2]) < tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'response', ARGV[3], 'expires_at_ms', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
"""
# KEYS[1] record; ARGV token
RELEASE = """
local r = redis.call('HMGET', KEYS[1], 'token', 'response')
if r[1] == ARGV[1] and not r[2] then redis.call('DEL', KEYS[1]) end
return 1
"""


def redis_client(url: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> redis.Redis:
    """A client that fails fast: ``timeout_s`` to connect and per reply, and no automatic retries.

    A default ``redis.Redis()`` retries ten times with backoff (seconds per call while Redis is
    down, measured with redis-py 8.1); here the partner's own retry, with the same idempotency
    key or a new nonce, is the retry. A client passed to a store instead should be as strict.
    """
    return redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s,
                                retry=Retry(NoBackoff(), 0))


def record_key(prefix: str, kind: str, scope: str, name: str) -> str:
    """``<prefix><kind>:<scope>:<name>`` with scope and name percent-encoded, so no two pairs share a key."""
    return f"{prefix}{kind}:{quote(scope, safe='')}:{quote(name, safe='')}"


class _RedisStore:
    """What both Redis stores share: the client, the prefix, the clock and script calls that fail closed."""

    _error: type[BackendError] = BackendError

    def __init__(self, client_or_url: redis.Redis | str, prefix: str, clock: Clock, grace_ms: int) -> None:
        self._client = redis_client(client_or_url) if isinstance(client_or_url, str) else client_or_url
        if self._client.get_connection_kwargs().get("decode_responses"):
            raise ValueError("the Redis client must return bytes (decode_responses=False)")
        self._prefix, self._clock, self._grace = prefix, clock, check_ms(grace_ms, "grace_ms")

    def _ttl(self, now_ms: int, expires_at_ms: int) -> int:
        return max(expires_at_ms - now_ms, 0) + self._grace

    def _run(self, script: Script, key: str, *args: str | int | bytes) -> Any:
        try:
            return script(keys=[key], args=list(args))
        except (RedisError, OSError) as exc:
            raise self._error("the Redis state store cannot answer") from exc

    def close(self) -> None:
        self._client.close()


class RedisNonceStore(_RedisStore):
    """A ``NonceStore`` in Redis: a nonce used at one replica is refused at every other."""

    _error = NonceBackendError

    def __init__(self, client_or_url: redis.Redis | str, *, prefix: str = DEFAULT_PREFIX,
                 clock: Clock = SYSTEM_CLOCK, grace_ms: int = DEFAULT_GRACE_MS) -> None:
        super().__init__(client_or_url, prefix, clock, grace_ms)
        self._use = self._client.register_script(USE_NONCE)

    def check_and_store(self, scope: str, nonce: str, expires_at_ms: int) -> bool:
        now = self._clock.now_ms()
        key = record_key(self._prefix, "nonce", scope, nonce)
        return bool(self._run(self._use, key, now, expires_at_ms, self._ttl(now, expires_at_ms)) == 1)


class RedisIdempotencyStore(_RedisStore):
    """An ``IdempotencyStore`` in Redis, shared by every replica; completed responses are kept ``retain_ms``."""

    def __init__(self, client_or_url: redis.Redis | str, *, prefix: str = DEFAULT_PREFIX,
                 retain_ms: int = DEFAULT_RETAIN_MS, clock: Clock = SYSTEM_CLOCK,
                 grace_ms: int = DEFAULT_GRACE_MS) -> None:
        super().__init__(client_or_url, prefix, clock, grace_ms)
        self._retain = check_ms(retain_ms, "retain_ms")
        self._begin, self._complete, self._release = map(self._client.register_script, (BEGIN, COMPLETE, RELEASE))

    def begin(self, scope: str, key: str, request_digest: str, lease_ms: int) -> Claim:
        now, token = self._clock.now_ms(), new_token()
        until = now + check_ms(lease_ms, "lease_ms")
        reply = self._run(self._begin, self._key(scope, key), now, request_digest, token, until, self._ttl(now, until))
        return self._claim(reply, token)

    def complete(self, scope: str, key: str, token: str, response: StoredResponse) -> None:
        now = self._clock.now_ms()
        until = now + self._retain
        data = encode_response(response)
        if self._run(self._complete, self._key(scope, key), now, token, data, until, self._ttl(now, until)) != 1:
            raise ClaimLost("the idempotency claim was taken over or has expired")

    def release(self, scope: str, key: str, token: str) -> None:
        self._run(self._release, self._key(scope, key), token)

    def _key(self, scope: str, key: str) -> str:
        return record_key(self._prefix, "idem", scope, key)

    def _claim(self, reply: Any, token: str) -> Claim:
        kind = reply[0] if isinstance(reply, list) and reply else None
        if kind == b"claimed":
            return Claimed(token)
        if kind == b"replay":
            return Replay(decode_response(reply[1]))
        if kind in (b"conflict", b"in_progress"):
            return Conflict() if kind == b"conflict" else InProgress()
        raise BackendError("the Redis state store answered something unexpected")
