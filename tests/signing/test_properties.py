"""Properties: any single-byte change to the body, or one changed character in any signed header, is refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.signing import (
    Algorithm,
    ManualClock,
    PublicKeySet,
    RequestVerifier,
    SignatureError,
    SigningKey,
    sign_request,
)

from .conftest import ALGORITHMS, DRAWDOWN, NOW_MS

KEYS = {alg: SigningKey.generate("platform/20260601-1", alg) for alg in ALGORITHMS}
SIGNED_HEADERS = (
    "x-coloan-key-id",
    "x-coloan-timestamp",
    "x-coloan-nonce",
    "x-coloan-signature",
    "x-coloan-idempotency-key",
)
PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


def _verifier(key: SigningKey) -> RequestVerifier:
    return RequestVerifier("platform", PublicKeySet.of(key), clock=ManualClock(NOW_MS))


def _signed(key: SigningKey, body: bytes) -> dict[str, str]:
    return sign_request(key, DRAWDOWN, body, now_ms=NOW_MS, idempotency_key="dd-2026-0001")


@settings(max_examples=150, deadline=None)
@given(
    algorithm=st.sampled_from(ALGORITHMS),
    body=st.binary(min_size=1, max_size=512),
    data=st.data(),
)
def test_any_single_byte_change_to_the_body_is_refused(algorithm: Algorithm, body: bytes, data: st.DataObject) -> None:
    key = KEYS[algorithm]
    headers = _signed(key, body)
    index = data.draw(st.integers(0, len(body) - 1))
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != body[index]))
    with pytest.raises(SignatureError):
        _verifier(key).verify(DRAWDOWN, body[:index] + bytes([byte]) + body[index + 1 :], headers)
    _verifier(key).verify(DRAWDOWN, body, headers)


@settings(max_examples=300, deadline=None)
@given(algorithm=st.sampled_from(ALGORITHMS), header=st.sampled_from(SIGNED_HEADERS), data=st.data())
def test_any_changed_character_in_a_signed_header_is_refused(
    algorithm: Algorithm, header: str, data: st.DataObject
) -> None:
    key = KEYS[algorithm]
    headers = _signed(key, b"\x08\x01")
    value = headers[header]
    index = data.draw(st.integers(0, len(value) - 1))
    char = data.draw(PRINTABLE.filter(lambda c: c != value[index]))
    with pytest.raises(SignatureError):
        _verifier(key).verify(DRAWDOWN, b"\x08\x01", headers | {header: value[:index] + char + value[index + 1 :]})


@settings(max_examples=100, deadline=None)
@given(algorithm=st.sampled_from(ALGORITHMS), header=st.sampled_from(SIGNED_HEADERS))
def test_dropping_any_signed_header_is_refused(algorithm: Algorithm, header: str) -> None:
    key = KEYS[algorithm]
    headers = _signed(key, b"")
    del headers[header]
    with pytest.raises(SignatureError):
        _verifier(key).verify(DRAWDOWN, b"", headers)
