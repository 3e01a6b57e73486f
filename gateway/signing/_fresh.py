"""Freshness: a signed timestamp within the clock window, and a nonce used once within it."""

from __future__ import annotations

from gateway.signing._errors import SignatureError
from gateway.signing._replay import NonceStore

DEFAULT_WINDOW_MS = 60_000


def check_window_ms(window_ms: int) -> int:
    """A usable window: positive, and at most an hour (a longer one makes the replay store pointless)."""
    if isinstance(window_ms, bool) or not isinstance(window_ms, int) or not 0 < window_ms <= 3_600_000:
        raise ValueError("window_ms must be an int in 1..3600000")
    return window_ms


def check_window(timestamp_ms: int, now_ms: int, window_ms: int) -> int:
    """The skew ``timestamp - now`` in ms if within ±``window_ms`` (inclusive); stale or future otherwise."""
    skew = timestamp_ms - now_ms
    if skew < -window_ms:
        raise SignatureError("stale_timestamp", "timestamp is older than the clock window")
    if skew > window_ms:
        raise SignatureError("future_timestamp", "timestamp is later than the clock window")
    return skew


def remember_nonce(store: NonceStore, scope: str, nonce: str, timestamp_ms: int, window_ms: int) -> None:
    """Use ``nonce`` once in ``scope``; it is kept until its timestamp leaves the window, then may recur."""
    if not store.check_and_store(scope, nonce, timestamp_ms + window_ms):
        raise SignatureError("replayed_nonce", "nonce was already used within the clock window")
