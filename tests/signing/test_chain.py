"""Chain of custody: the gateway countersigns what it forwards; the receiver refuses anything else."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest

from gateway.signing import (
    Algorithm,
    ForwardVerifier,
    ManualClock,
    PublicKeySet,
    RequestVerifier,
    SignatureError,
    SigningKey,
    VerifiedRequest,
    countersign,
    received_digest,
    sign_request,
)
from gateway.signing._fields import decode_signature

from .conftest import BODY, DRAWDOWN, NOW_MS, WINDOW_MS

MASKED = BODY.replace(b"APP-0000001", b"APP-*******")
Sign = Callable[..., dict[str, str]]


@pytest.fixture
def request_headers(sign: Sign) -> dict[str, str]:
    return sign(method=DRAWDOWN, idempotency_key="dd-2026-0001")


@pytest.fixture
def verified(verifier: RequestVerifier, request_headers: dict[str, str]) -> VerifiedRequest:
    return verifier.verify(DRAWDOWN, BODY, request_headers)


@pytest.fixture
def forwarded(gateway_key: SigningKey, verified: VerifiedRequest) -> dict[str, str]:
    return countersign(gateway_key, MASKED, verified, now_ms=NOW_MS + 5)


@pytest.fixture
def receiver(gateway_key: SigningKey, clock: ManualClock) -> ForwardVerifier:
    """The bank's SDK, trusting the gateway's key only."""
    return ForwardVerifier(PublicKeySet.of(gateway_key), window_ms=WINDOW_MS, clock=clock)


def _refused(receiver: ForwardVerifier, headers: dict[str, str], body: bytes = MASKED) -> str:
    with pytest.raises(SignatureError) as caught:
        receiver.verify(DRAWDOWN, body, headers)
    return caught.value.reason


def test_a_countersigned_forward_verifies_and_carries_the_callers_claims(
    receiver: ForwardVerifier, forwarded: dict[str, str], verified: VerifiedRequest, gateway_key: SigningKey
) -> None:
    result = receiver.verify(DRAWDOWN, MASKED, forwarded)
    assert (result.caller, result.nonce, result.idempotency_key) == ("platform", verified.nonce, "dd-2026-0001")
    assert (result.gateway_key_id, result.timestamp_ms, result.skew_ms) == (gateway_key.key_id, NOW_MS + 5, 5)
    assert result.caller_signature_digest == verified.signature_digest
    assert result.body_digest == hashlib.sha256(MASKED).hexdigest()


def test_countersign_emits_exactly_the_forwarding_headers(forwarded: dict[str, str]) -> None:
    assert set(forwarded) == {
        "x-coloan-gw-key-id",
        "x-coloan-gw-timestamp",
        "x-coloan-gw-signature",
        "x-coloan-received-digest",
        "x-coloan-caller-sig-digest",
        "x-coloan-caller",
        "x-coloan-nonce",
        "x-coloan-idempotency-key",
    }


def test_the_digests_link_the_forward_to_the_callers_signed_request(
    forwarded: dict[str, str], request_headers: dict[str, str]
) -> None:
    caller_signature = decode_signature(request_headers["x-coloan-signature"], "signature")
    assert forwarded["x-coloan-caller-sig-digest"] == hashlib.sha256(caller_signature).hexdigest()
    assert forwarded["x-coloan-received-digest"] == received_digest(caller_signature, BODY)


def test_the_received_digest_is_no_hash_oracle_for_masked_values(forwarded: dict[str, str]) -> None:
    """The receiver holds the masked bytes; a plain hash of the unmasked ones would confirm guesses."""
    assert forwarded["x-coloan-received-digest"] != hashlib.sha256(BODY).hexdigest()
    assert received_digest(b"\x00" * 64, BODY) != received_digest(b"\x01" * 64, BODY)


def test_an_auditor_verifies_the_whole_chain_from_the_callers_record(
    receiver: ForwardVerifier,
    forwarded: dict[str, str],
    request_headers: dict[str, str],
    partner_key: SigningKey,
) -> None:
    """Given the caller's original body and headers, anyone holding the public keys can check custody."""
    forward = receiver.verify(DRAWDOWN, MASKED, forwarded)
    at_the_time = ManualClock(int(request_headers["x-coloan-timestamp"]))
    original = RequestVerifier(forward.caller, PublicKeySet.of(partner_key), clock=at_the_time)
    original_request = original.verify(forward.method, BODY, request_headers)
    assert original_request.nonce == forward.nonce
    assert original_request.signature_digest == forward.caller_signature_digest
    assert received_digest(original_request.signature, BODY) == forward.received_digest


