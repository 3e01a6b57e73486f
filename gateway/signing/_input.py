"""The canonical signature inputs: one ASCII field per line, a domain label first.

Each kind of signature (a caller's request, the gateway's countersignature, a
response) has its own label, so a signature of one kind never verifies as another.
Fields are checked on construction, so ``signature_input()`` always has one parse:
no field can hold LF or a non-ASCII character. Lines are joined by LF (0x0A) with
no trailing LF; an absent idempotency key is an empty line.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.signing._fields import (
    check_digest,
    check_key_id,
    check_method,
    check_nonce,
    check_token,
    format_timestamp,
)

REQUEST_LABEL = "coloan-req-v1"
FORWARD_LABEL = "coloan-fwd-v1"
RESPONSE_LABEL = "coloan-resp-v1"


def _join(*lines: str) -> bytes:
    return "\n".join(lines).encode("ascii")


def _idempotency(value: str | None) -> str:
    return "" if value is None else check_token(value, "idempotency key")


@dataclass(frozen=True)
class RequestClaims:
    """What a caller's request signature covers; ``body_digest`` is the hex SHA-256 of the exact request bytes."""

    method: str
    timestamp_ms: int
    nonce: str
    key_id: str
    idempotency_key: str | None
    body_digest: str

    def signature_input(self) -> bytes:
        return _join(
            REQUEST_LABEL,
            check_method(self.method),
            format_timestamp(self.timestamp_ms),
            check_nonce(self.nonce),
            check_key_id(self.key_id),
            _idempotency(self.idempotency_key),
            check_digest(self.body_digest, "body digest"),
        )


@dataclass(frozen=True)
class ForwardClaims:
    """What the gateway's countersignature covers: the forwarded bytes and the custody of what it received."""

    method: str
    timestamp_ms: int
    nonce: str
    key_id: str
    idempotency_key: str | None
    caller: str
    received_digest: str
    caller_signature_digest: str
    body_digest: str

    def signature_input(self) -> bytes:
        return _join(
            FORWARD_LABEL,
            check_method(self.method),
            format_timestamp(self.timestamp_ms),
            check_nonce(self.nonce),
            check_key_id(self.key_id),
            _idempotency(self.idempotency_key),
            check_token(self.caller, "caller"),
            check_digest(self.received_digest, "received digest"),
            check_digest(self.caller_signature_digest, "caller signature digest"),
            check_digest(self.body_digest, "body digest"),
        )


@dataclass(frozen=True)
class ResponseClaims:
    """What a response signature covers; the request's nonce ties it to exactly one request."""

    method: str
    timestamp_ms: int
    request_nonce: str
    key_id: str
    body_digest: str

    def signature_input(self) -> bytes:
        return _join(
            RESPONSE_LABEL,
            check_method(self.method),
            format_timestamp(self.timestamp_ms),
            check_nonce(self.request_nonce, "request nonce"),
            check_key_id(self.key_id),
            check_digest(self.body_digest, "body digest"),
        )
