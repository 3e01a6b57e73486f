"""Every validation rule, passing on realistic records and failing on exactly its defect."""

from __future__ import annotations

from datetime import datetime

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from coloan.v1 import credit_pb2 as c
from coloan.v1 import events_pb2 as e
from gateway.fake import KINDS, MUTATIONS, CoLendingFaker
from gateway.validation import ValidationPolicy, Validator
from gateway.validation._rules import RULES


def _cases() -> list[tuple[str, str, str]]:
    return [(kind, m.rule, m.field) for kind, ms in MUTATIONS.items() for m in ms]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_generated_records_pass_every_rule(kind: str, fake: CoLendingFaker, as_of: datetime) -> None:
    validator = Validator()
    for _ in range(50):
        assert validator.validate(KINDS[kind](fake), now=as_of) == []


@pytest.mark.parametrize(("kind", "rule", "field"), _cases())
def test_each_defect_breaks_exactly_its_rule(kind: str, rule: str, field: str, fake: CoLendingFaker,
                                             as_of: datetime) -> None:
    mutation = next(m for m in MUTATIONS[kind] if m.rule == rule and m.field == field)
    message = KINDS[kind](fake)
    mutation.apply(message, fake)
    errors = Validator().errors(message, now=as_of)
    assert [(v.rule, v.field) for v in errors] == [(rule, field)]


def test_every_rule_id_has_a_failing_case_somewhere() -> None:
    generated = {m.rule for ms in MUTATIONS.values() for m in ms}
    direct = {"consent.order", "decision.terms", "behaviour.non_negative", "bank_card.luhn",
              "platform_share.minimum", "status.days_past_due"}
    declared = {r.id for rules in RULES.values() for r in rules}
    assert declared <= generated | direct


def test_consent_granted_after_expiry_is_refused(fake: CoLendingFaker, as_of: datetime) -> None:
    p = fake.profile()
    p.consent.granted_at.CopyFrom(Timestamp(seconds=p.consent.expires_at.seconds + 1))
    assert [v.rule for v in Validator().errors(p, now=as_of)] == ["consent.order"]


def test_approval_without_credit_line_is_refused(fake: CoLendingFaker, as_of: datetime) -> None:
    d = fake.decision()
    d.decision, d.credit_line_fen, d.apr_bps = c.DECISION_APPROVE, 0, 1800
    assert [v.rule for v in Validator().errors(d, now=as_of)] == ["decision.terms"]


def test_negative_behaviour_counts_are_refused(fake: CoLendingFaker, as_of: datetime) -> None:
    p = fake.profile()
    p.behaviour.active_loans_elsewhere = -1
    assert [v.field for v in Validator().errors(p, now=as_of)] == ["behaviour.active_loans_elsewhere"]


def test_luhn_failure_is_a_warning_not_an_error(fake: CoLendingFaker, as_of: datetime) -> None:
    d = fake.drawdown()
    last = int(d.disbursement_card[-1])
    d.disbursement_card = d.disbursement_card[:-1] + str((last + 1) % 10)
    found = Validator().validate(d, now=as_of)
    assert [(v.rule, v.severity) for v in found] == [("bank_card.luhn", "warning")]
    assert Validator().errors(d, now=as_of) == []


def test_disbursement_with_platform_share_under_30_percent_is_refused(fake: CoLendingFaker, as_of: datetime) -> None:
    d = fake.disbursement()
    d.platform_share_fen = d.principal_fen * 29 // 100
    d.bank_share_fen = d.principal_fen - d.platform_share_fen
    assert [v.rule for v in Validator().errors(d, now=as_of)] == ["platform_share.minimum"]


def test_overdue_without_days_past_due_is_refused(as_of: datetime) -> None:
    u = e.LoanStatusUpdate(event_id="E1", loan_id="L1", state=c.LOAN_STATE_OVERDUE,
                           updated_at=Timestamp(seconds=1))
    assert [v.rule for v in Validator().errors(u, now=as_of)] == ["status.days_past_due"]


def test_apr_cap_is_configurable(fake: CoLendingFaker, as_of: datetime) -> None:
    d = fake.decision()
    d.decision, d.credit_line_fen, d.apr_bps = c.DECISION_APPROVE, 100_000, 1_500
    assert Validator(ValidationPolicy(apr_cap_bps=1_500)).errors(d, now=as_of) == []
    assert [v.rule for v in Validator(ValidationPolicy(apr_cap_bps=1_499)).errors(d, now=as_of)] == ["apr.cap"]


def test_repeated_messages_are_validated_with_indexed_paths(fake: CoLendingFaker, as_of: datetime) -> None:
    loan = c.Loan(loan_id="L1", schedule=[c.Installment(seq=1)])
    d = fake.disbursement()
    d.contract.sha256 = b"short"
    paths = [v.field for v in Validator().errors(d, now=as_of)]
    assert paths == ["contract.sha256"]
    assert Validator().errors(loan, now=as_of) == []


def test_violation_messages_never_carry_the_value(fake: CoLendingFaker, as_of: datetime) -> None:
    p = fake.profile()
    for mutation in MUTATIONS["profiles"]:
        broken = type(p)()
        broken.CopyFrom(p)
        mutation.apply(broken, fake)
        for v in Validator().validate(broken, now=as_of):
            for value in (broken.resident_id, broken.mobile, broken.full_name, broken.email, broken.date_of_birth):
                assert not value or value not in str(v)
