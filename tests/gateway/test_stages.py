"""Each stage called directly with plain values: what it accepts and what it refuses, with which reason."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from certs import PeerIdentity, PeerRejected
from coloan.policy.v1 import options_pb2 as opts
from gateway._call import Call
from gateway._config import Deadlines, Partner, Retries
from gateway._methods import compile_methods
from gateway._resilience import BreakerPolicy, BreakerState, CircuitBreaker, InFlight, TokenBucket
from gateway._status import to_status
from gateway.errors import (
    CallError,
    DeadlineExceeded,
    FailedPrecondition,
    InvalidArgument,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
    UpstreamRefused,
)
from gateway.fake import CoLendingFaker
from gateway.stages import Admit, Authorize, CheckConsent, Decode, Identify, Route, UpstreamError, UpstreamReply
from gateway.validation import Validator
from masking import shipped_services

METHODS = compile_methods(shipped_services())
ASSESS = METHODS["/coloan.v1.CreditService/AssessCredit"]
BANK = Partner("bank", opts.ROLE_BANK, opts.BANK, "spiffe://coloan.local/bank/bank", {}, "127.0.0.1:1")
PLATFORM = Partner("platform", opts.ROLE_PLATFORM, opts.PLATFORM, "spiffe://coloan.local/platform/platform", {}, None)
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _call(body: bytes = b"", **kw: object) -> Call:
    return Call(ASSESS, body, (), b"pem", "req-1", **kw)  # type: ignore[arg-type]


def _run(stage: object, call: Call) -> None:
    asyncio.run(stage(call))  # type: ignore[operator]


def _refused(stage: object, call: Call) -> CallError:
    with pytest.raises(CallError) as info:
        _run(stage, call)
    return info.value


class _Checker:
    def __init__(self, identity: PeerIdentity | None, reason: str = "revoked") -> None:
        self.identity, self.reason = identity, reason

    def check(self, cert: bytes) -> PeerIdentity:
        if self.identity is None:
            raise PeerRejected(self.reason, "rejected")
        return self.identity


def _identity(spiffe: str) -> PeerIdentity:
    return PeerIdentity(spiffe, "coloan.local", "platform", "platform", 0xABC, "ff" * 32, NOW)


def test_method_table_covers_every_annotated_method() -> None:
    assert sorted(METHODS) == sorted([
        "/coloan.v1.CreditService/AssessCredit", "/coloan.v1.CreditService/Drawdown",
        "/coloan.v1.CreditService/ReportRepayment", "/coloan.v1.CreditService/GetLoan",
        "/coloan.v1.LoanEventService/PublishLoanStatus", "/coloan.v1.LoanEventService/PublishRiskAlert"])
    assert ASSESS.profile_paths == (("profile",),)
    assert METHODS["/coloan.v1.CreditService/Drawdown"].policy.idempotency_key_required


def test_identify_maps_spiffe_id_to_partner() -> None:
    call = _call()
    _run(Identify(_Checker(_identity(PLATFORM.spiffe_id)), {PLATFORM.spiffe_id: PLATFORM}), call)
    assert call.caller == PLATFORM


@pytest.mark.parametrize(("checker", "peer", "reason"), [
    (_Checker(_identity("spiffe://coloan.local/platform/x")), b"pem", "unknown_partner"),
    (_Checker(None, "revoked"), b"pem", "peer_revoked"),
    (_Checker(None, "multiple_uri_sans"), b"pem", "peer_multiple_uri_sans"),
    (_Checker(_identity(PLATFORM.spiffe_id)), None, "no_peer_certificate"),
])
def test_identify_refuses(checker: _Checker, peer: bytes | None, reason: str) -> None:
    err = _refused(Identify(checker, {PLATFORM.spiffe_id: PLATFORM}), Call(ASSESS, b"", (), peer, "r"))
    assert isinstance(err, Unauthenticated)
    assert err.reason == reason


def test_authorize_denies_roles_not_listed_and_resolves_receiver() -> None:
    stage = Authorize({opts.ROLE_BANK: BANK})
    err = _refused(stage, _call(caller=BANK))
    assert isinstance(err, PermissionDenied)
    call = _call(caller=PLATFORM)
    _run(stage, call)
    assert call.receiver == BANK


def test_decode_refuses_oversized_malformed_and_invalid(fake: CoLendingFaker) -> None:
    stage = Decode(Validator(clock=lambda: NOW), max_bytes=10_000)
    assert isinstance(_refused(stage, _call(b"x" * 10_001)), ResourceExhausted)
    assert _refused(stage, _call(b"\xff\xff\xff")).reason == "malformed_message"
    app = fake.application()
    app.profile.mobile = "12345"
    err = _refused(stage, _call(app.SerializeToString()))
    assert isinstance(err, InvalidArgument)
    assert [(v.field, v.rule) for v in err.violations] == [("profile.mobile", "mobile.format")]
    ok = _call(fake.application().SerializeToString())
    _run(stage, ok)
    assert ok.message is not None


@pytest.mark.parametrize(("edit", "reason"), [
    (lambda a: a.profile.ClearField("consent"), "consent_missing"),
    (lambda a: a.profile.consent.expires_at.CopyFrom(Timestamp(seconds=int(NOW.timestamp()) - 1)), "consent_expired"),
    (lambda a: setattr(a.profile.consent, "recipient", "other-bank"), "consent_recipient"),
    (lambda a: a.profile.consent.ClearField("purposes"), "consent_purpose"),
])
def test_consent_refusals(fake: CoLendingFaker, edit: object, reason: str) -> None:
    app = fake.application()
    edit(app)  # type: ignore[operator]
    err = _refused(CheckConsent(lambda: NOW), _call(message=app, receiver=BANK))
    assert isinstance(err, FailedPrecondition)
    assert err.reason == reason


def test_consent_naming_receiver_and_purpose_passes(fake: CoLendingFaker) -> None:
    app = fake.application()
    call = _call(message=app, receiver=BANK)
    _run(CheckConsent(lambda: NOW + timedelta(days=1)), call)
    assert call.consent_id == app.profile.consent.consent_id


class _Upstream:
    """A scripted upstream: fails with the given codes in turn, then answers."""

    def __init__(self, *fail: grpc.StatusCode) -> None:
        self.fail, self.timeouts = list(fail), list[float]()

    async def call(self, path: str, body: bytes, metadata: Sequence[tuple[str, str]], timeout: float) -> UpstreamReply:
        self.timeouts.append(timeout)
        if self.fail:
            raise UpstreamError(self.fail.pop(0))
        return UpstreamReply(b"reply", (("k", "v"),))


def _route(up: _Upstream, deadlines: Deadlines | None = None, breaker: CircuitBreaker | None = None,
           slept: list[float] | None = None) -> Route:
    async def sleep(s: float) -> None:
        (slept if slept is not None else []).append(s)

    return Route({"bank": up}, deadlines or Deadlines(), {"bank": breaker or CircuitBreaker(BreakerPolicy())},
                 Retries(attempts=2, backoff_ms=50), sleep=sleep, jitter=lambda: 0.5)


def test_route_propagates_deadline_minus_margin_capped() -> None:
    up = _Upstream()
    stage = _route(up, Deadlines(default_ms=5_000, max_ms=2_000, margin_ms=100))
    for remaining in (1.0, 10.0, None):
        _run(stage, _call(receiver=BANK, time_remaining_s=remaining))
    assert up.timeouts == pytest.approx([0.9, 2.0, 2.0], abs=0.01)
    call = _call(receiver=BANK)
    _run(stage, call)
    assert call.response_body == b"reply"
    assert call.upstream_ms is not None


def test_route_refuses_when_no_time_is_left() -> None:
    err = _refused(_route(_Upstream(), Deadlines(margin_ms=100)), _call(receiver=BANK, time_remaining_s=0.05))
    assert isinstance(err, DeadlineExceeded)


@pytest.mark.parametrize(("code", "kind", "relayed"), [
    (grpc.StatusCode.UNAVAILABLE, Unavailable, grpc.StatusCode.UNAVAILABLE),
    (grpc.StatusCode.INTERNAL, Unavailable, grpc.StatusCode.UNAVAILABLE),
    (grpc.StatusCode.UNKNOWN, Unavailable, grpc.StatusCode.UNAVAILABLE),
    (grpc.StatusCode.DEADLINE_EXCEEDED, DeadlineExceeded, grpc.StatusCode.DEADLINE_EXCEEDED),
    (grpc.StatusCode.NOT_FOUND, UpstreamRefused, grpc.StatusCode.NOT_FOUND),
    (grpc.StatusCode.ALREADY_EXISTS, UpstreamRefused, grpc.StatusCode.ALREADY_EXISTS),
])
def test_route_maps_upstream_failures(code: grpc.StatusCode, kind: type, relayed: grpc.StatusCode) -> None:
    err = _refused(_route(_Upstream(code)), _call(receiver=BANK))
    assert isinstance(err, kind)
    assert err.code == relayed


GET_LOAN = METHODS["/coloan.v1.CreditService/GetLoan"]


def test_safe_methods_are_retried_with_backoff_on_unavailable() -> None:
    up, slept = _Upstream(grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNAVAILABLE), list[float]()
    call = Call(GET_LOAN, b"", (), b"pem", "r", receiver=BANK)
    _run(_route(up, slept=slept), call)
    assert call.response_body == b"reply"
    assert slept == pytest.approx([0.05, 0.1])  # 50 ms doubling, jitter factor 1.0 here
    assert len(up.timeouts) == 3


def test_unsafe_methods_are_never_retried() -> None:
    up = _Upstream(grpc.StatusCode.UNAVAILABLE)
    assert isinstance(_refused(_route(up), _call(receiver=BANK)), Unavailable)
    assert len(up.timeouts) == 1


def test_breaker_opens_fails_fast_then_lets_one_trial_through() -> None:
    now = [0.0]
    states: list[BreakerState] = []
    breaker = CircuitBreaker(BreakerPolicy(failures=2, reset_s=10), clock=lambda: now[0], on_change=states.append)
    up = _Upstream(*[grpc.StatusCode.UNAVAILABLE] * 2)
    stage = _route(up, breaker=breaker)
    for _ in range(2):
        assert _refused(stage, _call(receiver=BANK)).reason == "upstream_unavailable"
    assert _refused(stage, _call(receiver=BANK)).reason == "circuit_open"
    assert len(up.timeouts) == 2  # the open circuit did not call the upstream
    now[0] = 11.0
    call = _call(receiver=BANK)
    _run(stage, call)  # the half-open trial succeeds and closes the circuit
    assert call.breaker == "half_open"
    assert states == [BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED]


def test_failed_trial_reopens_the_circuit() -> None:
    now = [0.0]
    breaker = CircuitBreaker(BreakerPolicy(failures=1, reset_s=5), clock=lambda: now[0])
    breaker.failure()
    now[0] = 6.0
    assert breaker.allow()
    assert not breaker.allow()  # one trial at a time
    breaker.failure()
    assert breaker.state == BreakerState.OPEN
    assert not breaker.allow()


def test_token_bucket_and_in_flight_limits() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=10, burst=2, clock=lambda: now[0])
    assert [bucket.take(), bucket.take()] == [0.0, 0.0]
    assert bucket.take() == pytest.approx(0.1)
    now[0] = 0.1
    assert bucket.take() == 0.0
    flight = InFlight(1)
    assert flight.enter()
    assert not flight.enter()
    flight.leave()
    assert flight.enter()


def test_admit_refuses_over_the_rate_with_retry_info() -> None:
    now = [0.0]
    stage = Admit({"platform": (TokenBucket(1, 1, clock=lambda: now[0]), InFlight(5))})
    call = _call(caller=PLATFORM)
    _run(stage, call)
    err = _refused(stage, _call(caller=PLATFORM))
    assert isinstance(err, ResourceExhausted)
    assert err.reason == "rate_limited"
    assert err.retry_after_s == pytest.approx(1.0)
    details = rpc_status.status_pb2.Status.FromString(dict(to_status(err).trailing_metadata)["grpc-status-details-bin"])
    retry = error_details_pb2.RetryInfo()
    assert details.details[1].Unpack(retry)
    assert retry.retry_delay.seconds == 1
    assert len(call.on_finish) == 1  # the in-flight slot is given back when the call completes


def test_status_carries_error_info_and_field_violations_without_values(fake: CoLendingFaker) -> None:
    app = fake.application()
    app.profile.mobile = "12" + app.profile.mobile[2:]
    violations = Validator(clock=lambda: NOW).errors(app)
    status = to_status(InvalidArgument("validation_failed", "1 field violation(s)", violations))
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT
    proto = rpc_status.status_pb2.Status.FromString(dict(status.trailing_metadata)["grpc-status-details-bin"])
    info, bad = error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest()
    assert proto.details[0].Unpack(info)
    assert proto.details[1].Unpack(bad)
    assert info.reason == "VALIDATION_FAILED"
    assert info.domain == "coloan.gateway"
    assert [(f.field, f.description) for f in bad.field_violations] == [
        ("profile.mobile", "must be an 11-digit mainland mobile number starting 13-19 [mobile.format]")]
    assert app.profile.mobile not in proto.SerializeToString().decode("utf-8", "replace")


def test_requests_signed_before_the_gateway_started_are_stale(fake: CoLendingFaker) -> None:
    from gateway.signing import PublicKeySet, RequestVerifier, SigningKey, sign_request
    from gateway.stages import VerifySignature

    key = SigningKey.generate("platform/1")
    body = fake.application().SerializeToString()
    headers = sign_request(key, ASSESS.path, body)
    verifier = RequestVerifier("platform", PublicKeySet.of(key))
    signed_at = int(headers["x-coloan-timestamp"])
    fresh = Call(ASSESS, body, tuple(headers.items()), b"pem", "r", caller=PLATFORM)
    _run(VerifySignature({"platform": verifier}, not_before_ms=signed_at), fresh)
    assert fresh.verified is not None
    replay_safe = Call(ASSESS, body, tuple(sign_request(key, ASSESS.path, body).items()), b"pem", "r",
                       caller=PLATFORM)
    err = _refused(VerifySignature({"platform": verifier}, not_before_ms=int(time.time() * 1000) + 60_000),
                   replay_safe)
    assert err.reason == "signature_stale_timestamp"
