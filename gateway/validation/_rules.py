"""The business rules of the co-lending messages, keyed by message type.

Each check returns True when the message is fine. A check passes on an empty
value: emptiness is the ``required`` rule's concern, so one defect breaks one rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from coloan.v1 import borrower_pb2, credit_pb2
from gateway.validation import _ids
from gateway.validation._model import Context, Severity

Check = Callable[[Any, Context], bool]


@dataclass(frozen=True)
class Rule:
    id: str
    field: str
    message: str
    check: Check
    severity: Severity = "error"


def _age(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def _dob(p: Any) -> date | None:
    try:
        return date.fromisoformat(p.date_of_birth)
    except ValueError:
        return None


def _id_matches_dob(p: Any, _: Context) -> bool:
    if not _ids.resident_id_format_ok(p.resident_id) or not p.date_of_birth:
        return True
    return bool(_ids.resident_id_birth_date(p.resident_id) == _dob(p))


def _id_matches_gender(p: Any, _: Context) -> bool:
    if not _ids.resident_id_format_ok(p.resident_id) or p.gender == borrower_pb2.GENDER_UNSPECIFIED:
        return True
    return bool(_ids.resident_id_is_male(p.resident_id) == (p.gender == borrower_pb2.GENDER_MALE))


def _age_ok(p: Any, ctx: Context) -> bool:
    dob = _dob(p)
    if not p.date_of_birth:
        return True
    return dob is not None and ctx.policy.min_age <= _age(dob, ctx.now.date()) <= ctx.policy.max_age


def _consent_unexpired(c: Any, ctx: Context) -> bool:
    if not c.HasField("expires_at"):
        return True
    return bool(c.expires_at.ToDatetime(tzinfo=ctx.now.tzinfo) > ctx.now)


def _consent_ordered(c: Any, _: Context) -> bool:
    both = c.HasField("expires_at") and c.HasField("granted_at")
    return not both or c.granted_at.ToNanoseconds() < c.expires_at.ToNanoseconds()


def _term_ok(m: Any, ctx: Context) -> bool:
    return bool(m.term_months in ctx.policy.allowed_terms)


def _share_ok(m: Any, ctx: Context) -> bool:
    return bool(ctx.policy.min_platform_share_bps <= m.platform_share_bps <= 10_000)


def _disbursement_share_ok(m: Any, ctx: Context) -> bool:
    minimum = m.principal_fen * ctx.policy.min_platform_share_bps
    return bool(m.principal_fen <= 0 or m.platform_share_fen * 10_000 >= minimum)


def _apr_ok(m: Any, ctx: Context) -> bool:
    return bool(0 <= m.apr_bps <= ctx.policy.apr_cap_bps)


def _approved_has_terms(m: Any, _: Context) -> bool:
    return bool(m.decision != credit_pb2.DECISION_APPROVE or (m.credit_line_fen > 0 and m.apr_bps > 0))


def _positive(name: str) -> Check:
    return lambda m, _: getattr(m, name) > 0


def _when_set(name: str, ok: Callable[[str], bool]) -> Check:
    return lambda m, _: not getattr(m, name) or ok(getattr(m, name))


RULES: dict[str, tuple[Rule, ...]] = {
    "coloan.v1.BorrowerProfile": (
        Rule("resident_id.format", "resident_id", "must be 17 digits and a digit or X",
             _when_set("resident_id", _ids.resident_id_format_ok)),
        Rule("resident_id.checksum", "resident_id", "check character does not match (GB 11643 MOD 11-2)",
             lambda p, _: not _ids.resident_id_format_ok(p.resident_id)
             or _ids.resident_id_checksum_ok(p.resident_id)),
        Rule("resident_id.birth_date", "resident_id", "birth date digits do not match date_of_birth",
             _id_matches_dob),
        Rule("resident_id.gender", "resident_id", "gender digit does not match gender", _id_matches_gender),
        Rule("mobile.format", "mobile", "must be an 11-digit mainland mobile number starting 13-19",
             _when_set("mobile", _ids.mobile_format_ok)),
        Rule("email.format", "email", "is not an email address", _when_set("email", _ids.email_format_ok)),
        Rule("date_of_birth.age", "date_of_birth", "borrower age is outside the lending age range", _age_ok),
        Rule("credit_score.range", "platform_credit_score", "must be within the score range",
             lambda p, ctx: ctx.policy.min_score <= p.platform_credit_score <= ctx.policy.max_score),
        Rule("income.non_negative", "monthly_income_fen", "must not be negative",
             lambda p, _: p.monthly_income_fen >= 0),
        Rule("consent.required", "consent", "a profile is shared only with the borrower's consent",
             lambda p, _: p.HasField("consent")),
    ),
    "coloan.v1.BehaviourFeatures": (
        Rule("behaviour.ratio_range", "on_time_repayment_bps", "must be within 0-10000 basis points",
             lambda b, _: 0 <= b.on_time_repayment_bps <= 10_000),
        Rule("behaviour.non_negative", "active_loans_elsewhere", "must not be negative",
             lambda b, _: b.active_loans_elsewhere >= 0 and b.account_age_days >= 0 and b.spend_12m_fen >= 0),
    ),
    "coloan.v1.Consent": (
        Rule("consent.expired", "expires_at", "consent has expired", _consent_unexpired),
        Rule("consent.order", "granted_at", "consent must be granted before it expires", _consent_ordered),
        Rule("consent.recipient", "recipient", "consent does not name the bank as recipient",
             lambda c, ctx: not c.recipient or c.recipient == ctx.policy.bank_partner),
        Rule("consent.purposes", "purposes", "consent names no purpose", lambda c, _: len(c.purposes) > 0),
    ),
    "coloan.v1.LoanApplication": (
        Rule("profile.required", "profile", "an application carries the borrower profile",
             lambda m, _: m.HasField("profile")),
        Rule("amount.positive", "requested_amount_fen", "must be greater than zero", _positive("requested_amount_fen")),
        Rule("term.allowed", "term_months", "is not an offered term", _term_ok),
    ),
    "coloan.v1.CreditDecision": (
        Rule("apr.cap", "apr_bps", "exceeds the APR cap", _apr_ok),
        Rule("decision.terms", "credit_line_fen", "an approval needs a credit line and an APR", _approved_has_terms),
    ),
    "coloan.v1.DrawdownRequest": (
        Rule("amount.positive", "amount_fen", "must be greater than zero", _positive("amount_fen")),
        Rule("term.allowed", "term_months", "is not an offered term", _term_ok),
        Rule("platform_share.minimum", "platform_share_bps", "the platform funds at least 30% of each loan",
             _share_ok),
        Rule("bank_card.format", "disbursement_card", "must be 16 to 19 digits",
             _when_set("disbursement_card", _ids.bank_card_format_ok)),
        Rule("bank_card.luhn", "disbursement_card", "fails the Luhn check",
             _when_set("disbursement_card", lambda v: not _ids.bank_card_format_ok(v) or _ids.luhn_ok(v)),
             severity="warning"),
    ),
    "coloan.v1.Disbursement": (
        Rule("amount.positive", "principal_fen", "must be greater than zero", _positive("principal_fen")),
        Rule("shares.sum", "bank_share_fen", "bank and platform shares must add up to the principal",
             lambda m, _: m.bank_share_fen + m.platform_share_fen == m.principal_fen),
        Rule("platform_share.minimum", "platform_share_fen", "the platform funds at least 30% of each loan",
             _disbursement_share_ok),
        Rule("apr.cap", "apr_bps", "exceeds the APR cap", _apr_ok),
    ),
    "coloan.v1.EContract": (
        Rule("contract.digest", "sha256", "must be a 32-byte SHA-256 digest", lambda c, _: len(c.sha256) in (0, 32)),
    ),
    "coloan.v1.RepaymentNotice": (
        Rule("amount.positive", "amount_fen", "must be greater than zero", _positive("amount_fen")),
    ),
    "coloan.v1.LoanStatusUpdate": (
        Rule("status.days_past_due", "days_past_due", "an overdue loan has days past due, others none",
             lambda m, _: (m.state == credit_pb2.LOAN_STATE_OVERDUE) == (m.days_past_due > 0)),
    ),
}
