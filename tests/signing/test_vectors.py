"""Known-answer vectors (tests/signing/vectors/*.json, also printed in docs/PROTOCOL.md) hold for the implementation."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gateway.signing import (
    REASONS,
    ForwardVerifier,
    ManualClock,
    PublicKeySet,
    RequestVerifier,
    ResponseVerifier,
    SignatureError,
    SigningKey,
    countersign,
    received_digest,
    sign_request,
    sign_response,
)
from gateway.signing._input import ForwardClaims, RequestClaims, ResponseClaims

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((Path(__file__).parent / "vectors").glob("*.json"))
VECTORS = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in FILES}


def _cases(kind: str) -> list[Any]:
    return [
        pytest.param(data, case, id=f"{name}-{case['name']}") for name, data in VECTORS.items() for case in data[kind]
    ]


def _signing_key(data: dict[str, Any], key_id: str) -> SigningKey:
    return SigningKey.from_pem(key_id, data["keys"][key_id]["private_key_pem"].encode())


def _public(data: dict[str, Any], key_id: str) -> PublicKeySet:
    return PublicKeySet.from_pem({key_id: data["keys"][key_id]["public_key_pem"].encode()})


def _request(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(case for case in data["request"] if case["name"] == name)


def _verified_request(data: dict[str, Any], case: dict[str, Any], now_ms: int | None = None) -> Any:
    clock = ManualClock(case["timestamp_ms"] if now_ms is None else now_ms)
    verifier = RequestVerifier(case["caller"], _public(data, case["key_id"]), window_ms=data["window_ms"], clock=clock)
    return verifier.verify(case["method"], bytes.fromhex(case["body_hex"]), case["metadata"])


def test_both_algorithms_have_vectors() -> None:
    assert set(VECTORS) == {"ed25519", "ecdsa-p256"}
    assert {data["algorithm"] for data in VECTORS.values()} == set(VECTORS)


@pytest.mark.parametrize(("data", "case"), _cases("request"))
def test_request_vectors(data: dict[str, Any], case: dict[str, Any]) -> None:
    body = bytes.fromhex(case["body_hex"])
    claims = RequestClaims(
        case["method"],
        case["timestamp_ms"],
        case["nonce"],
        case["key_id"],
        case["idempotency_key"],
        case["body_sha256"],
    )
    assert claims.signature_input() == case["signature_input"].encode("ascii")
    verified = _verified_request(data, case)
    assert (verified.body_digest, verified.nonce) == (case["body_sha256"], case["nonce"])
    key = _signing_key(data, case["key_id"])
    assert key.algorithm == data["algorithm"]
    resigned = sign_request(
        key,
        case["method"],
        body,
        now_ms=case["timestamp_ms"],
        nonce=case["nonce"],
        idempotency_key=case["idempotency_key"],
    )
    assert resigned == case["metadata"]  # Ed25519 and RFC 6979 ECDSA are deterministic


@pytest.mark.parametrize(("data", "case"), _cases("forward"))
def test_forward_vectors(data: dict[str, Any], case: dict[str, Any]) -> None:
    request = _request(data, case["request"])
    forwarded = bytes.fromhex(case["forwarded_body_hex"])
    headers = case["metadata"]
    claims = ForwardClaims(
        case["method"],
        case["timestamp_ms"],
        headers["x-coloan-nonce"],
        case["key_id"],
        headers.get("x-coloan-idempotency-key"),
        headers["x-coloan-caller"],
        headers["x-coloan-received-digest"],
        headers["x-coloan-caller-sig-digest"],
        hashlib.sha256(forwarded).hexdigest(),
    )
    assert claims.signature_input() == case["signature_input"].encode("ascii")
    gateway = _signing_key(data, case["key_id"])
    assert countersign(gateway, forwarded, _verified_request(data, request), now_ms=case["timestamp_ms"]) == headers
    receiver = ForwardVerifier(_public(data, case["key_id"]), clock=ManualClock(case["timestamp_ms"]))
    result = receiver.verify(case["method"], forwarded, headers)
    caller_signature = base64.urlsafe_b64decode(case["caller_signature"] + "==")
    assert case["received_body_sha256"] == hashlib.sha256(bytes.fromhex(case["received_body_hex"])).hexdigest()
    assert received_digest(caller_signature, bytes.fromhex(case["received_body_hex"])) == result.received_digest


@pytest.mark.parametrize(("data", "case"), _cases("response"))
def test_response_vectors(data: dict[str, Any], case: dict[str, Any]) -> None:
    body = bytes.fromhex(case["body_hex"])
    claims = ResponseClaims(
        case["method"], case["timestamp_ms"], case["request_nonce"], case["key_id"], hashlib.sha256(body).hexdigest()
    )
    assert claims.signature_input() == case["signature_input"].encode("ascii")
    key = _signing_key(data, case["key_id"])
    assert (
        sign_response(key, case["method"], case["request_nonce"], body, now_ms=case["timestamp_ms"])
        == (case["metadata"])
    )
    verifier = ResponseVerifier(_public(data, case["key_id"]), clock=ManualClock(case["timestamp_ms"]))
    verifier.verify(case["method"], case["request_nonce"], body, case["metadata"])


@pytest.mark.parametrize(("data", "case"), _cases("verification"))
def test_verification_vectors(data: dict[str, Any], case: dict[str, Any]) -> None:
    key_id = "platform/20260601-1"
    clock = ManualClock(case["now_ms"])
    verifier = RequestVerifier("platform", _public(data, key_id), window_ms=data["window_ms"], clock=clock)
    body = bytes.fromhex(case["body_hex"])
    if case["expect"] == "ok":
        verifier.verify(case["method"], body, case["metadata"])
        return
    with pytest.raises(SignatureError) as caught:
        verifier.verify(case["method"], body, case["metadata"])
    assert caught.value.reason == case["expect"]


def test_every_refusal_reason_but_replay_has_a_vector() -> None:
    """Replay needs two messages and a store, so it is specified in prose and tested in test_request."""
    for data in VECTORS.values():
        assert {case["expect"] for case in data["verification"]} == (REASONS - {"replayed_nonce"}) | {"ok"}


def test_the_vector_files_and_the_protocol_document_are_current() -> None:
    script = ROOT / "scripts" / "gen_signing_vectors.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_protocol_document_prints_every_signature_input_and_signature() -> None:
    text = (ROOT / "docs" / "PROTOCOL.md").read_text(encoding="utf-8")
    for data in VECTORS.values():
        for kind in ("request", "forward", "response"):
            for case in data[kind]:
                assert f"```text\n{case['signature_input']}\n```" in text
                assert case["signature"] in text
