"""Chain of custody: the gateway countersigns what it forwards, and the receiver verifies that.

The countersignature binds the forwarded (masked) bytes to the caller's request:
its nonce, idempotency key and name, the SHA-256 of the caller's signature, and a
*keyed* digest of the bytes the gateway received,
``HMAC-SHA-256(key = caller's signature bytes, msg = SHA-256(received bytes))``.
It is keyed because the receiver holds the masked message: a plain hash of the
unmasked bytes would let it confirm guesses of the masked values (a mobile number's
hidden four digits are 10^4 hashes away). The caller and an auditor, who hold the
caller's signature, can recompute it; the receiver cannot.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from gateway.signing._clock import SYSTEM_CLOCK, Clock
from gateway.signing._fields import (
    b64url,
    check_digest,
    check_key_id,
    check_method,
    check_nonce,
    check_token,
    format_timestamp,
    parse_timestamp,
    sha256_hex,
)
from gateway.signing._fresh import DEFAULT_WINDOW_MS, check_window, check_window_ms, remember_nonce
from gateway.signing._input import FORWARD_LABEL, ForwardClaims
from gateway.signing._keys import PublicKeySet, SigningKey
from gateway.signing._metadata import (
    CALLER,
    CALLER_SIG_DIGEST,
    GW_KEY_ID,
    GW_SIGNATURE,
    GW_TIMESTAMP,
    IDEMPOTENCY_KEY,
    NONCE,
    RECEIVED_DIGEST,
    Metadata,
    as_malformed,
    read,
    require,
    signature,
)
from gateway.signing._replay import MemoryNonceStore, NonceStore
from gateway.signing._request import VerifiedRequest

_HEADERS = frozenset(
    {GW_KEY_ID, GW_TIMESTAMP, GW_SIGNATURE, RECEIVED_DIGEST, CALLER_SIG_DIGEST, CALLER, NONCE, IDEMPOTENCY_KEY}
)


def received_digest(caller_signature: bytes, received_body: bytes) -> str:
    """The keyed digest of received bytes that a countersignature carries; callers and auditors recompute it."""
    return _keyed(caller_signature, sha256_hex(received_body))


def countersign(
    gateway_key: SigningKey, forwarded_body: bytes, verified: VerifiedRequest, *, now_ms: int | None = None
) -> dict[str, str]:
    """The complete ``x-coloan-*`` metadata for forwarding ``forwarded_body`` on behalf of ``verified``.

    Forward exactly these protocol headers: drop every ``x-coloan-*`` header the
    caller sent (the nonce and idempotency key are carried over here).
    """
    claims = ForwardClaims(
        method=verified.method,
        timestamp_ms=SYSTEM_CLOCK.now_ms() if now_ms is None else now_ms,
        nonce=verified.nonce,
        key_id=gateway_key.key_id,
        idempotency_key=verified.idempotency_key,
        caller=verified.caller,
        received_digest=_keyed(verified.signature, verified.body_digest),
        caller_signature_digest=verified.signature_digest,
        body_digest=sha256_hex(forwarded_body),
    )
    return _headers(claims, b64url(gateway_key.sign(claims.signature_input())))


def _keyed(caller_signature: bytes, body_digest: str) -> str:
    """HMAC-SHA-256 keyed by the caller's signature over the 32-byte SHA-256 of the received bytes."""
    return hmac.new(caller_signature, bytes.fromhex(body_digest), hashlib.sha256).hexdigest()


def _headers(claims: ForwardClaims, signature_b64: str) -> dict[str, str]:
    headers = {
        GW_KEY_ID: claims.key_id,
        GW_TIMESTAMP: format_timestamp(claims.timestamp_ms),
        GW_SIGNATURE: signature_b64,
        RECEIVED_DIGEST: claims.received_digest,
        CALLER_SIG_DIGEST: claims.caller_signature_digest,
        CALLER: claims.caller,
        NONCE: claims.nonce,
    }
    return headers | ({} if claims.idempotency_key is None else {IDEMPOTENCY_KEY: claims.idempotency_key})


@dataclass(frozen=True)
class VerifiedForward:
    """A forwarded request the gateway countersigned; the digests are what an audit links to the caller's record."""

    caller: str
    method: str
    gateway_key_id: str
    timestamp_ms: int
    skew_ms: int
    nonce: str
    idempotency_key: str | None
    received_digest: str
    caller_signature_digest: str
    body_digest: str


class ForwardVerifier:
    """What a receiver (the bank's or platform's SDK) uses to refuse anything that did not come through the gateway.

    Checks the countersignature against the gateway's registered keys, the gateway
    timestamp against the window, and the caller's nonce once per caller.
    """

    def __init__(
        self,
        gateway_keys: PublicKeySet,
        *,
        window_ms: int = DEFAULT_WINDOW_MS,
        replay: NonceStore | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self._keys = gateway_keys
        self._window = check_window_ms(window_ms)
        self._clock = clock
        self._replay = MemoryNonceStore(clock=clock) if replay is None else replay

    def verify(self, method: str, body: bytes, metadata: Metadata) -> VerifiedForward:
        headers = read(metadata, _HEADERS)
        sig = signature(headers, GW_SIGNATURE)
        claims = _claims(method, body, headers)
        self._keys.verify(claims.key_id, sig, claims.signature_input())
        skew = check_window(claims.timestamp_ms, self._clock.now_ms(), self._window)
        scope = f"{FORWARD_LABEL}:{claims.caller}"
        remember_nonce(self._replay, scope, claims.nonce, claims.timestamp_ms, self._window)
        return VerifiedForward(
            caller=claims.caller,
            method=claims.method,
            gateway_key_id=claims.key_id,
            timestamp_ms=claims.timestamp_ms,
            skew_ms=skew,
            nonce=claims.nonce,
            idempotency_key=claims.idempotency_key,
            received_digest=claims.received_digest,
            caller_signature_digest=claims.caller_signature_digest,
            body_digest=claims.body_digest,
        )


def _claims(method: str, body: bytes, headers: dict[str, str]) -> ForwardClaims:
    """The claims of a countersigned request's headers, each format-checked (``malformed`` otherwise)."""
    with as_malformed():
        idempotency = headers.get(IDEMPOTENCY_KEY)
        return ForwardClaims(
            method=check_method(method),
            timestamp_ms=parse_timestamp(require(headers, GW_TIMESTAMP), GW_TIMESTAMP),
            nonce=check_nonce(require(headers, NONCE), NONCE),
            key_id=check_key_id(require(headers, GW_KEY_ID), GW_KEY_ID),
            idempotency_key=None if idempotency is None else check_token(idempotency, IDEMPOTENCY_KEY),
            caller=check_token(require(headers, CALLER), CALLER),
            received_digest=check_digest(require(headers, RECEIVED_DIGEST), RECEIVED_DIGEST),
            caller_signature_digest=check_digest(require(headers, CALLER_SIG_DIGEST), CALLER_SIG_DIGEST),
            body_digest=sha256_hex(body),
        )
