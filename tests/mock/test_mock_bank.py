"""The mock bank's servicer on messages masked by the real engine: it opens what was encrypted for it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest

from coloan.policy.v1 import options_pb2 as opts
from coloan.v1 import credit_pb2 as c
from gateway.fake import CoLendingFaker
from gateway.mock import LoanBook, MemorySink, MockBank, Publisher
from gateway.mock._events import BorrowerTokens
from gateway.sdk import FieldDecryptor
from masking import Engine, Keyring, shipped_services

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


class Aborted(Exception):
    """What the fake context raises where grpc would abort the call."""


class Context:
    """The part of a grpc servicer context the bank uses: abort."""

    def __init__(self) -> None:
        self.code: grpc.StatusCode | None = None

    async def abort(self, code: grpc.StatusCode, details: str) -> None:
        self.code = code
        raise Aborted(details)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, bytes, bytes]:
    ring = Keyring.init(tmp_path_factory.mktemp("keys") / "ring")
    foreign = Keyring.init(tmp_path_factory.mktemp("keys") / "foreign")
    engine = Engine(ring, shipped_services())
    return engine, ring.export(opts.BANK), foreign.export(opts.BANK)


def bank(material: bytes) -> MockBank:
    publisher = Publisher(MemorySink())
    return MockBank(LoanBook(lambda: NOW), FieldDecryptor(material, opts.BANK), BorrowerTokens(b"t" * 32),
                    publisher, apr_cap_bps=2_400, now=lambda: NOW)


def for_bank(engine: Engine, app: c.LoanApplication) -> c.LoanApplication:
    masked = c.LoanApplication()
    masked.CopyFrom(app)
    engine.plan(masked.DESCRIPTOR, opts.BANK).apply(masked)
    return masked


def strong(fake: CoLendingFaker) -> c.LoanApplication:
    app = fake.application()
    p = app.profile
    p.platform_credit_score, p.monthly_income_fen, p.behaviour.active_loans_elsewhere = 760, 2_000_000, 0
    app.requested_amount_fen, app.term_months = 2_000_000, 12
    return app


def assess_with(mock: MockBank, app: c.LoanApplication, context: Any = None) -> c.CreditDecision:
    return asyncio.run(mock.AssessCredit(app, context or Context()))


def test_bank_opens_the_fields_encrypted_for_it_before_deciding(keys: tuple[Engine, bytes, bytes],
                                                                 fake: CoLendingFaker) -> None:
    engine, material, _ = keys
    app = strong(fake)
    masked = for_bank(engine, app)
    assert masked.profile.resident_id != app.profile.resident_id  # encrypted on the way
    decision = assess_with(bank(material), masked)
    assert decision.decision == c.DECISION_APPROVE  # the identity check passed on the opened resident id
    assert (decision.application_id, decision.credit_line_fen, decision.apr_bps) == (
        app.application_id, 2_000_000, 720)
    assert decision.decided_at.ToDatetime(tzinfo=UTC) == NOW


def test_a_resident_id_that_contradicts_the_birth_date_is_declined(keys: tuple[Engine, bytes, bytes],
                                                                   fake: CoLendingFaker) -> None:
    engine, material, _ = keys
    app = strong(fake)
    masked = for_bank(engine, app)
    masked.profile.date_of_birth = "1970-01-01"  # the bank compares it with the digits of the opened id
    decision = assess_with(bank(material), masked)
    assert (decision.decision, list(decision.reason_codes)) == (c.DECISION_DECLINE, ["R05_IDENTITY_MISMATCH"])


def test_fields_that_do_not_open_are_refused_without_deciding(keys: tuple[Engine, bytes, bytes],
                                                              fake: CoLendingFaker) -> None:
    engine, _, foreign = keys
    book, app, context = LoanBook(lambda: NOW), strong(fake), Context()
    mock = MockBank(book, FieldDecryptor(foreign, opts.BANK), BorrowerTokens(b"t" * 32), Publisher(MemorySink()),
                    apr_cap_bps=2_400)
    with pytest.raises(Aborted, match=r"^profile\.\w+: encrypted field does not open$") as raised:
        assess_with(mock, for_bank(engine, app), context)
    assert context.code == grpc.StatusCode.INVALID_ARGUMENT
    assert app.profile.resident_id not in str(raised.value) and app.profile.mobile not in str(raised.value)
    assert book.decisions == 0


def test_get_loan_of_an_unknown_loan_is_not_found(keys: tuple[Engine, bytes, bytes]) -> None:
    context = Context()
    with pytest.raises(Aborted):
        asyncio.run(bank(keys[1]).GetLoan(c.GetLoanRequest(loan_id="LN-nope"), context))
    assert context.code == grpc.StatusCode.NOT_FOUND


def test_mock_package_exports_exactly_its_public_names() -> None:
    import gateway.mock as mock

    assert len(set(mock.__all__)) == len(mock.__all__)
    assert all(getattr(mock, name) is not None for name in mock.__all__)
