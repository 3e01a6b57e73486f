"""The audit record of a call: access-log fields, masking decisions, digests and key ids, never a value."""

from __future__ import annotations

import hashlib
from pathlib import Path

import grpc

from coloan.policy.v1 import options_pb2 as opts
from gateway._call import Call
from gateway._config import Partner
from gateway._methods import compile_methods
from gateway.audit import AuditLog, call_record
from gateway.fake import CoLendingFaker
from gateway.signing import ManualClock, PublicKeySet, RequestVerifier, SigningKey, sign_request
from masking import Engine, Keyring, shipped_services

from .conftest import KEY, SEARCH_KEY

SERVICES = shipped_services()
ASSESS = compile_methods(SERVICES)["/coloan.v1.CreditService/AssessCredit"]
BANK = Partner("bank", opts.ROLE_BANK, opts.BANK, "spiffe://coloan.local/bank/bank", {}, "127.0.0.1:1")
PLATFORM_KEY = SigningKey.generate("platform/test-1")
NOW_MS = 1_780_300_800_000


def _forwarded_call(fake: CoLendingFaker, keys_dir: Path) -> Call:
    app = fake.application()
    body = app.SerializeToString()
    headers = sign_request(PLATFORM_KEY, ASSESS.path, body, now_ms=NOW_MS)
    call = Call(ASSESS, body, tuple(headers.items()), b"pem", "req-1", receiver=BANK)
    verifier = RequestVerifier("platform", PublicKeySet.of(PLATFORM_KEY), clock=ManualClock(NOW_MS))
    call.verified = verifier.verify(ASSESS.path, body, call.metadata)
    masked, call.receipt = Engine(Keyring.init(keys_dir), SERVICES).plan(app.DESCRIPTOR, opts.BANK).masked(app)
    call.message, call.forward_body = app, masked.SerializeToString()
    call.forward_metadata = (("x-coloan-fwd", "..."),)
    return call


def test_a_forwarded_call_records_decisions_digests_and_keys(fake: CoLendingFaker, tmp_path: Path) -> None:
    call = _forwarded_call(fake, tmp_path / "keys")
    rec = call_record(call, grpc.StatusCode.OK, None, "abc123", phase="forward", gateway_key_id=KEY.key_id)
    assert rec["phase"] == "forward" and rec["policy_version"] == "abc123" and rec["method"] == ASSESS.path
    assert rec["masking"] and rec["masking"][0].keys() == {"path", "action", "key_version"}
    assert len(rec["masking"]) == len(call.receipt or ())
    assert rec["digests"] == {"received": hashlib.sha256(call.body).hexdigest(),
                              "forwarded": hashlib.sha256(call.forward_body).hexdigest(),
                              "response": None, "reply": None}
    assert rec["keys"] == {"caller": "platform/test-1", "gateway": KEY.key_id, "upstream": None}


def test_a_refused_call_records_no_forwarded_digest_or_gateway_key() -> None:
    call = Call(ASSESS, b"\x0a\x01x", (), b"pem", "req-2")
    rec = call_record(call, grpc.StatusCode.UNAUTHENTICATED, "signature_missing_signature", "abc123",
                      phase="refused", gateway_key_id=KEY.key_id)
    assert rec["status"] == "UNAUTHENTICATED" and rec["reason"] == "signature_missing_signature"
    assert rec["digests"]["forwarded"] is None and rec["keys"] == {"caller": None, "gateway": None, "upstream": None}


def test_no_personal_value_of_the_application_reaches_the_log(fake: CoLendingFaker, tmp_path: Path) -> None:
    call = _forwarded_call(fake, tmp_path / "keys")
    assert call.message is not None
    profile = type(call.message).FromString(call.body).profile  # type: ignore[attr-defined]
    values = [profile.resident_id, profile.mobile, profile.full_name, profile.email, profile.device_id]
    with AuditLog(tmp_path / "audit", KEY, SEARCH_KEY) as log:
        rec = call_record(call, grpc.StatusCode.OK, None, "abc123", phase="forward", gateway_key_id=KEY.key_id)
        log.append(rec | log.searchable({"profile.resident_id": profile.resident_id}))
    stored = b"".join(p.read_bytes() for p in (tmp_path / "audit").iterdir() if p.is_file())
    assert b'"phase":"forward"' in stored and b'"search":{"profile.resident_id":"hmac-sha256:' in stored
    for value in values:
        assert value and value.encode("utf-8") not in stored
