"""Once: the forwarding stages run at most once per caller, method and idempotency key."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence

from gateway._call import Call
from gateway.errors import AlreadyExists, Unavailable
from gateway.state import (
    Claimed,
    Conflict,
    IdempotencyStore,
    Replay,
    StateStoreError,
    StoredResponse,
    begin_or_wait,
)

Stage = Callable[[Call], object]


class Once:
    """For methods that require an idempotency key: a retry with the same bytes gets the stored reply without
    forwarding again, the same key with other bytes is refused (ALREADY_EXISTS), and concurrent duplicates wait
    for the first to finish. Other methods simply run ``inner``."""

    def __init__(self, store: IdempotencyStore, inner: Sequence[Stage], lease_ms: int) -> None:
        self._store, self._inner, self._lease = store, tuple(inner), lease_ms

    async def _run(self, call: Call) -> None:
        for stage in self._inner:
            await stage(call)  # type: ignore[misc]

    async def __call__(self, call: Call) -> None:
        if not call.method.policy.idempotency_key_required:
            await self._run(call)
            return
        assert call.verified is not None
        assert call.caller is not None
        assert call.verified.idempotency_key is not None
        scope, key = f"{call.caller.name}:{call.method.path}", call.verified.idempotency_key
        claim = await self._claim(call, scope, key)
        if isinstance(claim, Replay):
            call.reply_body, call.idempotency = claim.response.body, "replayed"
            return
        if isinstance(claim, Conflict):
            raise AlreadyExists("idempotency_key_reused", "this idempotency key was used for a different request")
        if not isinstance(claim, Claimed):
            raise Unavailable("idempotent_request_in_progress", "the same request is still being forwarded")
        await self._forward_once(call, scope, key, claim.token)

    async def _claim(self, call: Call, scope: str, key: str) -> object:
        digest = hashlib.sha256(call.body).hexdigest()
        wait = call.time_remaining_s if call.time_remaining_s is not None else self._lease / 1000
        try:
            return await begin_or_wait(self._store, scope, key, digest, self._lease, deadline_s=max(wait - 0.1, 0))
        except StateStoreError:
            raise Unavailable("state_store_unavailable", "the idempotency store cannot answer") from None

    async def _forward_once(self, call: Call, scope: str, key: str, token: str) -> None:
        try:
            await self._run(call)
        except BaseException:
            await asyncio.to_thread(self._store.release, scope, key, token)
            raise
        counts = tuple(sorted(call.response_receipt.counts().items())) if call.response_receipt else ()
        stored = StoredResponse(call.reply_body, (), counts)
        try:
            await asyncio.to_thread(self._store.complete, scope, key, token, stored)
        except StateStoreError:
            raise Unavailable("state_store_unavailable", "the idempotency store cannot answer") from None
        call.idempotency = "first"

