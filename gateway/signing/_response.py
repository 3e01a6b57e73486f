"""Responses are signed back the same way, bound to the request's nonce and method.

The signature travels in *trailing* metadata: it is computed once the response
bytes are final, and a proxy receives body and trailers together. Only OK responses
are signed; an error status carries no body to sign.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.signing._clock import SYSTEM_CLOCK, Clock
from gateway.signing._fields import (
    b64url,
    check_key_id,
    check_method,
    check_nonce,
    format_timestamp,
    parse_timestamp,
    sha256_hex,
)
from gateway.signing._fresh import DEFAULT_WINDOW_MS, check_window, check_window_ms
from gateway.signing._input import ResponseClaims
from gateway.signing._keys import PublicKeySet, SigningKey
from gateway.signing._metadata import KEY_ID, SIGNATURE, TIMESTAMP, Metadata, as_malformed, read, require, signature

_HEADERS = frozenset({KEY_ID, TIMESTAMP, SIGNATURE})


def sign_response(
    key: SigningKey, method: str, request_nonce: str, body: bytes, *, now_ms: int | None = None
) -> dict[str, str]:
    """The trailing metadata that signs response ``body`` to the request that carried ``request_nonce``."""
    claims = ResponseClaims(
        method=method,
        timestamp_ms=SYSTEM_CLOCK.now_ms() if now_ms is None else now_ms,
        request_nonce=request_nonce,
        key_id=key.key_id,
        body_digest=sha256_hex(body),
    )
    return {
        KEY_ID: claims.key_id,
        TIMESTAMP: format_timestamp(claims.timestamp_ms),
        SIGNATURE: b64url(key.sign(claims.signature_input())),
    }


@dataclass(frozen=True)
class VerifiedResponse:
    """A response signed by a registered key of the peer, for this request, within the clock window."""

    key_id: str
    timestamp_ms: int
    skew_ms: int
    body_digest: str


class ResponseVerifier:
    """Verifies a peer's response signatures; no nonce store is needed, the request nonce already makes it unique."""

    def __init__(self, keys: PublicKeySet, *, window_ms: int = DEFAULT_WINDOW_MS, clock: Clock = SYSTEM_CLOCK) -> None:
        self._keys = keys
        self._window = check_window_ms(window_ms)
        self._clock = clock

    def verify(self, method: str, request_nonce: str, body: bytes, metadata: Metadata) -> VerifiedResponse:
        headers = read(metadata, _HEADERS)
        sig = signature(headers, SIGNATURE)
        with as_malformed():
            claims = ResponseClaims(
                method=check_method(method),
                timestamp_ms=parse_timestamp(require(headers, TIMESTAMP), TIMESTAMP),
                request_nonce=check_nonce(request_nonce, "request nonce"),
                key_id=check_key_id(require(headers, KEY_ID), KEY_ID),
                body_digest=sha256_hex(body),
            )
        self._keys.verify(claims.key_id, sig, claims.signature_input())
        skew = check_window(claims.timestamp_ms, self._clock.now_ms(), self._window)
        return VerifiedResponse(claims.key_id, claims.timestamp_ms, skew, claims.body_digest)
