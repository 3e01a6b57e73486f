"""Responses are signed back, bound to the request's nonce and method; the full round trip through the gateway."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.signing import (
    Algorithm,
    ForwardVerifier,
    ManualClock,
    PublicKeySet,
    RequestVerifier,
    ResponseVerifier,
    SignatureError,
    SigningKey,
    countersign,
    sign_request,
    sign_response,
)

from .conftest import BODY, METHOD, NOW_MS, WINDOW_MS

NONCE = "cmVxdWVzdCBub25jZSAwMQ"
OTHER_NONCE = "cmVxdWVzdCBub25jZSAwMg"
RESPONSE = b"\x08\x01\x10\xa0\x9c\x01"


@pytest.fixture
def bank_key(algorithm: Algorithm) -> SigningKey:
    return SigningKey.generate("bank/20260601-1", algorithm)


@pytest.fixture
def response_verifier(bank_key: SigningKey, clock: ManualClock) -> ResponseVerifier:
    return ResponseVerifier(PublicKeySet.of(bank_key), window_ms=WINDOW_MS, clock=clock)


@pytest.fixture
def trailers(bank_key: SigningKey) -> dict[str, str]:
    return sign_response(bank_key, METHOD, NONCE, RESPONSE, now_ms=NOW_MS + 30)


def _refused(verifier: ResponseVerifier, trailers: Any, *, nonce: str = NONCE, body: bytes = RESPONSE) -> str:
    with pytest.raises(SignatureError) as caught:
        verifier.verify(METHOD, nonce, body, trailers)
    return caught.value.reason


def test_a_signed_response_verifies(response_verifier: ResponseVerifier, trailers: dict[str, str]) -> None:
    verified = response_verifier.verify(METHOD, NONCE, RESPONSE, trailers)
    assert (verified.key_id, verified.timestamp_ms, verified.skew_ms) == ("bank/20260601-1", NOW_MS + 30, 30)
    assert set(trailers) == {"x-coloan-key-id", "x-coloan-timestamp", "x-coloan-signature"}


def test_a_response_is_bound_to_its_request_nonce(
    response_verifier: ResponseVerifier, trailers: dict[str, str]
) -> None:
    assert _refused(response_verifier, trailers, nonce=OTHER_NONCE) == "bad_signature"


def test_a_response_is_bound_to_its_method(response_verifier: ResponseVerifier, trailers: dict[str, str]) -> None:
    with pytest.raises(SignatureError, match="bad_signature"):
        response_verifier.verify("/coloan.v1.CreditService/GetLoan", NONCE, RESPONSE, trailers)


def test_a_tampered_response_body_is_bad_signature(
    response_verifier: ResponseVerifier, trailers: dict[str, str]
) -> None:
    assert _refused(response_verifier, trailers, body=RESPONSE[:-1] + b"\x02") == "bad_signature"


def test_a_request_signature_is_no_response_signature(
    response_verifier: ResponseVerifier, bank_key: SigningKey
) -> None:
    headers = sign_request(bank_key, METHOD, RESPONSE, now_ms=NOW_MS, nonce=NONCE)
    del headers["x-coloan-nonce"]
    assert _refused(response_verifier, headers) == "bad_signature"


def test_an_unsigned_response_is_missing_signature(response_verifier: ResponseVerifier) -> None:
    assert _refused(response_verifier, []) == "missing_signature"


def test_a_response_from_an_unregistered_key_is_unknown_key(response_verifier: ResponseVerifier) -> None:
    other = sign_response(SigningKey.generate("bank/other"), METHOD, NONCE, RESPONSE, now_ms=NOW_MS)
    assert _refused(response_verifier, other) == "unknown_key"


def test_a_stale_response_is_refused(response_verifier: ResponseVerifier, bank_key: SigningKey) -> None:
    old = sign_response(bank_key, METHOD, NONCE, RESPONSE, now_ms=NOW_MS - WINDOW_MS - 1)
    assert _refused(response_verifier, old) == "stale_timestamp"


def test_an_ill_formed_request_nonce_is_malformed(
    response_verifier: ResponseVerifier, trailers: dict[str, str]
) -> None:
    assert _refused(response_verifier, trailers, nonce="nonce") == "malformed"


def test_a_call_round_trips_through_the_gateway(algorithm: Algorithm, clock: ManualClock) -> None:
    """platform → gateway (verify, mask, countersign) → bank (verify) → gateway (verify, mask, sign) → platform."""
    platform = SigningKey.generate("platform/1", algorithm)
    gateway = SigningKey.generate("gateway/1", algorithm)
    bank = SigningKey.generate("bank/1", algorithm)

    sent = sign_request(platform, METHOD, BODY, now_ms=clock.now_ms())
    verified = RequestVerifier("platform", PublicKeySet.of(platform), clock=clock).verify(METHOD, BODY, sent)
    masked = BODY.replace(b"APP-0000001", b"APP-*******")
    forwarded = countersign(gateway, masked, verified, now_ms=clock.now_ms())

    clock.advance(40)
    at_bank = ForwardVerifier(PublicKeySet.of(gateway), clock=clock).verify(METHOD, masked, forwarded)
    bank_trailers = sign_response(bank, METHOD, at_bank.nonce, RESPONSE, now_ms=clock.now_ms())

    clock.advance(10)
    ResponseVerifier(PublicKeySet.of(bank), clock=clock).verify(METHOD, verified.nonce, RESPONSE, bank_trailers)
    masked_response = RESPONSE[:-1] + b"\x00"
    to_platform = sign_response(gateway, METHOD, verified.nonce, masked_response, now_ms=clock.now_ms())

    platform_view = ResponseVerifier(PublicKeySet.of(gateway), clock=clock)
    assert platform_view.verify(METHOD, sent["x-coloan-nonce"], masked_response, to_platform).key_id == "gateway/1"
