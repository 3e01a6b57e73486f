"""Post-loan events: what the bank tells the platform, and the queue that delivers them off the request path.

Event ids are derived from the loan (``EVT-<loan>-<version>``, ``ALR-<loan>``), so a
retried delivery is recognisably the same event and the platform can tell exactly
which events it should have received.
"""

from __future__ import annotations

import asyncio
import hmac
from base64 import b32encode
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol

import grpc

from coloan.v1 import events_pb2 as e
from coloan.v1 import events_pb2_grpc
from gateway.mock._book import LoanRecord, timestamp
from gateway.mock._lending import WARN_ELEVATED_RISK, WARN_MULTI_LENDING, is_risky
from gateway.sdk import PartnerChannel, SdkError

Event = e.LoanStatusUpdate | e.RiskAlert
RETRIED = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})


def status_event_id(loan_id: str, version: int) -> str:
    return f"EVT-{loan_id}-{version}"


def alert_id(loan_id: str) -> str:
    return f"ALR-{loan_id}"


def expected_events(loan_id: str, repayments: int, reason_codes: Iterable[str]) -> set[str]:
    """The events the platform should receive for a loan: one status per change, one alert if risky."""
    ids = {status_event_id(loan_id, v) for v in range(repayments + 1)}
    return ids | {alert_id(loan_id)} if is_risky(reason_codes) else ids


class BorrowerTokens:
    """The bank's keyed pseudonym of a borrower: ``tok_`` + base32 of an HMAC-SHA-256, never the raw id."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("a borrower token key has at least 32 bytes")
        self._key = key

    def __call__(self, borrower_id: str) -> str:
        mac = hmac.digest(self._key, borrower_id.encode(), "sha256")
        return "tok_" + b32encode(mac[:15]).decode().lower()


def status_update(loan: LoanRecord, now: datetime) -> e.LoanStatusUpdate:
    state, late = loan.state(now)
    return e.LoanStatusUpdate(event_id=status_event_id(loan.loan_id, loan.version), loan_id=loan.loan_id,
                              state=state, days_past_due=late, outstanding_principal_fen=loan.outstanding(),
                              updated_at=timestamp(now))


def risk_alert(loan: LoanRecord, token: str, now: datetime) -> e.RiskAlert:
    """The alert for a risky approval: multi-lending if the borrower owes elsewhere, else overdue risk."""
    codes = loan.decided.assessment.reason_codes
    multi = WARN_MULTI_LENDING in codes
    severity = e.SEVERITY_HIGH if multi and WARN_ELEVATED_RISK in codes else e.SEVERITY_MEDIUM
    return e.RiskAlert(alert_id=alert_id(loan.loan_id), loan_id=loan.loan_id,
                       type=e.RISK_ALERT_TYPE_MULTI_LENDING if multi else e.RISK_ALERT_TYPE_OVERDUE_RISK,
                       severity=severity, borrower_token=token, evidence="reason codes: " + ", ".join(codes),
                       raised_at=timestamp(now))


def kind(event: Event) -> str:
    return "status" if isinstance(event, e.LoanStatusUpdate) else "alert"


class EventSink(Protocol):
    """Where events go: one delivery, raising if it did not happen."""

    async def send(self, event: Event) -> None: ...


class MemorySink:
    """The fake sink: keeps what it was sent; the first ``fail`` sends raise UNAVAILABLE-like errors."""

    def __init__(self, fail: int = 0) -> None:
        self.sent: list[Event] = []
        self._fail = fail

    async def send(self, event: Event) -> None:
        if self._fail > 0:
            self._fail -= 1
            raise ConnectionError("sink unavailable")
        self.sent.append(event)


class GatewaySink:
    """Publishes through the gateway with the partner SDK (signed, response verified)."""

    def __init__(self, channel: PartnerChannel, timeout_s: float = 5.0) -> None:
        self._stub = channel.stub(events_pb2_grpc.LoanEventServiceStub)
        self._timeout = timeout_s

    async def send(self, event: Event) -> None:
        if isinstance(event, e.LoanStatusUpdate):
            ack = await self._stub.PublishLoanStatus(event, timeout=self._timeout)
        else:
            ack = await self._stub.PublishRiskAlert(event, timeout=self._timeout)
        if not ack.accepted:
            raise ConnectionError("the platform did not accept the event")


def _transient(exc: Exception) -> bool:
    if isinstance(exc, grpc.aio.AioRpcError):
        return exc.code() in RETRIED
    return isinstance(exc, ConnectionError | SdkError)


class Publisher:
    """A queue drained by a few background tasks; a transient failure is retried with backoff."""

    def __init__(self, sink: EventSink, *, workers: int = 4, attempts: int = 5, backoff_s: float = 0.1,
                 report: Callable[[str], None] = lambda _: None) -> None:
        self._sink = sink
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._workers, self._attempts, self._backoff = workers, attempts, backoff_s
        self._tasks: list[asyncio.Task[None]] = []
        self._report = report
        self.delivered: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._work()) for _ in range(self._workers)]

    def publish(self, event: Event) -> None:
        """Queue ``event``; returns at once, so the request that caused it is not held up."""
        self._queue.put_nowait(event)

    async def _work(self) -> None:
        while True:
            event = await self._queue.get()
            try:
                await self._deliver(event)
            finally:
                self._queue.task_done()

    async def _deliver(self, event: Event) -> None:
        for attempt in range(self._attempts):
            try:
                await self._sink.send(event)
                self.delivered[kind(event)] += 1
                return
            except Exception as exc:  # a publisher must outlive any one failed delivery
                if not _transient(exc) or attempt == self._attempts - 1:
                    self.failed[kind(event)] += 1
                    self._report(f"event {kind(event)} not delivered: {type(exc).__name__}")
                    return
                await asyncio.sleep(self._backoff * 2**attempt)

    async def close(self, timeout_s: float = 10.0) -> None:
        """Deliver what is queued (within ``timeout_s``), then stop the workers."""
        try:
            await asyncio.wait_for(self._queue.join(), timeout_s)
        except TimeoutError:
            self._report(f"{self._queue.qsize()} events still queued at shutdown")
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
