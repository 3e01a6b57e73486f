"""Message signing for coloan-gateway: detached signatures in gRPC metadata over exact bytes.

Works on bytes, strings and metadata pairs only (no grpc import), so the gateway,
the partner SDK and a port to another language share one protocol, specified in
``docs/PROTOCOL.md``. Every check returns a record or raises; nothing returns False.

Caller → gateway::

    headers = sign_request(key, "/coloan.v1.CreditService/Drawdown", body, idempotency_key="dd-42")
    verified = RequestVerifier("platform", platform_keys).verify(method, body, metadata)

Gateway → receiver (chain of custody) and back::

    forward = countersign(gateway_key, masked_body, verified)        # replaces all x-coloan-* headers
    ForwardVerifier(gateway_keys).verify(method, masked_body, metadata)
    trailers = sign_response(key, method, verified.nonce, response_body)
    ResponseVerifier(peer_keys).verify(method, verified.nonce, response_body, trailing_metadata)

Seams: ``Clock`` (``SystemClock``, fake ``ManualClock``) and ``NonceStore``
(``MemoryNonceStore``; durable stores implement the same one method).

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
