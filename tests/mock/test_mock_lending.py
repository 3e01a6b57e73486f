"""The mock bank's credit policy as plain functions: bands, prices under the cap, lines, reason codes, splits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coloan.v1 import credit_pb2 as c
from gateway.fake import amortize
from gateway.mock import Applicant, assess, is_risky, price, risk_band, split
from gateway.mock import _lending as lending

START = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
TERMS = st.sampled_from((3, 6, 9, 12, 18, 24, 36))
# No deadline: the machine is shared, and a slow example is not a wrong one.
SETTINGS = settings(deadline=None, derandomize=True, database=None, max_examples=150)


def applicant(**kw: int | bool) -> Applicant:
    base: dict[str, int | bool] = {"score": 720, "monthly_income_fen": 1_500_000, "active_loans": 0,
                                   "requested_fen": 5_000_000, "term_months": 12}
    return Applicant(**(base | kw))  # type: ignore[arg-type]


@SETTINGS
@given(principal=st.integers(1, 50_000_000), apr=st.integers(0, 2_400), term=TERMS)
def test_amortization_sums_exactly_to_principal_plus_interest(principal: int, apr: int, term: int) -> None:
    schedule = amortize(principal, apr, term, START)
    assert [i.seq for i in schedule] == list(range(1, term + 1))
    assert sum(i.principal_fen for i in schedule) == principal
    assert sum(i.total_fen for i in schedule) == principal + sum(i.interest_fen for i in schedule)
    assert all(i.total_fen == i.principal_fen + i.interest_fen and i.principal_fen >= 0 for i in schedule)


@SETTINGS
@given(principal=st.integers(100_000, 50_000_000), apr=st.integers(0, 2_400), term=TERMS)
def test_installments_are_equal_but_the_last(principal: int, apr: int, term: int) -> None:
    """From the bank's smallest line up; a few fen over many months cannot be split equally."""
    schedule = amortize(principal, apr, term, START)
    assert len({i.total_fen for i in schedule[:-1]}) <= 1
    assert abs(schedule[-1].total_fen - schedule[0].total_fen) <= term


def test_amortization_charges_the_expected_interest_on_a_known_loan() -> None:
    schedule = amortize(1_200_000, 1_200, 12, START)  # 12 000 yuan, 12% a year, 12 months
    assert schedule[0].total_fen == 106_619  # the textbook installment, 1 066.19 yuan
    assert schedule[0].interest_fen == 12_000
    assert [i.interest_fen for i in schedule[-3:]] == [3_136, 2_101, 1_056]  # 1% of each remaining balance
    assert schedule[-1].total_fen == 106_614  # the last installment absorbs 11 months of rounding
    assert sum(i.interest_fen for i in schedule) == 79_423


@SETTINGS
@given(principal=st.integers(1, 50_000_000), share=st.integers(3_000, 10_000))
def test_split_gives_the_platform_at_least_its_share_and_adds_up(principal: int, share: int) -> None:
    bank, platform = split(principal, share)
    assert bank + platform == principal
    assert platform * 10_000 >= principal * share >= principal * 3_000
    assert bank >= 0


@pytest.mark.parametrize("share", [0, 2_999, 10_001])
def test_split_refuses_a_platform_share_outside_30_to_100_percent(share: int) -> None:
    with pytest.raises(ValueError, match="30%"):
        split(1_000_000, share)


@pytest.mark.parametrize(("score", "loans", "band"), [
    (700, 1, "A"), (950, 0, "A"), (700, 2, "B"), (620, 2, "B"), (619, 0, "C"), (700, 4, "C"), (560, 4, "C"),
    (559, 0, "D"), (900, 5, "D"),
])
def test_risk_band_follows_score_and_loans_elsewhere(score: int, loans: int, band: str) -> None:
    assert risk_band(score, loans) == band


@SETTINGS
@given(band=st.sampled_from("ABCD"), cap=st.integers(1, 10_000))
def test_price_never_exceeds_the_cap(band: str, cap: int) -> None:
    assert 0 < price(band, cap) <= cap
    assert price(band, cap) <= lending.BAND_APR_BPS[band]


