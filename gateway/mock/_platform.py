"""The mock platform's ``LoanEventService``: accepts the bank's events and records what it received.

Each event is recorded once per id (a retried delivery is acknowledged again but
not recorded twice), as a JSON line of ids and codes only: the alert's evidence
text, which may quote personal data, is never written.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import IO, Any

from coloan.v1 import credit_pb2 as c
from coloan.v1 import events_pb2 as e
from coloan.v1 import events_pb2_grpc
from gateway.sdk import current_forward


def record_of(event: e.LoanStatusUpdate | e.RiskAlert, caller: str) -> dict[str, Any]:
    """The line recorded for one event: who sent it through the gateway, which event, its codes."""
    if isinstance(event, e.LoanStatusUpdate):
        return {"kind": "status", "id": event.event_id, "loan_id": event.loan_id, "caller": caller,
                "state": c.LoanState.Name(event.state), "days_past_due": event.days_past_due,
                "outstanding_principal_fen": event.outstanding_principal_fen}
    return {"kind": "alert", "id": event.alert_id, "loan_id": event.loan_id, "caller": caller,
            "type": e.RiskAlertType.Name(event.type), "severity": e.Severity.Name(event.severity),
            "borrower_token": event.borrower_token}


class EventLedger:
    """The events received, by id, optionally appended to a JSON-lines file (flushed per line)."""

    def __init__(self, path: Path | None = None) -> None:
        self.ids: set[str] = set()
        self.received: Counter[str] = Counter()
        self.duplicates = 0
        self._out: IO[str] | None = None if path is None else path.open("a", encoding="utf-8", buffering=1)

    def record(self, line: dict[str, Any]) -> None:
        if line["id"] in self.ids:
            self.duplicates += 1
            return
        self.ids.add(line["id"])
        self.received[line["kind"]] += 1
        if self._out is not None:
            self._out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")

    def close(self) -> None:
        if self._out is not None:
            self._out.close()


def read_ledger(path: Path) -> set[str]:
    """The event ids a ledger file holds so far (a partly written last line is skipped)."""
    if not path.exists():
        return set()
    ids = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            ids.add(json.loads(line)["id"])
        except (ValueError, KeyError):
            continue
    return ids


class MockPlatform(events_pb2_grpc.LoanEventServiceServicer):
    """Serve behind the gateway with ``add_gateway_only_servicer``; every event lands in the ledger."""

    def __init__(self, ledger: EventLedger) -> None:
        self.ledger = ledger

    async def PublishLoanStatus(self, request: e.LoanStatusUpdate, context: Any) -> e.EventAck:
        self.ledger.record(record_of(request, current_forward().caller))
        return e.EventAck(event_id=request.event_id, accepted=True)

    async def PublishRiskAlert(self, request: e.RiskAlert, context: Any) -> e.EventAck:
        self.ledger.record(record_of(request, current_forward().caller))
        return e.EventAck(event_id=request.alert_id, accepted=True)
