"""Errors of the signing package.

    SigningError
    ├── KeyLoadError       start-up: a key cannot be used (names the key id or file and the fix)
    ├── SignatureError     per call: signature, metadata or freshness refused; ``.reason`` is a stable code
    └── ReplayStoreError   per call: the nonce store cannot answer (full, unreachable); fail closed

No message ever contains a metadata value, a body byte or key material: only header
names and fixed phrases, so an error can be logged and returned to a partner as is.
"""

from __future__ import annotations

from typing import Literal, get_args

Reason = Literal[
    "missing_signature",
    "malformed",
    "unknown_key",
    "bad_signature",
    "stale_timestamp",
    "future_timestamp",
    "replayed_nonce",
]

REASONS: frozenset[str] = frozenset(get_args(Reason))


class SigningError(Exception):
    """Base of every error raised by the signing package."""


class KeyLoadError(SigningError):
    """A private or public key cannot be loaded, or is not Ed25519 or ECDSA P-256."""


class SignatureError(SigningError):
    """A signed message is refused; ``reason`` is one of ``REASONS`` and safe to return to the sender."""

    def __init__(self, reason: Reason, detail: str) -> None:
        self.reason: Reason = reason
        super().__init__(f"{reason}: {detail}")


class ReplayStoreError(SigningError):
    """The nonce store cannot record a nonce, so the request cannot be proven fresh (maps to UNAVAILABLE)."""
