"""A caller signs its request; the gateway verifies signature, clock window and nonce, in that order.

The signature is checked before freshness, so a reason other than ``malformed``,
``missing_signature``, ``unknown_key`` or ``bad_signature`` is only ever reported
for a request its key really signed, and only authenticated nonces reach the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.signing._clock import SYSTEM_CLOCK, Clock
from gateway.signing._fields import (
    b64url,
    check_key_id,
    check_method,
    check_nonce,
    check_token,
    format_timestamp,
    new_nonce,
    parse_timestamp,
    sha256_hex,
)
from gateway.signing._fresh import DEFAULT_WINDOW_MS, check_window, check_window_ms, remember_nonce
from gateway.signing._input import REQUEST_LABEL, RequestClaims
from gateway.signing._keys import PublicKeySet, SigningKey
from gateway.signing._metadata import (
    IDEMPOTENCY_KEY,
    KEY_ID,
    NONCE,
    SIGNATURE,
    TIMESTAMP,
    Metadata,
    as_malformed,
    read,
    require,
    signature,
)
from gateway.signing._replay import MemoryNonceStore, NonceStore

_HEADERS = frozenset({KEY_ID, TIMESTAMP, NONCE, SIGNATURE, IDEMPOTENCY_KEY})


def sign_request(
    key: SigningKey,
    method: str,
    body: bytes,
    *,
    now_ms: int | None = None,
    nonce: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, str]:
    """The metadata a caller adds to sign ``body`` (the exact bytes it sends) for ``method``.

    ``now_ms`` defaults to the system clock and ``nonce`` to 16 fresh random bytes;
    fix them only for test vectors. An ill-formed argument raises ``ValueError``.
    """
    claims = RequestClaims(
        method=method,
        timestamp_ms=SYSTEM_CLOCK.now_ms() if now_ms is None else now_ms,
        nonce=new_nonce() if nonce is None else nonce,
        key_id=key.key_id,
        idempotency_key=idempotency_key,
        body_digest=sha256_hex(body),
    )
    headers = {
        KEY_ID: claims.key_id,
        TIMESTAMP: format_timestamp(claims.timestamp_ms),
        NONCE: claims.nonce,
        SIGNATURE: b64url(key.sign(claims.signature_input())),
    }
    return headers | ({} if idempotency_key is None else {IDEMPOTENCY_KEY: idempotency_key})


@dataclass(frozen=True)
class VerifiedRequest:
    """A request whose signature, freshness and nonce all checked out: what later stages and the audit use.

    ``body_digest`` is the hex SHA-256 of the bytes received, ``signature_digest``
    the hex SHA-256 of the caller's signature bytes; ``skew_ms`` is the caller's
    clock minus ours.
    """

    caller: str
    method: str
    key_id: str
    timestamp_ms: int
    skew_ms: int
    nonce: str
    idempotency_key: str | None
    body_digest: str
    signature_digest: str
    signature: bytes = field(repr=False)


class RequestVerifier:
    """Verifies requests from one caller against that caller's registered keys.

    ``verify`` returns a ``VerifiedRequest`` or raises ``SignatureError`` (or
    ``ReplayStoreError`` if the nonce store cannot answer). Nonces are scoped to the
    caller, so a shared store never confuses two callers' nonces.
    """

    def __init__(
        self,
        caller: str,
        keys: PublicKeySet,
        *,
        window_ms: int = DEFAULT_WINDOW_MS,
        replay: NonceStore | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self._caller = check_token(caller, "caller")
        self._keys = keys
        self._window = check_window_ms(window_ms)
        self._clock = clock
        self._replay = MemoryNonceStore(clock=clock) if replay is None else replay
        self._scope = f"{REQUEST_LABEL}:{self._caller}"

    def verify(self, method: str, body: bytes, metadata: Metadata) -> VerifiedRequest:
        headers = read(metadata, _HEADERS)
        sig = signature(headers, SIGNATURE)
        claims = _claims(method, body, headers)
        self._keys.verify(claims.key_id, sig, claims.signature_input())
        skew = check_window(claims.timestamp_ms, self._clock.now_ms(), self._window)
        remember_nonce(self._replay, self._scope, claims.nonce, claims.timestamp_ms, self._window)
        return VerifiedRequest(
            caller=self._caller,
            method=claims.method,
            key_id=claims.key_id,
            timestamp_ms=claims.timestamp_ms,
            skew_ms=skew,
            nonce=claims.nonce,
            idempotency_key=claims.idempotency_key,
            body_digest=claims.body_digest,
            signature_digest=sha256_hex(sig),
            signature=sig,
        )


def _claims(method: str, body: bytes, headers: dict[str, str]) -> RequestClaims:
    """The claims a request's headers make, each field format-checked (``malformed`` otherwise)."""
    with as_malformed():
        idempotency = headers.get(IDEMPOTENCY_KEY)
        return RequestClaims(
            method=check_method(method),
            timestamp_ms=parse_timestamp(require(headers, TIMESTAMP), TIMESTAMP),
            nonce=check_nonce(require(headers, NONCE), NONCE),
            key_id=check_key_id(require(headers, KEY_ID), KEY_ID),
            idempotency_key=None if idempotency is None else check_token(idempotency, IDEMPOTENCY_KEY),
            body_digest=sha256_hex(body),
        )
