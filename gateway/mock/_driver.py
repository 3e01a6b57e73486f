"""The mock platform's client mode: drive loan applications end to end through the gateway.

One journey per application: assess; for an approval, draw down (some journeys send
the drawdown twice with one idempotency key and expect the same loan), repay a few
installments, read the loan back. Every response is checked against what the
co-lending rules promise, and every call's outcome and latency is kept.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import grpc
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from coloan.v1 import credit_pb2 as c
from coloan.v1 import credit_pb2_grpc
from gateway.fake import CoLendingFaker
from gateway.mock._events import expected_events
from gateway.mock._lending import MIN_PLATFORM_SHARE_BPS
from gateway.mock._rpc import OK, Outcome, outcome
from gateway.sdk import idempotency_metadata

DRAWDOWN = "/coloan.v1.CreditService/Drawdown"


@dataclass(frozen=True)
class Case:
    """One application to drive, with what the platform adds at drawdown."""

    index: int
    application: c.LoanApplication
    card: str


def cases(faker: CoLendingFaker, n: int) -> Iterator[Case]:
    for i in range(n):
        yield Case(i, faker.application(), faker.provider.unionpay_card())


@dataclass(frozen=True)
class CallRecord:
    method: str
    outcome: Outcome
    ms: float


@dataclass
class Tally:
    """Everything the journeys observed; ``failures`` names each broken promise (ids only, no values)."""

    calls: list[CallRecord] = field(default_factory=list)
    decisions: Counter[str] = field(default_factory=Counter)
    checks: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    expected_events: set[str] = field(default_factory=set)
    loans: int = 0
    repayments: int = 0
    replays: int = 0

    def check(self, name: str, ok: bool, where: str) -> bool:
        self.checks[name] += 1
        if not ok:
            self.failures.append(f"{where}: {name}")
        return ok


def _now() -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(datetime.now(UTC))
    return ts


def schedule_checks(d: c.Disbursement) -> dict[str, bool]:
    """What a disbursement promises: exact sums, equal installments, the platform's share, a real digest."""
    principal = sum(i.principal_fen for i in d.schedule)
    totals = [i.total_fen for i in d.schedule]
    return {
        "schedule principal sums to the loan": principal == d.principal_fen,
        "schedule totals sum to principal plus interest":
            sum(totals) == d.principal_fen + sum(i.interest_fen for i in d.schedule),
        "installments equal but the last": len(set(totals[:-1])) <= 1,
        "shares add up to the principal": d.bank_share_fen + d.platform_share_fen == d.principal_fen,
        "platform funds at least 30%": d.platform_share_fen * 10_000 >= d.principal_fen * MIN_PLATFORM_SHARE_BPS,
        "contract has a SHA-256": len(d.contract.sha256) == 32 and bool(d.contract.contract_id),
    }


