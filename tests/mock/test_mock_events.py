"""Events off the request path: ids derived from the loan, keyed borrower tokens, a retrying publisher."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import grpc
import pytest

from coloan.v1 import credit_pb2 as c
from coloan.v1 import events_pb2 as e
from gateway.mock import Applicant, LoanBook, MemorySink, Publisher, assess, expected_events
from gateway.mock import _lending as lending
from gateway.mock._events import BorrowerTokens, risk_alert, status_update

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def event(i: int) -> e.LoanStatusUpdate:
    return e.LoanStatusUpdate(event_id=f"EVT-{i}", loan_id="LN1", state=c.LOAN_STATE_ACTIVE)


class Refusing:
    """A sink whose platform refuses for good (not a transient failure)."""

    def __init__(self) -> None:
        self.attempts = 0

    async def send(self, event: object) -> None:
        self.attempts += 1
        raise ValueError("refused")


class Unavailable(grpc.aio.AioRpcError):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(grpc.StatusCode.UNAVAILABLE, grpc.aio.Metadata(), grpc.aio.Metadata())


class FlakyGrpc:
    def __init__(self, failures: int) -> None:
        self.failures, self.sent = failures, list[object]()

    async def send(self, event: object) -> None:
        if self.failures:
            self.failures -= 1
            raise Unavailable()
        self.sent.append(event)


def test_publisher_delivers_everything_queued_before_close() -> None:
    sink = MemorySink()

    async def scenario() -> Publisher:
        publisher = Publisher(sink, workers=3)
        publisher.start()
        for i in range(20):
            publisher.publish(event(i))
        await publisher.close()
        return publisher

    publisher = asyncio.run(scenario())
    assert sorted(ev.event_id for ev in sink.sent) == sorted(f"EVT-{i}" for i in range(20))  # type: ignore[union-attr]
    assert publisher.delivered == {"status": 20} and not publisher.failed


@pytest.mark.parametrize("sink", [MemorySink(fail=2), FlakyGrpc(failures=2)])
def test_publisher_retries_transient_failures(sink: MemorySink | FlakyGrpc) -> None:
    async def scenario() -> Publisher:
        publisher = Publisher(sink, workers=1, backoff_s=0.001)
        publisher.start()
        publisher.publish(event(1))
        await publisher.close()
        return publisher

    publisher = asyncio.run(scenario())
    assert len(sink.sent) == 1 and publisher.delivered == {"status": 1}


def test_publisher_gives_up_on_a_refusal_and_reports_it() -> None:
    sink, reports = Refusing(), list[str]()

    async def scenario() -> Publisher:
        publisher = Publisher(sink, workers=1, backoff_s=0.001, report=reports.append)
        publisher.start()
        publisher.publish(event(1))
        await publisher.close()
        return publisher

    publisher = asyncio.run(scenario())
    assert sink.attempts == 1
    assert publisher.failed == {"status": 1} and not publisher.delivered
    assert reports == ["event status not delivered: ValueError"]


def test_publisher_gives_up_after_its_attempts() -> None:
    sink = MemorySink(fail=10)

    async def scenario() -> Publisher:
        publisher = Publisher(sink, workers=1, attempts=3, backoff_s=0.001)
        publisher.start()
        publisher.publish(event(1))
        await publisher.close()
        return publisher

    publisher = asyncio.run(scenario())
    assert publisher.failed == {"status": 1} and sink.sent == []


def test_borrower_tokens_are_keyed_pseudonyms() -> None:
    tokens, other = BorrowerTokens(b"k" * 32), BorrowerTokens(b"j" * 32)
    token = tokens("U1234567890")
    assert token == tokens("U1234567890") and token.startswith("tok_") and len(token) == 28
    assert "1234567890" not in token
    assert token != tokens("U1234567891") and token != other("U1234567890")
    with pytest.raises(ValueError, match="32 bytes"):
        BorrowerTokens(b"short")


def test_events_of_a_loan_are_named_after_it_and_the_alert_hides_the_borrower() -> None:
    book = LoanBook(lambda: NOW)
    decided = book.decide("APP1", "U1", assess(Applicant(700, 1_500_000, 3, 1_000_000, 12), 2_400))
    request = c.DrawdownRequest(application_id="APP1", decision_id=decided.decision_id, borrower_id="U1",
                                amount_fen=decided.assessment.credit_line_fen, term_months=3,
                                platform_share_bps=3_000)
    loan, _ = book.drawdown("k", request, "6222020200112345678")
    update = status_update(loan, NOW)
    alert = risk_alert(loan, BorrowerTokens(b"k" * 32)("U1"), NOW)
    assert (update.event_id, update.state, update.outstanding_principal_fen) == (
        f"EVT-{loan.loan_id}-0", c.LOAN_STATE_ACTIVE, loan.disbursement.principal_fen)
    assert (alert.alert_id, alert.type) == (f"ALR-{loan.loan_id}", e.RISK_ALERT_TYPE_MULTI_LENDING)
    assert alert.borrower_token.startswith("tok_") and "U1" not in alert.SerializeToString().decode("latin-1")
    assert expected_events(loan.loan_id, 2, list(decided.assessment.reason_codes)) == {
        f"EVT-{loan.loan_id}-0", f"EVT-{loan.loan_id}-1", f"EVT-{loan.loan_id}-2", f"ALR-{loan.loan_id}"}
    assert expected_events("LN9", 0, [lending.WARN_LINE_REDUCED]) == {"EVT-LN9-0"}
