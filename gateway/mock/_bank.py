"""The mock bank's ``CreditService``: decides, funds, books repayments, and tells the platform.

Requests arrive already masked for the BANK audience; the fields encrypted for the
bank are opened with its exported key material before anything is decided. Events
go to a ``Publisher`` and leave after the response, off the request path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NoReturn, TypeVar

from google.protobuf.message import Message

from coloan.v1 import credit_pb2 as c
from coloan.v1 import credit_pb2_grpc
from gateway.mock import _errors as err
from gateway.mock._book import LoanBook, LoanRecord, timestamp
from gateway.mock._events import BorrowerTokens, Publisher, risk_alert, status_update
from gateway.mock._lending import Applicant, assess, is_risky
from gateway.sdk import FieldDecryptor, FieldNotDecrypted, current_forward
from gateway.validation import resident_id_checksum_ok

M = TypeVar("M", bound=Message)
MODEL_VERSION = "mock-bank-1"


def identity_ok(resident_id: str, date_of_birth: str) -> bool:
    """The decrypted resident id is well formed and carries the stated date of birth."""
    return len(resident_id) == 18 and resident_id_checksum_ok(resident_id) and \
        resident_id[6:14] == date_of_birth.replace("-", "")


def applicant(app: c.LoanApplication) -> Applicant:
    """What the policy looks at, from an application whose bank-encrypted fields are open."""
    p = app.profile
    return Applicant(score=p.platform_credit_score, monthly_income_fen=p.monthly_income_fen,
                     active_loans=p.behaviour.active_loans_elsewhere, requested_fen=app.requested_amount_fen,
                     term_months=app.term_months, identity_ok=identity_ok(p.resident_id, p.date_of_birth))


def loan_message(loan: LoanRecord, now: datetime) -> c.Loan:
    state, late = loan.state(now)
    d = loan.disbursement
    return c.Loan(loan_id=loan.loan_id, state=state, principal_fen=d.principal_fen,
                  outstanding_principal_fen=loan.outstanding(), days_past_due=late, apr_bps=d.apr_bps,
                  schedule=d.schedule, paid_fen=loan.paid)


class MockBank(credit_pb2_grpc.CreditServiceServicer):
    """Serve behind the gateway with ``add_gateway_only_servicer``; ``served`` counts admitted calls per method."""

    def __init__(self, book: LoanBook, decryptor: FieldDecryptor, tokens: BorrowerTokens, publisher: Publisher,
                 *, apr_cap_bps: int, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._book, self._decryptor, self._tokens = book, decryptor, tokens
        self._publisher, self._cap, self._now = publisher, apr_cap_bps, now
        self.served: Counter[str] = Counter()

    async def AssessCredit(self, request: c.LoanApplication, context: Any) -> c.CreditDecision:
        return await self._serve("AssessCredit", context, lambda: self._assess(request))

    async def Drawdown(self, request: c.DrawdownRequest, context: Any) -> c.Disbursement:
        return await self._serve("Drawdown", context, lambda: self._drawdown(request))

    async def ReportRepayment(self, request: c.RepaymentNotice, context: Any) -> c.RepaymentAck:
        return await self._serve("ReportRepayment", context, lambda: self._repay(request))

    async def GetLoan(self, request: c.GetLoanRequest, context: Any) -> c.Loan:
        return await self._serve("GetLoan", context, lambda: loan_message(self._book.loan(request.loan_id),
                                                                          self._now()))

    async def _serve(self, method: str, context: Any, work: Callable[[], M]) -> M:
        """The one place a lending refusal becomes a status."""
        self.served[method] += 1
        try:
            return work()
        except err.LendingError as exc:
            await _abort(context, exc)

    def _open(self, message: M) -> M:
        try:
            return self._decryptor.decrypt(message)
        except FieldNotDecrypted as exc:
            raise err.Malformed(f"{exc.path}: encrypted field does not open") from None

    def _assess(self, request: c.LoanApplication) -> c.CreditDecision:
        a = assess(applicant(self._open(request)), self._cap)
        decided = self._book.decide(request.application_id, request.profile.borrower_id, a)
        return c.CreditDecision(
            application_id=request.application_id, decision_id=decided.decision_id, decision=a.decision,
            credit_line_fen=a.credit_line_fen, apr_bps=a.apr_bps, reason_codes=a.reason_codes,
            bank_internal_score=a.internal_score, model_version=MODEL_VERSION, decided_at=timestamp(self._now()))

    def _drawdown(self, request: c.DrawdownRequest) -> c.Disbursement:
        key = current_forward().idempotency_key
        if not key:
            raise err.Malformed("a drawdown needs an idempotency key")
        card = self._open(request).disbursement_card
        loan, new = self._book.drawdown(key, request, card)
        if new:
            self._publisher.publish(status_update(loan, self._now()))
            if is_risky(loan.decided.assessment.reason_codes):
                self._publisher.publish(risk_alert(loan, self._tokens(loan.decided.borrower_id), self._now()))
        return loan.disbursement

    def _repay(self, request: c.RepaymentNotice) -> c.RepaymentAck:
        loan, changed = self._book.repay(request)
        if changed:
            self._publisher.publish(status_update(loan, self._now()))
        state, _ = loan.state(self._now())
        return c.RepaymentAck(loan_id=loan.loan_id, state=state, outstanding_principal_fen=loan.outstanding())


async def _abort(context: Any, exc: err.LendingError) -> NoReturn:
    await context.abort(exc.code, str(exc))
    raise AssertionError("unreachable")  # abort always raises
