"""Realistic, reproducible co-lending records built on Faker's zh_CN locale."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from faker import Faker
from google.protobuf.timestamp_pb2 import Timestamp

from coloan.policy.v1 import options_pb2 as opts
from coloan.v1 import borrower_pb2 as b
from coloan.v1 import credit_pb2 as c
from coloan.v1 import events_pb2 as e
from gateway.fake._amortize import amortize
from gateway.fake._provider import CoLendingProvider

_TERMS = (3, 6, 6, 12, 12, 12, 24, 36)
_INCOME_BY_EDUCATION = {
    b.EDUCATION_HIGH_SCHOOL: 550_000, b.EDUCATION_VOCATIONAL: 700_000, b.EDUCATION_BACHELOR: 1_100_000,
    b.EDUCATION_MASTER: 1_600_000, b.EDUCATION_DOCTORATE: 2_000_000,
}


def _ts(when: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(when)
    return ts


def today_utc() -> datetime:
    """Midnight UTC today: the default reference time, so a seed gives the same bytes all day."""
    now = datetime.now(UTC)
    return datetime(now.year, now.month, now.day, tzinfo=UTC)


class CoLendingFaker:
    """Builds protobuf records for the co-lending flow; same seed and ``as_of``, same records."""

    def __init__(self, seed: int, *, as_of: datetime | None = None, bank: str = "bank") -> None:
        self._faker = Faker("zh_CN")
        self._faker.add_provider(CoLendingProvider)
        self._faker.seed_instance(seed)
        self._rng: random.Random = self._faker.random
        self.provider: CoLendingProvider = self._faker  # type: ignore[assignment]
        self.as_of = as_of or today_utc()
        self.bank = bank

    @property
    def random(self) -> random.Random:
        """The seeded generator behind every record, for callers that add their own choices."""
        return self._rng

    def _enum(self, wrapper: Any) -> Any:
        """A random defined value of a protobuf enum, never its UNSPECIFIED zero."""
        return self._rng.choice(list(wrapper.values())[1:])

    def _id(self, prefix: str) -> str:
        return f"{prefix}{self._rng.getrandbits(64):016x}"

    def _before(self, max_days: float) -> datetime:
        return self.as_of - timedelta(seconds=self._rng.randint(60, int(max_days * 86_400) + 60))

    def consent(self) -> b.Consent:
        granted = self._before(180)
        return b.Consent(
            consent_id=self._id("CST"), recipient=self.bank,
            purposes=[opts.PURPOSE_CREDIT_ASSESSMENT, opts.PURPOSE_LOAN_SERVICING, opts.PURPOSE_RISK_MONITORING],
            granted_at=_ts(granted), expires_at=_ts(granted + timedelta(days=365)),
        )

    def _birth(self) -> date:
        age_days = self._rng.randint(22 * 365, 58 * 365)
        return (self.as_of - timedelta(days=age_days)).date()

    def _behaviour(self, income: int, score: int) -> b.BehaviourFeatures:
        on_time = min(10_000, max(5_000, int(self._rng.gauss(6_000 + (score - 350) * 6.5, 400))))
        return b.BehaviourFeatures(
            spend_12m_fen=int(income * self._rng.uniform(1.5, 6.0)) // 100 * 100,
            on_time_repayment_bps=on_time,
            account_age_days=self._rng.randint(30, 3_000),
            active_loans_elsewhere=max(0, int(self._rng.gauss((900 - score) / 120, 1))),
        )

    def profile(self) -> b.BorrowerProfile:
        f, male = self._faker, self._rng.random() < 0.5
        birth, region, work = self._birth(), self.provider.region(), self.provider.region()
        education = self._rng.choice(list(_INCOME_BY_EDUCATION))
        income = max(200_000, int(self._rng.lognormvariate(0, 0.4) * _INCOME_BY_EDUCATION[education])) // 100 * 100
        score = min(950, max(350, int(self._rng.gauss(560 + income / 20_000, 70))))
        return b.BorrowerProfile(
            borrower_id=self._id("U"), full_name=f.name_male() if male else f.name_female(),
            resident_id=self.provider.resident_id(birth, male, region.code), mobile=self.provider.cn_mobile(),
            email=f.free_email(), date_of_birth=birth.isoformat(),
            gender=b.GENDER_MALE if male else b.GENDER_FEMALE,
            residential_address=b.Address(province=region.province, city=region.city, district=region.district,
                                          street=f"{f.street_name()}{self._rng.randint(1, 999)}号"),
            work_address=f"{work.province}{work.city}{work.district}{f.street_name()}{self._rng.randint(1, 999)}号",
            employer=f.company(), occupation=self._enum(b.Occupation),
            education=education, marital_status=self._enum(b.MaritalStatus),
            monthly_income_fen=income, platform_credit_score=score, behaviour=self._behaviour(income, score),
            device_id=f.uuid4().upper(), application_ip=f.ipv4_public(), consent=self.consent(),
        )

    def application(self) -> c.LoanApplication:
        return c.LoanApplication(
            application_id=self._id("APP"), profile=self.profile(),
            requested_amount_fen=self._rng.randint(10, 2_000) * 10_000, term_months=self._rng.choice(_TERMS),
            purpose=self._enum(c.LoanPurpose), submitted_at=_ts(self._before(0.01)),
        )

    def decision(self, application: c.LoanApplication | None = None) -> c.CreditDecision:
        app = application or self.application()
        score = app.profile.platform_credit_score
        outcome = c.DECISION_APPROVE if score >= 600 else c.DECISION_MANUAL_REVIEW if score >= 520 else \
            c.DECISION_DECLINE
        approved = outcome == c.DECISION_APPROVE
        return c.CreditDecision(
            application_id=app.application_id, decision_id=self._id("DEC"), decision=outcome,
            credit_line_fen=app.requested_amount_fen if approved else 0,
            apr_bps=max(720, 2_400 - (score - 600) * 5) if approved else 0,
            reason_codes=[] if approved else ["R01_SCORE_BELOW_THRESHOLD"],
            bank_internal_score=min(999, max(1, score - 250 + self._rng.randint(-40, 40))),
            model_version="risk-v3.2", decided_at=_ts(self._before(0.005)),
        )

    def drawdown(self) -> c.DrawdownRequest:
        return c.DrawdownRequest(
            application_id=self._id("APP"), decision_id=self._id("DEC"), borrower_id=self._id("U"),
            amount_fen=self._rng.randint(10, 2_000) * 10_000, term_months=self._rng.choice(_TERMS),
            platform_share_bps=self._rng.choice((3_000, 3_000, 4_000, 5_000)),
            disbursement_card=self.provider.unionpay_card(), sms_otp=self._faker.numerify("######"),
        )

    def disbursement(self, request: c.DrawdownRequest | None = None, apr_bps: int = 1_800) -> c.Disbursement:
        req = request or self.drawdown()
        platform = -(-req.amount_fen * req.platform_share_bps // 10_000)
        at = self._before(0.001)
        contract = c.EContract(contract_id=self._id("ECT"), signed_at=_ts(at),
                               sha256=hashlib.sha256(self._rng.randbytes(64)).digest())
        return c.Disbursement(
            loan_id=self._id("LN"), application_id=req.application_id, contract=contract,
            principal_fen=req.amount_fen, bank_share_fen=req.amount_fen - platform, platform_share_fen=platform,
            apr_bps=apr_bps, disbursement_card=req.disbursement_card, disbursed_at=_ts(at),
            schedule=amortize(req.amount_fen, apr_bps, req.term_months, at),
        )

    def repayment(self) -> c.RepaymentNotice:
        return c.RepaymentNotice(
            loan_id=self._id("LN"), transaction_id=self._id("TXN"), installment_seq=self._rng.randint(1, 12),
            amount_fen=self._rng.randint(100, 20_000) * 100, paid_at=_ts(self._before(1)),
            repayment_card=self.provider.unionpay_card(),
        )

    def loan_status(self) -> e.LoanStatusUpdate:
        state = self._rng.choice((c.LOAN_STATE_ACTIVE, c.LOAN_STATE_OVERDUE, c.LOAN_STATE_PAID_OFF))
        return e.LoanStatusUpdate(
            event_id=self._id("EVT"), loan_id=self._id("LN"), state=state,
            days_past_due=self._rng.randint(1, 90) if state == c.LOAN_STATE_OVERDUE else 0,
            outstanding_principal_fen=0 if state == c.LOAN_STATE_PAID_OFF else self._rng.randint(10, 2_000) * 10_000,
            updated_at=_ts(self._before(0.01)),
        )

    def risk_alert(self) -> e.RiskAlert:
        kind = self._enum(e.RiskAlertType)
        return e.RiskAlert(
            alert_id=self._id("ALR"), loan_id=self._id("LN"), type=kind,
            severity=self._enum(e.Severity), borrower_token=self._id("tok_"),
            evidence=f"{self._faker.date_this_year()} {self._faker.sentence()}", raised_at=_ts(self._before(0.01)),
        )
