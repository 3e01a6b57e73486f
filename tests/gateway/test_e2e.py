"""The gateway end to end on loopback: real mTLS, real signatures, the SDK on both sides."""

from __future__ import annotations

import contextlib

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from harness import SLOW_AMOUNT_FEN, Deployment, rpc_error

from coloan.policy.v1 import options_pb2 as opts
from coloan.v1 import credit_pb2 as c
from coloan.v1 import credit_pb2_grpc, events_pb2_grpc
from gateway._workspace import Workspace, create
from gateway.fake import CoLendingFaker
from gateway.sdk import FieldDecryptor, idempotency_metadata
from masking import Engine, Keyring

pytestmark = pytest.mark.integration
ASSESS = "/coloan.v1.CreditService/AssessCredit"


@pytest.fixture
def faker() -> CoLendingFaker:
    return CoLendingFaker(99)


def _details(err: grpc.aio.AioRpcError) -> tuple[str, list[tuple[str, str]]]:
    status = rpc_status.from_call(err)
    assert status is not None
    info, bad, violations = error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest(), []
    for detail in status.details:
        if detail.Is(info.DESCRIPTOR):
            detail.Unpack(info)
        elif detail.Is(bad.DESCRIPTOR):
            detail.Unpack(bad)
            violations = [(v.field, v.description) for v in bad.field_violations]
    return info.reason, violations


def test_assess_credit_masks_both_ways_and_bank_decrypts(dep: Deployment, ws: Workspace,
                                                          faker: CoLendingFaker) -> None:
    app = faker.application()
    decision = dep.call("platform", credit_pb2_grpc.CreditServiceStub, "AssessCredit", app)
    assert decision.decision == c.DECISION_APPROVE
    assert decision.bank_internal_score == 500  # the platform sees the band only
    name, seen = dep.bank.seen.received[-1]
    assert name == "AssessCredit"
    assert dep.bank.seen.callers[-1] == "platform"
    assert seen.profile.resident_id != app.profile.resident_id  # encrypted for the bank
    assert seen.profile.device_id.startswith("tok_")
    assert seen.profile.work_address != app.profile.work_address
    opened = FieldDecryptor(Keyring.load(ws.keys_dir).export(opts.BANK), opts.BANK).decrypt(seen)
    assert opened.profile.resident_id == app.profile.resident_id
    assert opened.profile.mobile == app.profile.mobile
    assert opened.profile.residential_address.street == app.profile.residential_address.street


def test_drawdown_needs_an_idempotency_key_and_drops_c3(dep: Deployment, faker: CoLendingFaker) -> None:
    request = faker.drawdown()
    err = rpc_error(lambda: dep.raw("/coloan.v1.CreditService/Drawdown", request.SerializeToString(),
                                    dep.signed("/coloan.v1.CreditService/Drawdown", request.SerializeToString())))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _details(err)[0] == "IDEMPOTENCY_KEY_MISSING"
    disbursement = dep.call("platform", credit_pb2_grpc.CreditServiceStub, "Drawdown", request,
                            metadata=idempotency_metadata("dd-1"))
    assert disbursement.disbursement_card == "622202*********5678"  # masked for the platform
    name, seen = dep.bank.seen.received[-1]
    assert (name, seen.sms_otp) == ("Drawdown", "")  # C3 never leaves


def test_invalid_message_gets_field_violations_without_values(dep: Deployment, faker: CoLendingFaker) -> None:
    app = faker.application()
    app.profile.mobile = "12" + app.profile.mobile[2:]
    err = rpc_error(lambda: dep.call("platform", credit_pb2_grpc.CreditServiceStub, "AssessCredit", app))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    reason, violations = _details(err)
    assert reason == "VALIDATION_FAILED"
    assert violations == [("profile.mobile", "must be an 11-digit mainland mobile number starting 13-19 "
                                             "[mobile.format]")]
    assert app.profile.mobile not in (err.details() or "")


@pytest.mark.parametrize(("edit", "reason"), [
    (lambda a: a.profile.ClearField("consent"), "CONSENT_MISSING"),
    (lambda a: setattr(a.profile.consent, "recipient", "another-bank"), "CONSENT_RECIPIENT"),
])
def test_missing_or_foreign_consent_is_refused(dep: Deployment, faker: CoLendingFaker, edit: object,
                                               reason: str) -> None:
    app = faker.application()
    edit(app)  # type: ignore[operator]
    before = len(dep.bank.seen.received)
    err = rpc_error(lambda: dep.call("platform", credit_pb2_grpc.CreditServiceStub, "AssessCredit", app))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert _details(err)[0] == reason
    assert len(dep.bank.seen.received) == before


