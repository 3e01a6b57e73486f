"""The mock bank's credit policy as pure functions: risk band, price, line, reason codes, funding split.

Everything here is plain values in, plain values out, so each rule is tested on its
own and the servicer only wires them together. Money is fen, rates basis points.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from coloan.v1 import credit_pb2 as c

MIN_SCORE = 520
MIN_INCOME_FEN = 300_000  # 3 000 yuan a month
MAX_ACTIVE_LOANS = 5
MIN_LINE_FEN = 100_000  # 1 000 yuan
MAX_DTI_BPS = 4_000  # all installments together may take at most 40% of the monthly income
LOAN_ELSEWHERE_DTI_BPS = 800  # what each active loan elsewhere is assumed to take already
MIN_PLATFORM_SHARE_BPS = 3_000
BAND_APR_BPS = {"A": 720, "B": 1_200, "C": 1_800, "D": 2_400}

DECLINE_SCORE = "R01_SCORE_BELOW_THRESHOLD"
DECLINE_INCOME = "R02_INCOME_TOO_LOW"
DECLINE_MULTI_LENDING = "R03_MULTI_LENDING"
DECLINE_DEBT_TO_INCOME = "R04_DEBT_TO_INCOME"
DECLINE_IDENTITY = "R05_IDENTITY_MISMATCH"
REVIEW_BORDERLINE = "M01_BORDERLINE_RISK"
WARN_LINE_REDUCED = "W01_LINE_REDUCED"
WARN_MULTI_LENDING = "W02_MULTI_LENDING"
WARN_ELEVATED_RISK = "W03_ELEVATED_RISK"
RISK_CODES = frozenset({WARN_MULTI_LENDING, WARN_ELEVATED_RISK})


@dataclass(frozen=True)
class Applicant:
    """What the bank decides on, taken from the (decrypted) application."""

    score: int
    monthly_income_fen: int
    active_loans: int
    requested_fen: int
    term_months: int
    identity_ok: bool = True


@dataclass(frozen=True)
class Assessment:
    """The bank's decision on one application, before it becomes a ``CreditDecision``."""

    decision: c.Decision
    band: str
    credit_line_fen: int
    apr_bps: int
    internal_score: int
    reason_codes: tuple[str, ...]

    @property
    def approved(self) -> bool:
        return self.decision == c.DECISION_APPROVE


def risk_band(score: int, active_loans: int) -> str:
    """A (best) to D from the platform score and the borrower's loans elsewhere."""
    if score >= 700 and active_loans <= 1:
        return "A"
    if score >= 620 and active_loans <= 2:
        return "B"
    if score >= 560 and active_loans <= 4:
        return "C"
    return "D"


def price(band: str, cap_bps: int) -> int:
    """The band's APR, never above the configured cap."""
    return min(BAND_APR_BPS[band], cap_bps)


def monthly_payment(principal_fen: int, apr_bps: int, term_months: int) -> Decimal:
    """The equal installment of an amortized loan (unrounded)."""
    rate = Decimal(apr_bps) / Decimal(120_000)
    if rate == 0:
        return Decimal(principal_fen) / term_months
    return Decimal(principal_fen) * rate / (1 - (1 + rate) ** -term_months)


def dti_budget_bps(active_loans: int) -> int:
    """The share of the income a new installment may take, after the loans the borrower has elsewhere."""
    return max(0, MAX_DTI_BPS - LOAN_ELSEWHERE_DTI_BPS * active_loans)


def affordable_line(income_fen: int, apr_bps: int, term_months: int, active_loans: int = 0) -> int:
    """The largest principal, in whole yuan, whose installment fits the borrower's remaining budget."""
    per_fen = monthly_payment(1_000_000, apr_bps, term_months) / 1_000_000
    budget = Decimal(income_fen) * dti_budget_bps(active_loans) / 10_000
    return int(budget / per_fen) // 100 * 100


def internal_score(score: int, active_loans: int, band: str) -> int:
    """The bank's own 1-999 score; the platform only ever sees its band of 100."""
    penalty = 30 * active_loans + {"A": 0, "B": 20, "C": 60, "D": 120}[band]
    return max(1, min(999, score + 80 - penalty))


def decline_reasons(a: Applicant) -> list[str]:
    """Every hard reason to decline, in a stable order."""
    checks = ((not a.identity_ok, DECLINE_IDENTITY), (a.score < MIN_SCORE, DECLINE_SCORE),
              (a.monthly_income_fen < MIN_INCOME_FEN, DECLINE_INCOME),
              (a.active_loans >= MAX_ACTIVE_LOANS, DECLINE_MULTI_LENDING))
    return [code for failed, code in checks if failed]


def warnings(a: Applicant, band: str, line_fen: int) -> tuple[str, ...]:
    """Reason codes that go with an approval; ``RISK_CODES`` among them make the bank raise a risk alert."""
    flags = ((line_fen < a.requested_fen, WARN_LINE_REDUCED), (a.active_loans >= 3, WARN_MULTI_LENDING),
             (band == "C", WARN_ELEVATED_RISK))
    return tuple(code for raised, code in flags if raised)


def assess(a: Applicant, cap_bps: int) -> Assessment:
    """Decline on a hard reason, review band D, otherwise approve the affordable part of the request."""
    band = risk_band(a.score, a.active_loans)
    score = internal_score(a.score, a.active_loans, band)
    declined = decline_reasons(a)
    if declined:
        return Assessment(c.DECISION_DECLINE, band, 0, 0, score, tuple(declined))
    if band == "D":
        return Assessment(c.DECISION_MANUAL_REVIEW, band, 0, 0, score, (REVIEW_BORDERLINE,))
    apr = price(band, cap_bps)
    line = min(a.requested_fen, affordable_line(a.monthly_income_fen, apr, a.term_months, a.active_loans))
    if line < MIN_LINE_FEN:
        return Assessment(c.DECISION_DECLINE, band, 0, 0, score, (DECLINE_DEBT_TO_INCOME,))
    return Assessment(c.DECISION_APPROVE, band, line, apr, score, warnings(a, band, line))


def is_risky(reason_codes: Iterable[str]) -> bool:
    """Whether an approval with these reason codes makes the bank publish a ``RiskAlert`` at drawdown."""
    return any(code in RISK_CODES for code in reason_codes)


def split(principal_fen: int, platform_share_bps: int) -> tuple[int, int]:
    """``(bank, platform)`` shares of the principal; the platform's is rounded up, so never under its share."""
    if not MIN_PLATFORM_SHARE_BPS <= platform_share_bps <= 10_000:
        raise ValueError("the platform funds at least 30% of each loan")
    platform = -(-principal_fen * platform_share_bps // 10_000)
    return principal_fen - platform, platform
