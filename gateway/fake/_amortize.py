"""Equal-installment (French) amortization in whole fen that sums exactly."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from google.protobuf.timestamp_pb2 import Timestamp

from coloan.v1 import credit_pb2


def _add_months(start: datetime, months: int) -> datetime:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return start.replace(year=year, month=month, day=min(start.day, 28))


def amortize(principal_fen: int, apr_bps: int, term_months: int, start: datetime) -> list[credit_pb2.Installment]:
    """Installments of equal total (the last absorbs rounding); principal parts sum to ``principal_fen``."""
    rate = Decimal(apr_bps) / Decimal(120_000)
    if rate == 0:
        payment = Decimal(principal_fen) / term_months
    else:
        payment = Decimal(principal_fen) * rate / (1 - (1 + rate) ** -term_months)
    payment = payment.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    out, remaining = [], principal_fen
    for seq in range(1, term_months + 1):
        interest = int((remaining * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        principal = remaining if seq == term_months else min(remaining, int(payment) - interest)
        remaining -= principal
        due = Timestamp()
        due.FromDatetime(_add_months(start, seq))
        out.append(credit_pb2.Installment(seq=seq, due_at=due, principal_fen=principal, interest_fen=interest,
                                          total_fen=principal + interest))
    return out