def test_better_bands_pay_less() -> None:
    assert [price(b, 2_400) for b in "ABCD"] == sorted(price(b, 2_400) for b in "ABCD")


@SETTINGS
@given(score=st.integers(350, 950), income=st.integers(0, 10_000_000), loans=st.integers(0, 8),
       amount=st.integers(1, 200_000).map(lambda y: y * 100), term=TERMS, cap=st.integers(100, 2_400))
def test_every_assessment_is_consistent(score: int, income: int, loans: int, amount: int, term: int,
                                        cap: int) -> None:
    a = assess(Applicant(score, income, loans, amount, term), cap)
    if a.approved:
        assert 0 < a.apr_bps <= cap
        assert lending.MIN_LINE_FEN <= a.credit_line_fen <= amount
        payment = lending.monthly_payment(a.credit_line_fen, a.apr_bps, term)
        assert payment * 10_000 <= income * lending.dti_budget_bps(loans)  # affordable beside loans elsewhere
        assert (lending.WARN_LINE_REDUCED in a.reason_codes) == (a.credit_line_fen < amount)
    else:
        assert (a.credit_line_fen, a.apr_bps) == (0, 0)
        assert a.reason_codes
    assert 1 <= a.internal_score <= 999


def test_strong_applicant_is_approved_in_full_without_reason_codes() -> None:
    a = assess(applicant(), 2_400)
    assert (a.decision, a.band, a.credit_line_fen, a.apr_bps, a.reason_codes) == (
        c.DECISION_APPROVE, "A", 5_000_000, 720, ())


@pytest.mark.parametrize(("change", "code"), [
    ({"score": 519}, lending.DECLINE_SCORE),
    ({"monthly_income_fen": 299_900}, lending.DECLINE_INCOME),
    ({"active_loans": 5}, lending.DECLINE_MULTI_LENDING),
    ({"identity_ok": False}, lending.DECLINE_IDENTITY),
    ({"monthly_income_fen": 300_000, "requested_fen": 5_000_000, "term_months": 3, "score": 720},
     None),  # affordable in part: approved with a reduced line
])
def test_hard_reasons_decline(change: dict[str, int | bool], code: str | None) -> None:
    a = assess(applicant(**change), 2_400)
    if code is None:
        assert a.approved and lending.WARN_LINE_REDUCED in a.reason_codes
    else:
        assert a.decision == c.DECISION_DECLINE and code in a.reason_codes


def test_every_hard_reason_is_given_at_once() -> None:
    a = assess(applicant(score=400, monthly_income_fen=100_000, active_loans=6), 2_400)
    assert a.reason_codes == (lending.DECLINE_SCORE, lending.DECLINE_INCOME, lending.DECLINE_MULTI_LENDING)


def test_unaffordable_request_is_declined_for_debt_to_income() -> None:
    a = assess(applicant(monthly_income_fen=300_000, requested_fen=20_000_000, term_months=3, score=560,
                         active_loans=4), 2_400)
    assert a.reason_codes == (lending.DECLINE_DEBT_TO_INCOME,)


def test_band_d_goes_to_manual_review() -> None:
    a = assess(applicant(score=540), 2_400)
    assert (a.decision, a.reason_codes) == (c.DECISION_MANUAL_REVIEW, (lending.REVIEW_BORDERLINE,))


def test_risky_approvals_are_flagged_for_a_risk_alert() -> None:
    multi = assess(applicant(score=700, active_loans=3), 2_400)
    elevated = assess(applicant(score=600), 2_400)
    assert multi.approved and lending.WARN_MULTI_LENDING in multi.reason_codes and is_risky(multi.reason_codes)
    assert elevated.approved and elevated.reason_codes == (lending.WARN_ELEVATED_RISK,)
    assert is_risky(elevated.reason_codes)
    assert not is_risky(assess(applicant(), 2_400).reason_codes)
    assert not is_risky([lending.WARN_LINE_REDUCED])


def test_the_cap_binds_the_price() -> None:
    assert assess(applicant(score=600), 1_000).apr_bps == 1_000
