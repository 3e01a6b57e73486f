"""Mutations that each break exactly one named validation rule, for testers' negative cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from google.protobuf.timestamp_pb2 import Timestamp

from gateway.validation import resident_id_check_char

if TYPE_CHECKING:
    from gateway.fake._records import CoLendingFaker

Apply = Callable[[Any, "CoLendingFaker"], None]


@dataclass(frozen=True)
class Mutation:
    """Breaks ``rule`` at ``field`` (a path from the record's root) and nothing else."""

    rule: str
    field: str
    apply: Apply


def _wrong_check_char(p: Any, _: CoLendingFaker) -> None:
    right = resident_id_check_char(p.resident_id[:17])
    p.resident_id = p.resident_id[:17] + ("0" if right != "0" else "1")


def _shift_dob(p: Any, _: CoLendingFaker) -> None:
    p.date_of_birth = (date.fromisoformat(p.date_of_birth) + timedelta(days=1)).isoformat()


def _flip_gender(p: Any, _: CoLendingFaker) -> None:
    p.gender = 2 if p.gender == 1 else 1


def _minor(p: Any, fake: CoLendingFaker) -> None:
    born = fake.as_of.date() - timedelta(days=16 * 365)
    p.date_of_birth = born.isoformat()
    p.resident_id = fake.provider.resident_id(born, p.gender == 1, p.resident_id[:6])


def _expired(p: Any, _: CoLendingFaker) -> None:
    p.consent.expires_at.CopyFrom(Timestamp(seconds=p.consent.granted_at.seconds + 3_600))
    p.consent.granted_at.CopyFrom(Timestamp(seconds=p.consent.expires_at.seconds - 400 * 86_400))


def _set(name: str, value: object) -> Apply:
    return lambda m, _: setattr(m, name, value)


def _clear(name: str) -> Apply:
    return lambda m, _: m.ClearField(name)


def _in(path: str, mutate: Apply) -> Apply:
    def apply(m: Any, fake: CoLendingFaker) -> None:
        for part in path.split("."):
            m = getattr(m, part)
        mutate(m, fake)
    return apply


PROFILE: tuple[Mutation, ...] = (
    Mutation("required", "full_name", _clear("full_name")),
    Mutation("resident_id.format", "resident_id", lambda p, _: setattr(p, "resident_id", p.resident_id[:16])),
    Mutation("resident_id.checksum", "resident_id", _wrong_check_char),
    Mutation("resident_id.birth_date", "resident_id", _shift_dob),
    Mutation("resident_id.gender", "resident_id", _flip_gender),
    Mutation("mobile.format", "mobile", lambda p, _: setattr(p, "mobile", "12" + p.mobile[2:])),
    Mutation("email.format", "email", lambda p, _: setattr(p, "email", p.email.replace("@", "#"))),
    Mutation("date_of_birth.age", "date_of_birth", _minor),
    Mutation("credit_score.range", "platform_credit_score", _set("platform_credit_score", 1_000)),
    Mutation("income.non_negative", "monthly_income_fen", _set("monthly_income_fen", -100)),
    Mutation("behaviour.ratio_range", "behaviour.on_time_repayment_bps",
             _in("behaviour", _set("on_time_repayment_bps", 12_000))),
    Mutation("consent.required", "consent", _clear("consent")),
    Mutation("consent.expired", "consent.expires_at", _expired),
    Mutation("consent.recipient", "consent.recipient", _in("consent", _set("recipient", "other-bank"))),
    Mutation("consent.purposes", "consent.purposes", _in("consent", _clear("purposes"))),
)


def _under(prefix: str, mutations: tuple[Mutation, ...]) -> tuple[Mutation, ...]:
    return tuple(Mutation(m.rule, f"{prefix}.{m.field}", _in(prefix, m.apply)) for m in mutations)


MUTATIONS: dict[str, tuple[Mutation, ...]] = {
    "profiles": PROFILE,
    "applications": (
        *_under("profile", PROFILE),
        Mutation("profile.required", "profile", _clear("profile")),
        Mutation("amount.positive", "requested_amount_fen", _set("requested_amount_fen", 0)),
        Mutation("term.allowed", "term_months", _set("term_months", 7)),
    ),
    "decisions": (
        Mutation("apr.cap", "apr_bps", _set("apr_bps", 3_600)),
        Mutation("required", "decision_id", _clear("decision_id")),
    ),
    "drawdowns": (
        Mutation("amount.positive", "amount_fen", _set("amount_fen", -10_000)),
        Mutation("term.allowed", "term_months", _set("term_months", 7)),
        Mutation("platform_share.minimum", "platform_share_bps", _set("platform_share_bps", 2_000)),
        Mutation("bank_card.format", "disbursement_card", _set("disbursement_card", "6222")),
        Mutation("required", "borrower_id", _clear("borrower_id")),
    ),
    "disbursements": (
        Mutation("shares.sum", "bank_share_fen", lambda m, _: setattr(m, "bank_share_fen", m.bank_share_fen + 1)),
        Mutation("apr.cap", "apr_bps", _set("apr_bps", 3_600)),
        Mutation("contract.digest", "contract.sha256", _in("contract", _set("sha256", b"\x00" * 16))),
    ),
    "repayments": (
        Mutation("amount.positive", "amount_fen", _set("amount_fen", 0)),
        Mutation("required", "transaction_id", _clear("transaction_id")),
    ),
    "loan-statuses": (
        Mutation("status.days_past_due", "days_past_due",
                 lambda m, _: setattr(m, "days_past_due", 0 if m.days_past_due else 5)),
    ),
    "risk-alerts": (
        Mutation("required", "borrower_token", _clear("borrower_token")),
    ),
}
