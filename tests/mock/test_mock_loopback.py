"""The mock partners behind the real gateway on loopback: journeys, idempotent drawdowns, events, refusals."""

from __future__ import annotations

import asyncio
import json

import grpc
import pytest
from conftest import Configs, Loopback, ledger_path, loopback

from certs import load_credentials
from coloan.v1 import credit_pb2 as c
from gateway.fake import CoLendingFaker
from gateway.mock import Driver, await_events, cases, drive_all
from gateway.sdk import channel_credentials, idempotency_metadata
from gateway.signing import sign_request

pytestmark = pytest.mark.integration
ASSESS = "/coloan.v1.CreditService/AssessCredit"
EVENTS = "/coloan.v1.LoanEventService/PublishLoanStatus"


def test_journeys_through_the_gateway_keep_every_promise(configs: Configs) -> None:
    async def scenario() -> tuple[Loopback, object, set[str]]:
        async with loopback(configs) as dep:
            driver = Driver(dep.credit(), apr_cap_bps=2_400, seed=7, replay_every=3)
            tally = await drive_all(driver, list(cases(CoLendingFaker(7), 12)), concurrency=4)
            missing = await await_events(tally.expected_events, lambda: dep.platform.ledger.ids, 15)
            return dep, tally, missing

    dep, tally, missing = asyncio.run(scenario())
    assert tally.failures == []  # type: ignore[attr-defined]
    assert tally.loans > 0 and tally.replays > 0 and tally.repayments > 0  # type: ignore[attr-defined]
    assert missing == set()
    assert dep.bank.publisher.delivered == dep.platform.ledger.received
    assert dep.platform.ledger.duplicates == 0
    assert len(dep.bank.book) == tally.loans  # type: ignore[attr-defined]  # replays made no second loan


def strong(fake: CoLendingFaker) -> c.LoanApplication:
    app = fake.application()
    p = app.profile
    p.platform_credit_score, p.monthly_income_fen, p.behaviour.active_loans_elsewhere = 760, 2_000_000, 0
    app.requested_amount_fen, app.term_months = 2_000_000, 6
    return app


def test_repeated_drawdown_with_one_idempotency_key_is_one_loan_and_one_event(configs: Configs,
                                                                               fake: CoLendingFaker) -> None:
    app = strong(fake)

    async def scenario() -> tuple[Loopback, list[c.Disbursement]]:
        async with loopback(configs) as dep:
            decision = await dep.credit().AssessCredit(app, timeout=10)
            request = c.DrawdownRequest(
                application_id=app.application_id, decision_id=decision.decision_id,
                borrower_id=app.profile.borrower_id, amount_fen=decision.credit_line_fen, term_months=6,
                platform_share_bps=3_000, disbursement_card=fake.provider.unionpay_card(), sms_otp="123456")
            key = idempotency_metadata(f"dd-{app.application_id}")
            loans = [await dep.credit().Drawdown(request, metadata=key, timeout=10) for _ in range(3)]
            await await_events({f"EVT-{loans[0].loan_id}-0"}, lambda: dep.platform.ledger.ids, 10)
            await asyncio.sleep(0.2)  # a duplicate event, if one were sent, would have arrived too
            return dep, loans

    dep, loans = asyncio.run(scenario())
    assert len({d.loan_id for d in loans}) == 1
    assert len({d.contract.sha256 for d in loans}) == 1 and len(loans[0].contract.sha256) == 32
    assert len(dep.bank.book) == 1
    assert dep.platform.ledger.ids == {f"EVT-{loans[0].loan_id}-0"}
    assert "*" in loans[0].disbursement_card  # the platform sees the card masked by the gateway


async def direct(target: str, party: str, body: bytes, metadata: list[tuple[str, str]], configs: Configs,
                 path: str = ASSESS) -> grpc.aio.AioRpcError:
    creds = channel_credentials(load_credentials(configs.ws.pki_dir, party))
    async with grpc.aio.secure_channel(target, creds) as channel:
        rpc = channel.unary_unary(path, request_serializer=lambda b: b, response_deserializer=lambda b: b)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await rpc(body, metadata=tuple(metadata), timeout=5)
    return raised.value


@pytest.mark.parametrize(("party", "signer", "reason"), [
    ("platform", "platform", "peer certificate refused: not_gateway"),
    ("gateway", "platform", "gateway countersignature refused: missing_signature"),
    ("gateway", None, "gateway countersignature refused: missing_signature"),
])
def test_bank_refuses_calls_that_bypass_the_gateway(configs: Configs, fake: CoLendingFaker, party: str,
                                                    signer: str | None, reason: str) -> None:
    body = fake.application().SerializeToString()
    metadata = [] if signer is None else list(sign_request(configs.ws.signing_key(signer), ASSESS, body).items())

    async def scenario() -> tuple[Loopback, grpc.aio.AioRpcError]:
        async with loopback(configs) as dep:
            return dep, await direct(configs.bank.listen, party, body, metadata, configs)

    dep, error = asyncio.run(scenario())
    assert (error.code(), error.details()) == (grpc.StatusCode.UNAUTHENTICATED, reason)
    assert not dep.bank.bank.served  # the servicer never ran


def test_platform_refuses_events_that_bypass_the_gateway(configs: Configs, fake: CoLendingFaker) -> None:
    body = fake.loan_status().SerializeToString()
    metadata = list(sign_request(configs.ws.signing_key("bank"), EVENTS, body).items())

    async def scenario() -> tuple[Loopback, grpc.aio.AioRpcError]:
        async with loopback(configs) as dep:
            return dep, await direct(configs.platform.listen, "bank", body, metadata, configs, EVENTS)

    dep, error = asyncio.run(scenario())
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED and "not_gateway" in (error.details() or "")
    assert not dep.platform.ledger.ids


def test_risk_alerts_name_the_borrower_by_token_and_the_record_keeps_no_evidence(configs: Configs) -> None:
    async def scenario() -> tuple[list[c.LoanApplication], set[str]]:
        todo = list(cases(CoLendingFaker(11), 16))
        async with loopback(configs) as dep:
            tally = await drive_all(Driver(dep.credit(), apr_cap_bps=2_400, seed=11), todo, concurrency=4)
            return [t.application for t in todo], await await_events(tally.expected_events,
                                                                     lambda: dep.platform.ledger.ids, 15)

    apps, missing = asyncio.run(scenario())
    assert missing == set()
    lines = [json.loads(line) for line in ledger_path(configs).read_text().splitlines()]
    alerts = [line for line in lines if line["kind"] == "alert"]
    assert alerts, "seed 11 approves risky borrowers"
    assert all(a["borrower_token"].startswith("tok_") and a["caller"] == "bank" for a in alerts)
    text = ledger_path(configs).read_text()
    for app in apps:
        assert app.profile.borrower_id not in text and app.profile.full_name not in text
    assert "evidence" not in text and "reason codes" not in text
