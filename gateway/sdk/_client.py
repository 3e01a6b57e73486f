"""The client side: sign every outgoing request, verify the gateway's signature on every OK response.

Bytes signed: ``request.SerializeToString()``. The generated stub serializes the
same, unchanged message with the same function right after this interceptor
returns, and serializing an unchanged message in one process yields the same bytes
(map entries included), so the signature covers exactly what goes on the wire.
Do not mutate a request while its call is in flight.

Bytes verified: ``response.SerializeToString(deterministic=True)``. The gateway sends
the deterministic serialization it signs, and re-serializing what was parsed from
those bytes deterministically gives them back. A response carrying fields this
client's schema does not know may not re-serialize identically: it is then refused
(fail closed), and the fix is to regenerate the stubs from the current schema.

The response signature travels in the *trailing* metadata (``x-coloan-key-id``,
``x-coloan-timestamp``, ``x-coloan-signature``) and is bound to the request's nonce.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable
from typing import Any

import grpc

from gateway.sdk._errors import RequestNotSigned, ResponseNotVerified
from gateway.signing import (
    METADATA_PREFIX,
    Clock,
    PublicKeySet,
    ResponseVerifier,
    SignatureError,
    SigningKey,
    SystemClock,
    sign_request,
)

IDEMPOTENCY_KEY_HEADER = f"{METADATA_PREFIX}idempotency-key"
_NONCE = f"{METADATA_PREFIX}nonce"

Pairs = list[tuple[str, str | bytes]]


def idempotency_metadata(key: str) -> tuple[tuple[str, str]]:
    """Call metadata giving a call its idempotency key: ``stub.Drawdown(req, metadata=idempotency_metadata(k))``.

    The ``SigningInterceptor`` binds the key into the request signature; retry a call
    with the same key and the upstream answers it once.
    """
    return ((IDEMPOTENCY_KEY_HEADER, key),)


class SigningInterceptor(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Signs each unary request with ``key`` and verifies each OK response under ``gateway_keys``.

    The caller gives an idempotency key as the call metadata ``x-coloan-idempotency-key``
    (see ``idempotency_metadata``); any other ``x-coloan-*`` header from the caller is
    refused, since the protocol headers are the SDK's to write. A method in
    ``require_idempotency`` (full paths such as ``/coloan.v1.CreditService/Drawdown``)
    called without a key raises ``RequestNotSigned`` before anything is sent. A response
    that fails verification raises ``ResponseNotVerified`` instead of being returned.
    """

    def __init__(
        self,
        key: SigningKey,
        gateway_keys: PublicKeySet,
        *,
        require_idempotency: Collection[str] = (),
        clock: Clock | None = None,
    ) -> None:
        self._key = key
        self._clock: Clock = SystemClock() if clock is None else clock
        self._verifier = ResponseVerifier(gateway_keys, clock=self._clock)
        self._require = frozenset(require_idempotency)

    async def intercept_unary_unary(
        self,
        continuation: Callable[[Any, Any], Awaitable[Any]],
        client_call_details: Any,
        request: Any,
    ) -> Any:
        method = _method_name(client_call_details.method)
        pairs, idempotency = _split(method, client_call_details.metadata)
        headers = self._sign(method, _request_bytes(request), idempotency)
        metadata = grpc.aio.Metadata(*pairs, *headers.items())
        call = await continuation(client_call_details._replace(metadata=metadata), request)
        response = await call
        trailers = await call.trailing_metadata()
        body = response if isinstance(response, bytes) else response.SerializeToString(deterministic=True)
        try:
            self._verifier.verify(method, headers[_NONCE], body, tuple(trailers or ()))
        except SignatureError as exc:
            raise ResponseNotVerified(method, exc.reason) from None
        return call

    def _sign(self, method: str, body: bytes, idempotency: str | None) -> dict[str, str]:
        if idempotency is None and method in self._require:
            raise RequestNotSigned(method, "idempotency_key_missing")
        try:
            return sign_request(self._key, method, body, now_ms=self._clock.now_ms(), idempotency_key=idempotency)
        except ValueError:
            if idempotency is None:
                raise
            raise RequestNotSigned(method, "idempotency_key_malformed") from None


def _request_bytes(request: Any) -> bytes:
    """A message's bytes as the stub serializes them; raw bytes (a generic proxy's) as they are."""
    return request if isinstance(request, bytes) else bytes(request.SerializeToString())


def _method_name(method: str | bytes) -> str:
    """grpc.aio hands interceptors the method path as bytes."""
    return method.decode("ascii") if isinstance(method, bytes) else method


def _split(method: str, metadata: Iterable[tuple[str, str | bytes]] | None) -> tuple[Pairs, str | None]:
    """The caller's own metadata, and the idempotency key it asked for; other protocol headers are refused."""
    pairs: Pairs = []
    idempotency: str | None = None
    for key, value in metadata or ():
        name = key.lower()
        if not name.startswith(METADATA_PREFIX):
            pairs.append((key, value))
        elif name == IDEMPOTENCY_KEY_HEADER and idempotency is None and isinstance(value, str):
            idempotency = value
        elif name == IDEMPOTENCY_KEY_HEADER:
            raise RequestNotSigned(method, "idempotency_key_malformed")
        else:
            raise RequestNotSigned(method, "reserved_header")
    return pairs, idempotency
