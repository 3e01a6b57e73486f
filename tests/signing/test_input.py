"""The canonical signature inputs are byte-exact and refuse any field that could make them ambiguous."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.signing._input import ForwardClaims, RequestClaims, ResponseClaims

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
NONCE = "AAECAwQFBgcICQoLDA0ODw"


def _request(**changes: Any) -> RequestClaims:
    fields: dict[str, Any] = {
        "method": "/coloan.v1.CreditService/Drawdown",
        "timestamp_ms": 1780000000000,
        "nonce": NONCE,
        "key_id": "platform/20260601-1",
        "idempotency_key": "dd-2026-0001",
        "body_digest": EMPTY_SHA256,
    }
    return RequestClaims(**(fields | changes))


def test_request_input_is_seven_lf_joined_lines_without_a_trailing_lf() -> None:
    assert _request().signature_input() == (
        b"coloan-req-v1\n/coloan.v1.CreditService/Drawdown\n1780000000000\nAAECAwQFBgcICQoLDA0ODw\n"
        b"platform/20260601-1\ndd-2026-0001\n" + EMPTY_SHA256.encode()
    )


def test_an_absent_idempotency_key_is_an_empty_line() -> None:
    assert b"\nplatform/20260601-1\n\ne3b0" in _request(idempotency_key=None).signature_input()


def test_forward_input_adds_caller_and_custody_digests_before_the_body_digest() -> None:
    claims = ForwardClaims(
        method="/coloan.v1.CreditService/Drawdown",
        timestamp_ms=1780000000005,
        nonce=NONCE,
        key_id="gateway/20260601-1",
        idempotency_key=None,
        caller="platform",
        received_digest="1" * 64,
        caller_signature_digest="2" * 64,
        body_digest=EMPTY_SHA256,
    )
    assert claims.signature_input().split(b"\n") == [
        b"coloan-fwd-v1",
        b"/coloan.v1.CreditService/Drawdown",
        b"1780000000005",
        NONCE.encode(),
        b"gateway/20260601-1",
        b"",
        b"platform",
        b"1" * 64,
        b"2" * 64,
        EMPTY_SHA256.encode(),
    ]


def test_response_input_binds_method_and_request_nonce() -> None:
    claims = ResponseClaims("/coloan.v1.CreditService/Drawdown", 0, NONCE, "bank/1", EMPTY_SHA256)
    assert claims.signature_input() == (
        b"coloan-resp-v1\n/coloan.v1.CreditService/Drawdown\n0\n"
        + NONCE.encode()
        + b"\nbank/1\n"
        + EMPTY_SHA256.encode()
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"method": "/a.B/C\n"},
        {"method": "/a.B/Ç"},
        {"idempotency_key": "a\nb"},
        {"idempotency_key": "a\u00a0b"},
        {"idempotency_key": "trailing "},
        {"key_id": "platform\n1"},
        {"nonce": NONCE + "\n"},
        {"body_digest": EMPTY_SHA256.upper()},
        {"timestamp_ms": True},
        {"timestamp_ms": 1.5},
    ],
)
def test_a_field_that_could_make_the_input_ambiguous_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="malformed"):
        _request(**changes).signature_input()


@pytest.mark.parametrize("caller", ["", "a\nb", "партнёр"])
def test_an_ill_formed_caller_is_refused(caller: str) -> None:
    claims = ForwardClaims("/a.B/C", 0, NONCE, "g", None, caller, "1" * 64, "2" * 64, EMPTY_SHA256)
    with pytest.raises(ValueError, match="caller is malformed"):
        claims.signature_input()
