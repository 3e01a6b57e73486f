"""Signatures: verify the caller's, countersign what is forwarded, verify the upstream's, sign the reply."""

from __future__ import annotations

from collections.abc import Mapping

from gateway._call import Call
from gateway.errors import InvalidArgument, Unauthenticated, Unavailable
from gateway.signing import (
    ReplayStoreError,
    RequestVerifier,
    ResponseVerifier,
    SignatureError,
    SigningKey,
    countersign,
    sign_response,
)
from gateway.validation import Violation

# Request metadata the gateway passes on besides its own countersignature headers.
FORWARDED = ("traceparent", "tracestate")


class VerifySignature:
    """The caller's detached signature over the exact received bytes, its freshness and its nonce."""

    def __init__(self, verifiers: Mapping[str, RequestVerifier], not_before_ms: int) -> None:
        self._verifiers = dict(verifiers)
        self._not_before_ms = not_before_ms

    async def __call__(self, call: Call) -> None:
        assert call.caller is not None
        try:
            call.verified = self._verifiers[call.caller.name].verify(call.method.path, call.body, call.metadata)
        except SignatureError as exc:
            raise Unauthenticated(f"signature_{exc.reason}") from None
        except ReplayStoreError:
            raise Unavailable("replay_store_unavailable", "the replay store cannot answer") from None
        if call.verified.timestamp_ms < self._not_before_ms:
            # Signed before this process started: its nonce may be one a crash rolled back.
            raise Unauthenticated("signature_stale_timestamp")
        if call.method.policy.idempotency_key_required and not call.verified.idempotency_key:
            violation = Violation("metadata.x-coloan-idempotency-key", "required", "this method needs one")
            raise InvalidArgument("idempotency_key_missing", "missing idempotency key", [violation])


class Countersign:
    """Binds the forwarded bytes to the received digest and the caller's signature (chain of custody)."""

    def __init__(self, key: SigningKey) -> None:
        self._key = key

    async def __call__(self, call: Call) -> None:
        assert call.verified is not None
        headers = countersign(self._key, call.forward_body, call.verified)
        passed = tuple((k, v) for k, v in call.metadata if k in FORWARDED)
        call.forward_metadata = (*headers.items(), *passed)


class VerifyResponse:
    """The upstream partner's signature over its response, bound to the request's nonce."""

    def __init__(self, verifiers: Mapping[str, ResponseVerifier]) -> None:
        self._verifiers = dict(verifiers)

    async def __call__(self, call: Call) -> None:
        assert call.receiver is not None
        assert call.verified is not None
        try:
            call.response_verified = self._verifiers[call.receiver.name].verify(
                call.method.path, call.verified.nonce, call.response_body, call.response_metadata)
        except SignatureError as exc:
            reason = f"upstream_signature_{exc.reason}"
            raise Unavailable(reason, "the upstream's response failed verification") from None


class SignResponse:
    """Signs the masked reply for the caller, bound to the caller's request nonce."""

    def __init__(self, key: SigningKey) -> None:
        self._key = key

    async def __call__(self, call: Call) -> None:
        assert call.verified is not None
        signed = sign_response(self._key, call.method.path, call.verified.nonce, call.reply_body)
        call.reply_metadata = tuple(signed.items())
