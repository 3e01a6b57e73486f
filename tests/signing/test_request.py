"""A caller's request signature: round trips and every way a request is refused, with its reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gateway.signing import (
    REASONS,
    Algorithm,
    ManualClock,
    MemoryNonceStore,
    PublicKeySet,
    ReplayStoreError,
    RequestVerifier,
    SignatureError,
    SigningKey,
    sign_request,
)

from .conftest import BODY, DRAWDOWN, METHOD, NOW_MS, WINDOW_MS

Sign = Callable[..., dict[str, str]]


def _refused(verifier: RequestVerifier, headers: Any, *, method: str = METHOD, body: bytes = BODY) -> str:
    with pytest.raises(SignatureError) as caught:
        verifier.verify(method, body, headers)
    assert caught.value.reason in REASONS
    return caught.value.reason


def _flip_bit(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def test_a_signed_request_verifies_and_reports_what_it_proved(
    verifier: RequestVerifier, sign: Sign, partner_key: SigningKey
) -> None:
    headers = sign()
    verified = verifier.verify(METHOD, BODY, headers)
    assert (verified.caller, verified.method, verified.key_id) == ("platform", METHOD, partner_key.key_id)
    assert (verified.timestamp_ms, verified.skew_ms, verified.nonce) == (NOW_MS, 0, headers["x-coloan-nonce"])
    assert verified.idempotency_key is None
    assert len(verified.body_digest) == len(verified.signature_digest) == 64


def test_metadata_may_be_pairs_in_any_case_as_grpc_gives_them(verifier: RequestVerifier, sign: Sign) -> None:
    pairs = [(name.upper(), value) for name, value in sign().items()] + [("user-agent", "grpc-python")]
    assert verifier.verify(METHOD, BODY, pairs).caller == "platform"


def test_an_empty_body_signs_and_verifies(verifier: RequestVerifier, sign: Sign) -> None:
    verifier.verify(METHOD, b"", sign(body=b""))


def test_signature_headers_are_text_and_nonce_is_22_base64url_chars(sign: Sign) -> None:
    headers = sign()
    assert set(headers) == {"x-coloan-key-id", "x-coloan-timestamp", "x-coloan-nonce", "x-coloan-signature"}
    assert len(headers["x-coloan-nonce"]) == 22 and len(headers["x-coloan-signature"]) == 86
    assert headers["x-coloan-timestamp"] == str(NOW_MS)


def test_each_request_gets_a_fresh_nonce(sign: Sign) -> None:
    assert len({sign()["x-coloan-nonce"] for _ in range(50)}) == 50


# -- missing and malformed metadata


def test_an_unsigned_request_is_missing_signature(verifier: RequestVerifier, sign: Sign) -> None:
    headers = sign()
    del headers["x-coloan-signature"]
    assert _refused(verifier, headers) == "missing_signature"
    assert _refused(verifier, {}) == "missing_signature"


@pytest.mark.parametrize("header", ["x-coloan-key-id", "x-coloan-timestamp", "x-coloan-nonce"])
def test_a_signed_request_missing_another_header_is_malformed(
    verifier: RequestVerifier, sign: Sign, header: str
) -> None:
    headers = sign()
    del headers[header]
    assert _refused(verifier, headers) == "malformed"


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("x-coloan-nonce", "short"),
        ("x-coloan-nonce", "AAAAAAAAAAAAAAAAAAAAAB"),  # 22 chars but not canonical (low bits set)
        ("x-coloan-nonce", "AAAAAAAAAAAAAAAAAAAA+A"),  # base64, not base64url
        ("x-coloan-nonce", "AAAAAAAAAAAAAAAAAAAAAAA="),
        ("x-coloan-timestamp", "1780000000000.0"),
        ("x-coloan-timestamp", "-1780000000000"),
        ("x-coloan-timestamp", "01780000000000"),
        ("x-coloan-timestamp", "１７８０"),  # fullwidth digits are not ASCII
        ("x-coloan-timestamp", "17800000000000000"),  # 17 digits
        ("x-coloan-signature", "!!!!"),
        ("x-coloan-signature", "AAAA"),  # valid base64url, wrong length
        ("x-coloan-signature", "A" * 85 + "B"),  # 64 bytes but not canonical
        ("x-coloan-key-id", "platform key"),
        ("x-coloan-key-id", "k" * 65),
        ("x-coloan-idempotency-key", ""),
        ("x-coloan-idempotency-key", " dd-1"),
        ("x-coloan-idempotency-key", "dd\n1"),
        ("x-coloan-idempotency-key", "dd-é"),
        ("x-coloan-idempotency-key", "k" * 129),
    ],
)
def test_an_ill_formed_header_is_malformed(verifier: RequestVerifier, sign: Sign, header: str, value: str) -> None:
    assert _refused(verifier, sign() | {header: value}) == "malformed"


def test_a_padded_signature_is_malformed(verifier: RequestVerifier, sign: Sign) -> None:
    headers = sign()
    assert _refused(verifier, headers | {"x-coloan-signature": headers["x-coloan-signature"] + "=="}) == "malformed"


def test_a_repeated_header_is_malformed_even_with_equal_values(verifier: RequestVerifier, sign: Sign) -> None:
    headers = sign()
    pairs = [*headers.items(), ("x-coloan-nonce", headers["x-coloan-nonce"])]
    assert _refused(verifier, pairs) == "malformed"


def test_a_binary_value_for_a_protocol_header_is_malformed(verifier: RequestVerifier, sign: Sign) -> None:
    pairs = [(k, v.encode() if k == "x-coloan-signature" else v) for k, v in sign().items()]
    assert _refused(verifier, pairs) == "malformed"


@pytest.mark.parametrize("method", ["coloan.v1.CreditService/AssessCredit", "/a/b\n", "/coloan.v1.CreditService/"])
def test_an_ill_formed_method_is_malformed(verifier: RequestVerifier, sign: Sign, method: str) -> None:
    assert _refused(verifier, sign(), method=method) == "malformed"


def test_error_messages_never_echo_header_values(verifier: RequestVerifier, sign: Sign) -> None:
    headers = sign() | {"x-coloan-key-id": "secret-looking-id", "x-coloan-nonce": "SENSITIVE-VALUE"}
    with pytest.raises(SignatureError) as caught:
        verifier.verify(METHOD, BODY, headers)
    assert "SENSITIVE" not in str(caught.value) and "x-coloan-nonce" in str(caught.value)


# -- keys and signatures


def test_an_unregistered_key_id_is_unknown_key(verifier: RequestVerifier, algorithm: Algorithm) -> None:
    stranger = SigningKey.generate("platform/20990101-1", algorithm)
    assert _refused(verifier, sign_request(stranger, METHOD, BODY, now_ms=NOW_MS)) == "unknown_key"


def test_another_keys_signature_under_a_registered_key_id_is_bad_signature(
    verifier: RequestVerifier, partner_key: SigningKey, algorithm: Algorithm
) -> None:
    impostor = SigningKey.generate(partner_key.key_id, algorithm)
    assert _refused(verifier, sign_request(impostor, METHOD, BODY, now_ms=NOW_MS)) == "bad_signature"


def test_a_key_of_the_other_algorithm_under_a_registered_key_id_is_bad_signature(
    verifier: RequestVerifier, partner_key: SigningKey
) -> None:
    other: Algorithm = "ed25519" if partner_key.algorithm == "ecdsa-p256" else "ecdsa-p256"
    impostor = SigningKey.generate(partner_key.key_id, other)
    assert _refused(verifier, sign_request(impostor, METHOD, BODY, now_ms=NOW_MS)) == "bad_signature"


@pytest.mark.parametrize("index", [0, 17, len(BODY) - 1])
def test_one_flipped_body_bit_is_bad_signature(verifier: RequestVerifier, sign: Sign, index: int) -> None:
    assert _refused(verifier, sign(), body=_flip_bit(BODY, index)) == "bad_signature"


def test_a_tampered_signature_is_bad_signature(verifier: RequestVerifier, sign: Sign) -> None:
    headers = sign()
    sig = headers["x-coloan-signature"]
    tampered = ("B" if sig[10] == "A" else "A").join((sig[:10], sig[11:]))
    assert _refused(verifier, headers | {"x-coloan-signature": tampered}) == "bad_signature"


def test_a_signature_for_another_method_is_bad_signature(verifier: RequestVerifier, sign: Sign) -> None:
    assert _refused(verifier, sign(method=DRAWDOWN), method=METHOD) == "bad_signature"


def test_a_swapped_idempotency_key_is_bad_signature(verifier: RequestVerifier, sign: Sign) -> None:
    headers = sign(method=DRAWDOWN, idempotency_key="dd-2026-0001")
    assert _refused(verifier, headers | {"x-coloan-idempotency-key": "dd-2026-0002"}, method=DRAWDOWN) == (
        "bad_signature"
    )


def test_a_stripped_or_added_idempotency_key_is_bad_signature(verifier: RequestVerifier, sign: Sign) -> None:
    keyed = sign(method=DRAWDOWN, idempotency_key="dd-2026-0001")
    del keyed["x-coloan-idempotency-key"]
    assert _refused(verifier, keyed, method=DRAWDOWN) == "bad_signature"
    assert _refused(verifier, sign() | {"x-coloan-idempotency-key": "dd-1"}) == "bad_signature"


def test_the_idempotency_key_is_reported_once_verified(verifier: RequestVerifier, sign: Sign) -> None:
    verified = verifier.verify(DRAWDOWN, BODY, sign(method=DRAWDOWN, idempotency_key="dd 2026/0001"))
    assert verified.idempotency_key == "dd 2026/0001"


@pytest.mark.parametrize("header", ["x-coloan-timestamp", "x-coloan-nonce"])
def test_a_changed_signed_field_is_bad_signature(verifier: RequestVerifier, sign: Sign, header: str) -> None:
    changed = {"x-coloan-timestamp": str(NOW_MS + 1), "x-coloan-nonce": "AAAAAAAAAAAAAAAAAAAAAA"}[header]
    assert _refused(verifier, sign() | {header: changed}) == "bad_signature"


def test_two_key_ids_are_valid_at_once_during_rotation(algorithm: Algorithm, clock: ManualClock) -> None:
    old = SigningKey.generate("platform/20260101-1", algorithm)
    new = SigningKey.generate("platform/20260601-1", "ed25519")
    verifier = RequestVerifier("platform", PublicKeySet.of(old, new), clock=clock)
    for key in (old, new):
        assert verifier.verify(METHOD, BODY, sign_request(key, METHOD, BODY, now_ms=NOW_MS)).key_id == key.key_id
    retired = RequestVerifier("platform", PublicKeySet.of(new), clock=clock)
    assert _refused(retired, sign_request(old, METHOD, BODY, now_ms=NOW_MS)) == "unknown_key"


# -- freshness


@pytest.mark.parametrize(
    ("offset_ms", "reason"),
    [(-WINDOW_MS, None), (WINDOW_MS, None), (-WINDOW_MS - 1, "stale_timestamp"), (WINDOW_MS + 1, "future_timestamp")],
)
def test_the_clock_window_is_inclusive(
    verifier: RequestVerifier, sign: Sign, offset_ms: int, reason: str | None
) -> None:
    headers = sign(now_ms=NOW_MS + offset_ms)
    if reason is None:
        assert verifier.verify(METHOD, BODY, headers).skew_ms == offset_ms
    else:
        assert _refused(verifier, headers) == reason


def test_the_window_is_configurable(partner_key: SigningKey, clock: ManualClock, sign: Sign) -> None:
    narrow = RequestVerifier("platform", PublicKeySet.of(partner_key), window_ms=5_000, clock=clock)
    assert _refused(narrow, sign(now_ms=NOW_MS - 5_001)) == "stale_timestamp"
    narrow.verify(METHOD, BODY, sign(now_ms=NOW_MS - 5_000))


@pytest.mark.parametrize("window_ms", [0, -1, 3_600_001])
def test_an_unusable_window_is_refused_at_start_up(partner_key: SigningKey, window_ms: int) -> None:
    with pytest.raises(ValueError, match="window_ms"):
        RequestVerifier("platform", PublicKeySet.of(partner_key), window_ms=window_ms)


def test_a_stale_request_with_a_bad_signature_is_reported_as_bad_signature(
    verifier: RequestVerifier, sign: Sign
) -> None:
    headers = sign(now_ms=NOW_MS - 10 * WINDOW_MS)
    assert _refused(verifier, headers, body=b"other") == "bad_signature"


# -- replay


def test_a_replayed_nonce_is_refused(verifier: RequestVerifier, sign: Sign) -> None:
    headers = sign()
    verifier.verify(METHOD, BODY, headers)
    assert _refused(verifier, headers) == "replayed_nonce"


def test_a_nonce_reused_in_a_new_signed_request_is_refused(verifier: RequestVerifier, sign: Sign) -> None:
    nonce = sign()["x-coloan-nonce"]
    verifier.verify(METHOD, BODY, sign(nonce=nonce))
    assert _refused(verifier, sign(body=b"other", nonce=nonce), body=b"other") == "replayed_nonce"


def test_the_same_nonce_from_another_caller_passes_on_a_shared_store(
    algorithm: Algorithm, clock: ManualClock, store: MemoryNonceStore
) -> None:
    platform = SigningKey.generate("platform/1", algorithm)
    bank = SigningKey.generate("bank/1", algorithm)
    nonce = "c29tZSBmaXhlZCBub25jZQ"
    for caller, key in (("platform", platform), ("bank", bank)):
        verifier = RequestVerifier(caller, PublicKeySet.of(key), replay=store, clock=clock)
        verifier.verify(METHOD, BODY, sign_request(key, METHOD, BODY, now_ms=NOW_MS, nonce=nonce))
    again = RequestVerifier("bank", PublicKeySet.of(bank), replay=store, clock=clock)
    assert _refused(again, sign_request(bank, METHOD, BODY, now_ms=NOW_MS, nonce=nonce)) == "replayed_nonce"


def test_a_nonce_is_accepted_again_once_its_request_has_left_the_window(
    verifier: RequestVerifier, sign: Sign, clock: ManualClock
) -> None:
    nonce = "c29tZSBmaXhlZCBub25jZQ"
    verifier.verify(METHOD, BODY, sign(nonce=nonce))
    clock.advance(WINDOW_MS)
    assert _refused(verifier, sign(now_ms=clock.now_ms(), nonce=nonce)) == "replayed_nonce"
    clock.advance(1)
    verifier.verify(METHOD, BODY, sign(now_ms=clock.now_ms(), nonce=nonce))


def test_a_future_dated_nonce_is_kept_until_its_own_timestamp_leaves_the_window(
    verifier: RequestVerifier, sign: Sign, clock: ManualClock
) -> None:
    nonce = "c29tZSBmaXhlZCBub25jZQ"
    verifier.verify(METHOD, BODY, sign(now_ms=NOW_MS + WINDOW_MS, nonce=nonce))
    clock.advance(2 * WINDOW_MS)
    assert _refused(verifier, sign(now_ms=clock.now_ms(), nonce=nonce)) == "replayed_nonce"


def test_refused_requests_do_not_consume_their_nonce(verifier: RequestVerifier, sign: Sign) -> None:
    headers = sign()
    assert _refused(verifier, headers, body=b"tampered") == "bad_signature"
    assert _refused(verifier, sign(now_ms=NOW_MS - 2 * WINDOW_MS, nonce=headers["x-coloan-nonce"])) == (
        "stale_timestamp"
    )
    verifier.verify(METHOD, BODY, headers)


# -- signer arguments


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("/a/b\n/c/d", {}),
        (METHOD, {"idempotency_key": "dd\n1"}),
        (METHOD, {"idempotency_key": ""}),
        (METHOD, {"nonce": "not-a-nonce"}),
        (METHOD, {"now_ms": -1}),
        (METHOD, {"now_ms": 10**16}),
    ],
)
def test_the_signer_refuses_ambiguous_or_ill_formed_fields(
    partner_key: SigningKey, method: str, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="malformed"):
        sign_request(partner_key, method, BODY, **({"now_ms": NOW_MS} | kwargs))


class _Unreachable:
    """A store that cannot answer, as a Redis store would when Redis is down."""

    def check_and_store(self, scope: str, nonce: str, expires_at_ms: int) -> bool:
        raise ReplayStoreError("replay store unreachable")


def test_a_store_that_cannot_answer_refuses_the_request_as_unavailable(
    partner_key: SigningKey, clock: ManualClock, sign: Sign
) -> None:
    verifier = RequestVerifier("platform", PublicKeySet.of(partner_key), replay=_Unreachable(), clock=clock)
    with pytest.raises(ReplayStoreError):
        verifier.verify(METHOD, BODY, sign())


def test_the_nonce_is_stored_under_the_callers_scope(
    verifier: RequestVerifier, sign: Sign, store: MemoryNonceStore
) -> None:
    headers = sign(now_ms=NOW_MS - 1_000)
    verifier.verify(METHOD, BODY, headers)
    assert not store.check_and_store("coloan-req-v1:platform", headers["x-coloan-nonce"], 0)
