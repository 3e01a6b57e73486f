"""Message signing for coloan-gateway: detached signatures in gRPC metadata over the exact message bytes.

Works on bytes, strings and metadata (a ``Mapping[str, str]`` or ``(key, value)``
pairs) and never imports grpc, so the gateway, the partner SDK and a port to another
language share one protocol, specified byte for byte in ``docs/PROTOCOL.md``.
Every ``verify`` returns a frozen record or raises; nothing returns False.

Keys::

    SigningKey.generate(key_id, algorithm=DEFAULT_ALGORITHM) / .from_pem(key_id, pem) / .from_pem_file(key_id, path)
        .key_id  .algorithm  .sign(data) -> 64 bytes  .public_pem()
    PublicKeySet.from_pem({key_id: pem}) / .from_pem_files({key_id: path}) / .of(*keys)

Caller → gateway::

    sign_request(key, method, body, *, now_ms=None, nonce=None, idempotency_key=None) -> dict[str, str]
    RequestVerifier(caller, keys, *, window_ms=60_000, replay=None, clock=SystemClock())
        .verify(method, body, metadata) -> VerifiedRequest

Gateway → receiver (chain of custody)::

    countersign(gateway_key, forwarded_body, verified, *, now_ms=None) -> dict[str, str]
    ForwardVerifier(gateway_keys, *, window_ms=60_000, replay=None, clock=SystemClock())
        .verify(method, body, metadata) -> VerifiedForward
    received_digest(caller_signature, received_body) -> str      # for audits

Responses (trailing metadata, bound to the request's nonce)::

    sign_response(key, method, request_nonce, body, *, now_ms=None) -> dict[str, str]
    ResponseVerifier(keys, *, window_ms=60_000, clock=SystemClock())
        .verify(method, request_nonce, body, metadata) -> VerifiedResponse

Seams: ``Clock.now_ms()`` (``SystemClock``; fake ``ManualClock``) and
``NonceStore.check_and_store(scope, nonce, expires_at_ms)`` (``MemoryNonceStore``;
SQLite and Redis stores implement the same one method).

Errors::

    SigningError
    ├── KeyLoadError       start-up: a key cannot be used
    ├── SignatureError     per call, ``.reason`` in ``REASONS`` → UNAUTHENTICATED
    └── ReplayStoreError   per call, the nonce store cannot answer → UNAVAILABLE
"""

from __future__ import annotations

from gateway.signing._chain import ForwardVerifier, VerifiedForward, countersign, received_digest
from gateway.signing._clock import Clock, ManualClock, SystemClock
from gateway.signing._errors import REASONS, KeyLoadError, ReplayStoreError, SignatureError, SigningError
from gateway.signing._keys import DEFAULT_ALGORITHM, Algorithm, PublicKeySet, SigningKey
from gateway.signing._metadata import PREFIX as METADATA_PREFIX
from gateway.signing._replay import MemoryNonceStore, NonceStore
from gateway.signing._request import RequestVerifier, VerifiedRequest, sign_request
from gateway.signing._response import ResponseVerifier, VerifiedResponse, sign_response

__all__ = [
    "DEFAULT_ALGORITHM",
    "METADATA_PREFIX",
    "REASONS",
    "Algorithm",
    "Clock",
    "ForwardVerifier",
    "KeyLoadError",
    "ManualClock",
    "MemoryNonceStore",
    "NonceStore",
    "PublicKeySet",
    "ReplayStoreError",
    "RequestVerifier",
    "ResponseVerifier",
    "SignatureError",
    "SigningError",
    "SigningKey",
    "SystemClock",
    "VerifiedForward",
    "VerifiedRequest",
    "VerifiedResponse",
    "countersign",
    "received_digest",
    "sign_request",
    "sign_response",
]
