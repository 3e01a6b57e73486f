"""Metadata names of the protocol and strict reading of them from gRPC-style metadata.

Metadata is a ``Mapping[str, str]`` or a sequence of ``(key, value)`` pairs, as
``grpc`` gives it; keys are compared lowercased. A protocol header that appears
twice is malformed: two readers must never pick different copies.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from gateway.signing._errors import SignatureError
from gateway.signing._fields import FieldError, decode_signature

PREFIX = "x-coloan-"
KEY_ID = "x-coloan-key-id"
TIMESTAMP = "x-coloan-timestamp"
NONCE = "x-coloan-nonce"
SIGNATURE = "x-coloan-signature"
IDEMPOTENCY_KEY = "x-coloan-idempotency-key"
GW_KEY_ID = "x-coloan-gw-key-id"
GW_TIMESTAMP = "x-coloan-gw-timestamp"
GW_SIGNATURE = "x-coloan-gw-signature"
RECEIVED_DIGEST = "x-coloan-received-digest"
CALLER_SIG_DIGEST = "x-coloan-caller-sig-digest"
CALLER = "x-coloan-caller"

Metadata = Mapping[str, str] | Iterable[tuple[str, str | bytes]]


def _pairs(metadata: Metadata) -> Iterable[tuple[str, object]]:
    return metadata.items() if isinstance(metadata, Mapping) else metadata


def read(metadata: Metadata, names: frozenset[str]) -> dict[str, str]:
    """The values of the headers in ``names``; a repeated or non-text one is ``malformed``."""
    found: dict[str, str] = {}
    for key, value in _pairs(metadata):
        name = key.lower()
        if name not in names:
            continue
        if name in found or not isinstance(value, str):
            raise SignatureError("malformed", f"{name} is repeated or not text")
        found[name] = value
    return found


def require(headers: Mapping[str, str], name: str) -> str:
    """The value of ``name``; absent is ``malformed`` (the signature header itself is checked first)."""
    if name not in headers:
        raise SignatureError("malformed", f"{name} is missing")
    return headers[name]


def signature(headers: Mapping[str, str], name: str) -> bytes:
    """The decoded signature header: ``missing_signature`` if absent, ``malformed`` unless 64 bytes of base64url."""
    if name not in headers:
        raise SignatureError("missing_signature", f"{name} is missing")
    try:
        return decode_signature(headers[name], name)
    except FieldError as exc:
        raise SignatureError("malformed", str(exc)) from None


@contextmanager
def as_malformed() -> Iterator[None]:
    """Turn a field's format error into ``SignatureError('malformed')`` naming only the field."""
    try:
        yield
    except FieldError as exc:
        raise SignatureError("malformed", str(exc)) from None
