"""The mock bank's loan book: decisions it made, loans it funded, repayments it received.

One asyncio loop owns a book and no method awaits, so check-then-record is atomic:
two drawdowns with the same idempotency key can never both create a loan.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from coloan.v1 import credit_pb2 as c
from gateway.fake import amortize
from gateway.mock import _errors as err
from gateway.mock._lending import MIN_PLATFORM_SHARE_BPS, Assessment, split

Ids = Callable[[str], str]


def random_id(prefix: str) -> str:
    return prefix + secrets.token_hex(8).upper()


def timestamp(when: datetime) -> Timestamp:
    """``when`` as a protobuf Timestamp."""
    ts = Timestamp()
    ts.FromDatetime(when)
    return ts


@dataclass(frozen=True)
class Decided:
    """A decision the bank remembers, so a drawdown can be checked against it."""

    decision_id: str
    application_id: str
    borrower_id: str
    assessment: Assessment


@dataclass
class LoanRecord:
    """One funded loan and what has been paid on it; ``version`` counts its status changes."""

    disbursement: c.Disbursement
    decided: Decided
    paid: dict[int, int] = field(default_factory=dict)
    transactions: set[str] = field(default_factory=set)
    version: int = 0

    @property
    def loan_id(self) -> str:
        return self.disbursement.loan_id

    def outstanding(self) -> int:
        """Principal not yet repaid: the principal of every installment not paid in full."""
        return sum(i.principal_fen for i in self.disbursement.schedule if self.paid.get(i.seq, 0) < i.total_fen)

    def state(self, now: datetime) -> tuple[c.LoanState, int]:
        """``(LoanState, days past due)``: paid off, overdue since the first unpaid due date, or active."""
        unpaid = [i for i in self.disbursement.schedule if self.paid.get(i.seq, 0) < i.total_fen]
        if not unpaid:
            return c.LOAN_STATE_PAID_OFF, 0
        late = (now - unpaid[0].due_at.ToDatetime(tzinfo=now.tzinfo)).days
        return (c.LOAN_STATE_OVERDUE, late) if late > 0 else (c.LOAN_STATE_ACTIVE, 0)


def contract_document(d: c.Disbursement, borrower_id: str, term_months: int) -> bytes:
    """The text of the e-contract the borrower signs; its SHA-256 is what travels."""
    lines = [
        "个人消费贷款联合贷款合同 (co-lending consumer loan contract)",
        f"loan {d.loan_id}", f"application {d.application_id}", f"borrower {borrower_id}",
        f"principal_fen {d.principal_fen}", f"bank_share_fen {d.bank_share_fen}",
        f"platform_share_fen {d.platform_share_fen}", f"apr_bps {d.apr_bps}", f"term_months {term_months}",
        *(f"installment {i.seq} due {i.due_at.ToJsonString()} principal {i.principal_fen} "
          f"interest {i.interest_fen} total {i.total_fen}" for i in d.schedule),
    ]
    return "\n".join(lines).encode()


def disburse(loan_id: str, request: c.DrawdownRequest, card: str, decided: Decided, at: datetime) -> c.Disbursement:
    """The disbursement of a new loan: split, schedule, then the contract over all of it."""
    bank, platform = split(request.amount_fen, request.platform_share_bps)
    apr = decided.assessment.apr_bps
    d = c.Disbursement(
        loan_id=loan_id, application_id=request.application_id, principal_fen=request.amount_fen,
        bank_share_fen=bank, platform_share_fen=platform, apr_bps=apr, disbursement_card=card,
        disbursed_at=timestamp(at), schedule=amortize(request.amount_fen, apr, request.term_months, at),
    )
    document = contract_document(d, decided.borrower_id, request.term_months)
    d.contract.CopyFrom(c.EContract(contract_id=f"ECT-{loan_id}", sha256=hashlib.sha256(document).digest(),
                                    signed_at=timestamp(at)))
    return d


def _fingerprint(r: c.DrawdownRequest) -> tuple[object, ...]:
    """What makes two drawdowns the same request (the forwarded bytes differ: encryption is randomized)."""
    return (r.application_id, r.decision_id, r.borrower_id, r.amount_fen, r.term_months, r.platform_share_bps)


class LoanBook:
    """Decisions, loans and idempotency keys of one mock bank, in memory."""

    def __init__(self, now: Callable[[], datetime], ids: Ids = random_id) -> None:
        self._now = now
        self._ids = ids
        self._decisions: dict[str, Decided] = {}
        self._loans: dict[str, LoanRecord] = {}
        self._by_key: dict[str, tuple[tuple[object, ...], str]] = {}
        self._by_decision: dict[str, str] = {}

    def decide(self, application_id: str, borrower_id: str, assessment: Assessment) -> Decided:
        decided = Decided(self._ids("DEC"), application_id, borrower_id, assessment)
        self._decisions[decided.decision_id] = decided
        return decided

    def drawdown(self, key: str, request: c.DrawdownRequest, card: str) -> tuple[LoanRecord, bool]:
        """The loan for this idempotency key: the one made before (``False``) or a new one (``True``)."""
        if key in self._by_key:
            fingerprint, loan_id = self._by_key[key]
            if fingerprint != _fingerprint(request):
                raise err.KeyReused("idempotency key already used for a different drawdown")
            return self._loans[loan_id], False
        decided = self._approved(request)
        loan = LoanRecord(disburse(self._ids("LN"), request, card, decided, self._now()), decided)
        self._loans[loan.loan_id] = loan
        self._by_key[key] = (_fingerprint(request), loan.loan_id)
        self._by_decision[decided.decision_id] = loan.loan_id
        return loan, True

    def _approved(self, request: c.DrawdownRequest) -> Decided:
        decided = self._decisions.get(request.decision_id)
        if decided is None or (decided.application_id, decided.borrower_id) != (
                request.application_id, request.borrower_id):
            raise err.UnknownDecision(f"no decision {request.decision_id} for this application and borrower")
        if not MIN_PLATFORM_SHARE_BPS <= request.platform_share_bps <= 10_000:
            raise err.Malformed("the platform funds at least 30% of each loan")
        if not decided.assessment.approved:
            raise err.NotApproved(f"decision {request.decision_id} is not an approval")
        if request.amount_fen > decided.assessment.credit_line_fen:
            raise err.OverLine("the amount exceeds the approved credit line")
        if request.decision_id in self._by_decision:
            raise err.AlreadyDrawn(f"decision {request.decision_id} was drawn down under another idempotency key")
        return decided

    def repay(self, notice: c.RepaymentNotice) -> tuple[LoanRecord, bool]:
        """Apply a repayment once per transaction id; ``True`` when it changed the loan."""
        loan = self.loan(notice.loan_id)
        if notice.transaction_id in loan.transactions:
            return loan, False
        if not any(i.seq == notice.installment_seq for i in loan.disbursement.schedule):
            raise err.UnknownLoan(f"loan {notice.loan_id} has no installment {notice.installment_seq}")
        loan.transactions.add(notice.transaction_id)
        loan.paid[notice.installment_seq] = loan.paid.get(notice.installment_seq, 0) + notice.amount_fen
        loan.version += 1
        return loan, True

    def loan(self, loan_id: str) -> LoanRecord:
        loan = self._loans.get(loan_id)
        if loan is None:
            raise err.UnknownLoan(f"no loan {loan_id}")
        return loan

    @property
    def decisions(self) -> int:
        return len(self._decisions)

    def __len__(self) -> int:
        """How many loans the book holds."""
        return len(self._loans)
