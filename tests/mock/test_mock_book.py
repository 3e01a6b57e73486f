"""The loan book: one loan per idempotency key, drawdowns checked against decisions, repayments applied once."""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from coloan.v1 import credit_pb2 as c
from gateway.mock import Applicant, LoanBook, assess
from gateway.mock import _errors as err
from gateway.mock._book import contract_document

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
CARD = "6222020200112345678"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def sequential_ids() -> object:
    counter = itertools.count(1)
    return lambda prefix: f"{prefix}{next(counter):04d}"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def book(clock: Clock) -> LoanBook:
    return LoanBook(clock, sequential_ids())  # type: ignore[arg-type]


def approved(book: LoanBook, line: int = 5_000_000) -> c.DrawdownRequest:
    decided = book.decide("APP1", "U1", assess(Applicant(720, 1_500_000, 0, line, 12), 2_400))
    assert decided.assessment.approved
    return c.DrawdownRequest(application_id="APP1", decision_id=decided.decision_id, borrower_id="U1",
                             amount_fen=decided.assessment.credit_line_fen, term_months=6, platform_share_bps=3_000)


def test_same_idempotency_key_returns_the_same_loan(book: LoanBook) -> None:
    request = approved(book)
    first, new = book.drawdown("dd-1", request, CARD)
    again, new_again = book.drawdown("dd-1", request, CARD)
    assert (new, new_again) == (True, False)
    assert again is first and again.disbursement == first.disbursement
    assert len(book) == 1


def test_a_key_reused_for_a_different_drawdown_is_refused(book: LoanBook) -> None:
    request = approved(book)
    book.drawdown("dd-1", request, CARD)
    changed = c.DrawdownRequest()
    changed.CopyFrom(request)
    changed.amount_fen -= 100
    with pytest.raises(err.KeyReused):
        book.drawdown("dd-1", changed, CARD)
    assert len(book) == 1


def test_a_decision_is_drawn_down_once_whatever_the_key(book: LoanBook) -> None:
    request = approved(book)
    book.drawdown("dd-1", request, CARD)
    with pytest.raises(err.AlreadyDrawn):
        book.drawdown("dd-2", request, CARD)
    assert len(book) == 1


@pytest.mark.parametrize(("change", "error"), [
    ({"decision_id": "DEC-unknown"}, err.UnknownDecision),
    ({"borrower_id": "U2"}, err.UnknownDecision),
    ({"application_id": "APP2"}, err.UnknownDecision),
    ({"amount_fen": 5_000_100}, err.OverLine),
    ({"platform_share_bps": 2_999}, err.Malformed),
])
def test_drawdowns_that_do_not_match_an_approval_are_refused(book: LoanBook, change: dict[str, object],
                                                              error: type[err.LendingError]) -> None:
    request = approved(book)
    for name, value in change.items():
        setattr(request, name, value)
    with pytest.raises(error):
        book.drawdown("dd-1", request, CARD)
    assert len(book) == 0


def test_a_declined_decision_cannot_be_drawn_down(book: LoanBook) -> None:
    decided = book.decide("APP1", "U1", assess(Applicant(400, 1_500_000, 0, 100_000, 12), 2_400))
    request = c.DrawdownRequest(application_id="APP1", decision_id=decided.decision_id, borrower_id="U1",
                                amount_fen=0, term_months=6, platform_share_bps=3_000)
    with pytest.raises(err.NotApproved):
        book.drawdown("dd-1", request, CARD)


def test_a_loan_carries_split_schedule_and_the_digest_of_its_contract(book: LoanBook) -> None:
    request = approved(book)
    loan, _ = book.drawdown("dd-1", request, CARD)
    d = loan.disbursement
    assert (d.principal_fen, d.bank_share_fen, d.platform_share_fen) == (5_000_000, 3_500_000, 1_500_000)
    assert (d.apr_bps, len(d.schedule), d.disbursement_card) == (720, 6, CARD)
    assert sum(i.principal_fen for i in d.schedule) == d.principal_fen
    assert d.contract.contract_id == f"ECT-{d.loan_id}"
    assert d.contract.sha256 == hashlib.sha256(contract_document(d, "U1", 6)).digest()
    assert b"principal_fen 5000000" in contract_document(d, "U1", 6)


def test_repayments_lower_the_outstanding_principal_once_per_transaction(book: LoanBook) -> None:
    loan, _ = book.drawdown("dd-1", approved(book), CARD)
    first = loan.disbursement.schedule[0]
    notice = c.RepaymentNotice(loan_id=loan.loan_id, transaction_id="T1", installment_seq=1,
                               amount_fen=first.total_fen)
    _, changed = book.repay(notice)
    _, changed_again = book.repay(notice)
    assert (changed, changed_again) == (True, False)
    assert loan.outstanding() == loan.disbursement.principal_fen - first.principal_fen
    assert (loan.version, loan.paid) == (1, {1: first.total_fen})


def test_a_partly_paid_installment_is_still_owed(book: LoanBook) -> None:
    loan, _ = book.drawdown("dd-1", approved(book), CARD)
    book.repay(c.RepaymentNotice(loan_id=loan.loan_id, transaction_id="T1", installment_seq=1, amount_fen=100))
    assert loan.outstanding() == loan.disbursement.principal_fen


def test_paying_every_installment_pays_the_loan_off(book: LoanBook, clock: Clock) -> None:
    loan, _ = book.drawdown("dd-1", approved(book), CARD)
    for i in loan.disbursement.schedule:
        book.repay(c.RepaymentNotice(loan_id=loan.loan_id, transaction_id=f"T{i.seq}", installment_seq=i.seq,
                                     amount_fen=i.total_fen))
    assert loan.state(clock()) == (c.LOAN_STATE_PAID_OFF, 0)
    assert loan.outstanding() == 0


def test_an_unpaid_installment_past_its_due_date_makes_the_loan_overdue(book: LoanBook, clock: Clock) -> None:
    loan, _ = book.drawdown("dd-1", approved(book), CARD)
    assert loan.state(clock()) == (c.LOAN_STATE_ACTIVE, 0)
    due = loan.disbursement.schedule[0].due_at.ToDatetime(tzinfo=UTC)
    clock.now = due + timedelta(days=3, hours=1)
    assert loan.state(clock()) == (c.LOAN_STATE_OVERDUE, 3)


def test_unknown_loans_and_installments_are_not_found(book: LoanBook) -> None:
    loan, _ = book.drawdown("dd-1", approved(book), CARD)
    with pytest.raises(err.UnknownLoan):
        book.loan("LN-nope")
    with pytest.raises(err.UnknownLoan):
        book.repay(c.RepaymentNotice(loan_id=loan.loan_id, transaction_id="T9", installment_seq=99, amount_fen=1))
    assert loan.version == 0