class Driver:
    """Drives journeys with a ``CreditServiceStub`` on a signing SDK channel (party ``platform``)."""

    def __init__(self, stub: credit_pb2_grpc.CreditServiceStub, *, apr_cap_bps: int, seed: int,
                 replay_every: int = 5, timeout_s: float = 10.0) -> None:
        self._stub, self._cap, self._seed = stub, apr_cap_bps, seed
        self._replay_every, self._timeout = replay_every, timeout_s
        self.tally = Tally()

    async def _call(self, method: str, request: Message, **kw: Any) -> Any:
        start = time.perf_counter()
        result = OK
        try:
            return await getattr(self._stub, method)(request, timeout=self._timeout, **kw)
        except grpc.aio.AioRpcError as exc:
            result = outcome(exc)
            raise
        finally:
            self.tally.calls.append(CallRecord(method, result, (time.perf_counter() - start) * 1000))

    async def drive(self, case: Case) -> None:
        """One journey; a call that fails ends it and is counted as a broken promise."""
        where = case.application.application_id
        try:
            await self._journey(case, random.Random(f"{self._seed}:{case.index}"))  # noqa: S311 (test data)
        except grpc.aio.AioRpcError as exc:
            self.tally.check("every call succeeds", False, f"{where}: {outcome(exc)}")

    async def _journey(self, case: Case, rng: random.Random) -> None:
        app, where = case.application, case.application.application_id
        decision = await self._call("AssessCredit", app)
        self.tally.decisions[c.Decision.Name(decision.decision)] += 1
        self._check_decision(app, decision)
        if decision.decision != c.DECISION_APPROVE:
            return
        request = c.DrawdownRequest(
            application_id=app.application_id, decision_id=decision.decision_id,
            borrower_id=app.profile.borrower_id, amount_fen=decision.credit_line_fen, term_months=app.term_months,
            platform_share_bps=rng.choice((3_000, 3_500, 4_000, 5_000)), disbursement_card=case.card,
            sms_otp=f"{rng.randrange(1_000_000):06d}")
        loan = await self._drawdown(case, request)
        for name, ok in schedule_checks(loan).items():
            self.tally.check(name, ok, where)
        self.tally.check("card masked for the platform", "*" in loan.disbursement_card, where)
        paid = await self._repay(loan, rng.randint(0, min(3, len(loan.schedule))), case.card)
        await self._read_back(loan, paid, where)
        self.tally.expected_events |= expected_events(loan.loan_id, len(paid), decision.reason_codes)

    def _check_decision(self, app: c.LoanApplication, d: c.CreditDecision) -> None:
        where = app.application_id
        self.tally.check("decision answers the application", d.application_id == app.application_id, where)
        self.tally.check("APR within the cap", 0 <= d.apr_bps <= self._cap, where)
        self.tally.check("platform sees the bank score as a band", d.bank_internal_score % 100 == 0, where)
        if d.decision == c.DECISION_APPROVE:
            self.tally.check("approval has a line and an APR",
                             0 < d.credit_line_fen <= app.requested_amount_fen and d.apr_bps > 0, where)

    async def _drawdown(self, case: Case, request: c.DrawdownRequest) -> c.Disbursement:
        key = idempotency_metadata(f"dd-{request.application_id}")
        loan: c.Disbursement = await self._call("Drawdown", request, metadata=key)
        self.tally.loans += 1
        if case.index % self._replay_every == 0:
            again: c.Disbursement = await self._call("Drawdown", request, metadata=key)
            self.tally.replays += 1
            self.tally.check("same idempotency key, same loan", again.loan_id == loan.loan_id
                             and again.contract.sha256 == loan.contract.sha256, request.application_id)
        return loan

    async def _repay(self, loan: c.Disbursement, count: int, card: str) -> dict[int, int]:
        paid: dict[int, int] = {}
        for item in loan.schedule[:count]:
            notice = c.RepaymentNotice(loan_id=loan.loan_id, transaction_id=f"TXN-{loan.loan_id}-{item.seq}",
                                       installment_seq=item.seq, amount_fen=item.total_fen, paid_at=_now(),
                                       repayment_card=card)
            ack: c.RepaymentAck = await self._call("ReportRepayment", notice)
            paid[item.seq] = item.total_fen
            self.tally.repayments += 1
            owed = loan.principal_fen - sum(i.principal_fen for i in loan.schedule if i.seq in paid)
            self.tally.check("repayment lowers the outstanding principal", ack.outstanding_principal_fen == owed,
                             loan.loan_id)
        return paid

    async def _read_back(self, loan: c.Disbursement, paid: dict[int, int], where: str) -> None:
        got: c.Loan = await self._call("GetLoan", c.GetLoanRequest(loan_id=loan.loan_id))
        self.tally.check("loan shows every repayment", dict(got.paid_fen) == paid, where)
        state = c.LOAN_STATE_PAID_OFF if len(paid) == len(loan.schedule) else c.LOAN_STATE_ACTIVE
        self.tally.check("loan state follows the repayments", got.state == state, where)


async def drive_all(driver: Driver, todo: Iterable[Case], *, concurrency: int = 8,
                    advance: Callable[[], None] = lambda: None) -> Tally:
    """Every case, ``concurrency`` journeys at a time, generated as they are needed; ``advance`` after each."""
    shared = iter(todo)

    async def worker() -> None:
        for case in shared:
            await driver.drive(case)
            advance()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return driver.tally


async def await_events(expected: set[str], received: Callable[[], set[str]], timeout_s: float = 20.0,
                       poll_s: float = 0.05) -> set[str]:
    """Wait until every expected event id was received; returns the ones still missing at the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        missing = expected - received()
        if not missing or time.monotonic() >= deadline:
            return missing
        await asyncio.sleep(poll_s)
