"""Waiting out another replica's claim: poll ``begin`` until the holder completes or releases, or time runs out."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from gateway.signing import Clock
from gateway.state._idempotency import SYSTEM_CLOCK, Claim, IdempotencyStore, InProgress

DEFAULT_POLL_S = 0.05


async def begin_or_wait(store: IdempotencyStore, scope: str, key: str, request_digest: str, lease_ms: int, *,
                        deadline_s: float, poll_s: float = DEFAULT_POLL_S, clock: Clock = SYSTEM_CLOCK,
                        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> Claim:
    """``begin``, retried every ``poll_s`` while another holder is forwarding, for at most ``deadline_s``.

    Returns ``Replay`` once the holder completes, ``Claimed`` if it released (or its lease
    expired), and ``InProgress`` only when the deadline passed. Each ``begin`` runs in a worker
    thread, so a slow backend never blocks the event loop.
    """
    give_up_ms = clock.now_ms() + round(deadline_s * 1000)
    while True:
        claim = await asyncio.to_thread(store.begin, scope, key, request_digest, lease_ms)
        left_ms = give_up_ms - clock.now_ms()
        if not isinstance(claim, InProgress) or left_ms <= 0:
            return claim
        await sleep(min(poll_s, left_ms / 1000))