@pytest.mark.parametrize(
    "header",
    [
        "x-coloan-received-digest",
        "x-coloan-caller-sig-digest",
    ],
)
def test_an_altered_custody_digest_is_bad_signature(
    receiver: ForwardVerifier, forwarded: dict[str, str], header: str
) -> None:
    altered = forwarded[header][:-1] + ("0" if forwarded[header][-1] != "0" else "1")
    assert _refused(receiver, forwarded | {header: altered}) == "bad_signature"


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("x-coloan-caller", "bank"),
        ("x-coloan-nonce", "AAAAAAAAAAAAAAAAAAAAAA"),
        ("x-coloan-idempotency-key", "dd-2026-0002"),
        ("x-coloan-gw-timestamp", str(NOW_MS + 6)),
    ],
)
def test_an_altered_bound_header_is_bad_signature(
    receiver: ForwardVerifier, forwarded: dict[str, str], header: str, value: str
) -> None:
    assert _refused(receiver, forwarded | {header: value}) == "bad_signature"


def test_a_stripped_idempotency_key_is_bad_signature(receiver: ForwardVerifier, forwarded: dict[str, str]) -> None:
    del forwarded["x-coloan-idempotency-key"]
    assert _refused(receiver, forwarded) == "bad_signature"


def test_an_altered_forwarded_body_is_bad_signature(receiver: ForwardVerifier, forwarded: dict[str, str]) -> None:
    assert _refused(receiver, forwarded, body=BODY) == "bad_signature"
    assert _refused(receiver, forwarded, body=MASKED + b"\x00") == "bad_signature"


def test_the_forwarded_method_is_bound(receiver: ForwardVerifier, forwarded: dict[str, str]) -> None:
    with pytest.raises(SignatureError, match="bad_signature"):
        receiver.verify("/coloan.v1.CreditService/AssessCredit", MASKED, forwarded)


def test_a_callers_request_sent_straight_to_the_receiver_is_refused(
    receiver: ForwardVerifier, request_headers: dict[str, str]
) -> None:
    assert _refused(receiver, request_headers, body=BODY) == "missing_signature"


def test_a_request_signature_by_a_gateway_key_is_no_countersignature(
    receiver: ForwardVerifier, forwarded: dict[str, str], gateway_key: SigningKey
) -> None:
    """Domain separation: the same key's coloan-req-v1 signature does not verify as coloan-fwd-v1."""
    plain = sign_request(gateway_key, DRAWDOWN, MASKED, now_ms=NOW_MS + 5, nonce=forwarded["x-coloan-nonce"])
    spliced = forwarded | {"x-coloan-gw-signature": plain["x-coloan-signature"]}
    assert _refused(receiver, spliced) == "bad_signature"


def test_a_countersignature_by_an_unregistered_gateway_key_is_unknown_key(
    receiver: ForwardVerifier, verified: VerifiedRequest, algorithm: Algorithm
) -> None:
    rogue = SigningKey.generate("gateway/rogue", algorithm)
    assert _refused(receiver, countersign(rogue, MASKED, verified, now_ms=NOW_MS)) == "unknown_key"


def test_a_replayed_forward_is_refused(receiver: ForwardVerifier, forwarded: dict[str, str]) -> None:
    receiver.verify(DRAWDOWN, MASKED, forwarded)
    assert _refused(receiver, forwarded) == "replayed_nonce"


def test_a_stale_forward_is_refused(receiver: ForwardVerifier, forwarded: dict[str, str], clock: ManualClock) -> None:
    clock.advance(WINDOW_MS + 6)
    assert _refused(receiver, forwarded) == "stale_timestamp"


@pytest.mark.parametrize(
    ("header", "value", "reason"),
    [
        ("x-coloan-received-digest", "ABC", "malformed"),
        ("x-coloan-caller-sig-digest", "F" * 64, "malformed"),
        ("x-coloan-caller", "", "malformed"),
        ("x-coloan-gw-signature", "@", "malformed"),
    ],
)
def test_ill_formed_forward_headers_are_malformed(
    receiver: ForwardVerifier, forwarded: dict[str, str], header: str, value: str, reason: str
) -> None:
    assert _refused(receiver, forwarded | {header: value}) == reason


@pytest.mark.parametrize("header", ["x-coloan-caller", "x-coloan-received-digest", "x-coloan-nonce"])
def test_a_missing_forward_header_is_malformed(
    receiver: ForwardVerifier, forwarded: dict[str, str], header: str
) -> None:
    del forwarded[header]
    assert _refused(receiver, forwarded) == "malformed"