def test_upstream_status_is_relayed_by_code_without_its_message(dep: Deployment) -> None:
    err = rpc_error(lambda: dep.call("platform", credit_pb2_grpc.CreditServiceStub, "GetLoan",
                                     c.GetLoanRequest(loan_id="missing")))
    assert err.code() == grpc.StatusCode.NOT_FOUND
    assert "secret" not in (err.details() or "")


def test_upstream_deadline_is_propagated(dep: Deployment, faker: CoLendingFaker) -> None:
    app = faker.application()
    app.requested_amount_fen = SLOW_AMOUNT_FEN
    err = rpc_error(lambda: dep.call("platform", credit_pb2_grpc.CreditServiceStub, "AssessCredit", app,
                                     timeout=1.0))
    assert err.code() == grpc.StatusCode.DEADLINE_EXCEEDED


def test_bank_publishes_events_to_the_platform(dep: Deployment, faker: CoLendingFaker) -> None:
    update = faker.loan_status()
    ack = dep.call("bank", events_pb2_grpc.LoanEventServiceStub, "PublishLoanStatus", update)
    assert ack.accepted
    assert dep.platform.seen.received[-1] == ("PublishLoanStatus", update)
    alert = faker.risk_alert()
    assert dep.call("bank", events_pb2_grpc.LoanEventServiceStub, "PublishRiskAlert", alert).accepted


def test_every_call_leaves_one_access_line(dep: Deployment, faker: CoLendingFaker) -> None:
    before = len(dep.access_log())
    dep.call("platform", credit_pb2_grpc.CreditServiceStub, "AssessCredit", faker.application())
    lines = dep.access_log()
    assert len(lines) == before + 1
    line = lines[-1]
    assert line["status"] == "OK"
    assert line["caller"] == "platform"
    assert line["spiffe_id"] == "spiffe://coloan.local/platform/platform"
    assert line["method"] == ASSESS
    assert line["audience"] == "BANK"
    assert line["signature"]["result"] == "valid"
    assert line["replay"] == "fresh"
    assert line["masked"]["encrypt"] >= 3
    assert line["masked_response"]["generalize"] == 1
    assert line["upstream_ms"] > 0
    assert len(line["cert_sha256"]) == 64
    assert line["policy_version"] == dep.gateway.policy_version  # type: ignore[union-attr]


def test_upstream_down_is_unavailable_not_a_hang(tmp_path_factory: pytest.TempPathFactory,
                                                 faker: CoLendingFaker) -> None:
    dep = Deployment(create(tmp_path_factory.mktemp("down") / "ws"), bank_up=False).start()
    try:
        err = rpc_error(lambda: dep.call("platform", credit_pb2_grpc.CreditServiceStub, "AssessCredit",
                                         faker.application(), timeout=5))
        assert err.code() == grpc.StatusCode.UNAVAILABLE
        assert _details(err)[0] == "UPSTREAM_UNAVAILABLE"
    finally:
        dep.stop()


def _personal_values(message: object) -> list[str]:
    """Every string value in a message that a log must never carry (identifiers of the wire aside)."""
    from google.protobuf.message import Message

    out: list[str] = []
    assert isinstance(message, Message)
    for fd, value in message.ListFields():
        values = value if fd.is_repeated else [value]
        for v in values:
            if isinstance(v, Message):
                out += _personal_values(v)
            elif isinstance(v, str) and fd.name not in ("recipient", "model_version") and len(v) >= 4:
                out.append(v)
    return out


def test_access_log_never_carries_a_personal_value(dep: Deployment, faker: CoLendingFaker) -> None:
    sent: list[object] = []
    for i in range(20):
        app = faker.application()
        if i % 5 == 4:
            app.profile.mobile = "12" + app.profile.mobile[2:]  # refused, with violations
        sent.append(app)
        with contextlib.suppress(grpc.aio.AioRpcError):
            dep.call("platform", credit_pb2_grpc.CreditServiceStub, "AssessCredit", app)
        draw = faker.drawdown()
        sent.append(draw)
        dep.call("platform", credit_pb2_grpc.CreditServiceStub, "Drawdown", draw,
                 metadata=idempotency_metadata(f"dd-log-{i}"))
        alert = faker.risk_alert()
        sent.append(alert)
        dep.call("bank", events_pb2_grpc.LoanEventServiceStub, "PublishRiskAlert", alert)
    log = dep.ws.access_log.read_text()
    engine = Engine(Keyring.ephemeral())
    hidden: set[str] = set()
    for message in sent:
        masked, _ = engine.plan(message.DESCRIPTOR, opts.LOG).masked(message)  # type: ignore[attr-defined]
        hidden |= set(_personal_values(message)) - set(_personal_values(masked))
    assert len(hidden) > 200  # names, ID numbers, mobiles, cards, addresses, devices, IPs, evidence
    assert sorted(v for v in hidden if v in log) == []
