"""The generator is reproducible, realistic, and its broken records break what they say."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

from coloan.v1 import credit_pb2 as c
from gateway.fake import CoLendingFaker, amortize, generate, read_delimited
from gateway.fake._regions import CARD_BINS, MOBILE_PREFIXES, REGIONS
from gateway.fake._stream import write_delimited
from gateway.validation import Validator, luhn_ok, resident_id_checksum_ok


def _bytes(seed: int, as_of: datetime, n: int = 30) -> bytes:
    out = io.BytesIO()
    for g in generate("applications", n, CoLendingFaker(seed, as_of=as_of), 0.3):
        write_delimited(g.message, out)
    return out.getvalue()


def test_same_seed_same_bytes_and_other_seed_other_bytes(as_of: datetime) -> None:
    assert _bytes(7, as_of) == _bytes(7, as_of)
    assert _bytes(7, as_of) != _bytes(8, as_of)


def test_profile_identity_fields_agree(fake: CoLendingFaker) -> None:
    codes = {r.code: r for r in REGIONS}
    for _ in range(200):
        p = fake.profile()
        rid = p.resident_id
        assert resident_id_checksum_ok(rid)
        assert rid[6:14] == date.fromisoformat(p.date_of_birth).strftime("%Y%m%d")
        assert (int(rid[16]) % 2 == 1) == (p.gender == 1)
        region = codes[rid[:6]]  # area code is a real division
        assert region.province and p.mobile[:3] in MOBILE_PREFIXES and len(p.mobile) == 11
        assert 350 <= p.platform_credit_score <= 950
        assert p.consent.recipient == "bank"
        addr = p.residential_address
        assert any((r.province, r.city, r.district) == (addr.province, addr.city, addr.district) for r in REGIONS)


def test_cards_are_unionpay_and_luhn_valid(fake: CoLendingFaker) -> None:
    for _ in range(200):
        card = fake.drawdown().disbursement_card
        assert card.startswith("62") and luhn_ok(card)
        assert any(card.startswith(b) and len(card) == n for b, n in CARD_BINS)


def test_amortization_sums_exactly(as_of: datetime) -> None:
    for principal, apr, term in [(1_000_000, 1800, 12), (333_333, 2400, 7), (500_000, 0, 3), (12_345_678, 720, 36)]:
        schedule = amortize(principal, apr, term, as_of)
        assert [i.seq for i in schedule] == list(range(1, term + 1))
        assert sum(i.principal_fen for i in schedule) == principal
        assert all(i.total_fen == i.principal_fen + i.interest_fen for i in schedule)
        totals = {i.total_fen for i in schedule[:-1]}
        assert len(totals) <= 1  # equal installments but the last


def test_disbursement_is_consistent(fake: CoLendingFaker, as_of: datetime) -> None:
    d = fake.disbursement()
    assert d.bank_share_fen + d.platform_share_fen == d.principal_fen
    assert d.platform_share_fen * 10 >= d.principal_fen * 3
    assert len(d.contract.sha256) == 32
    assert Validator().errors(d, now=as_of) == []


def test_invalid_ratio_marks_and_breaks_exactly_those_records(as_of: datetime) -> None:
    records = list(generate("applications", 300, CoLendingFaker(5, as_of=as_of), 0.4))
    broken = [r for r in records if r.broken]
    assert 80 < len(broken) < 160
    validator = Validator()
    for r in records:
        errors = [(v.rule, v.field) for v in validator.errors(r.message, now=as_of)]
        expected = r.expectation()
        assert errors == ([] if expected["valid"] else [(expected["rule"], expected["field"])])
    json.dumps([r.expectation() for r in records])


def test_delimited_stream_round_trips(fake: CoLendingFaker) -> None:
    out = io.BytesIO()
    apps = [fake.application() for _ in range(5)]
    for a in apps:
        write_delimited(a, out)
    assert [c.LoanApplication.FromString(b) for b in read_delimited(out.getvalue())] == apps
