"""The demo's parts on plain values: workspace handling, child processes, the access-log report, the verdict."""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from pathlib import Path

import grpc
import pytest

from gateway.audit import Finding, VerifyReport
from gateway.demo._bad import Expect, Result
from gateway.demo._children import Children
from gateway.demo._report import (
    answered_from_store,
    masking,
    method_rows,
    mock_stats,
    percentile,
    rejections,
    verified_responses,
)
from gateway.demo._summary import Run, verdict
from gateway.demo._workspace import MARKER, prepare, tidy
from gateway.errors import StartupError
from gateway.mock import CallRecord, Outcome, Tally


def record(method: str, status: str = "OK", *, caller: str = "platform", audience: str = "BANK",
           masked: dict[str, int] | None = None, response: dict[str, int] | None = None, ms: float = 1.0,
           reason: str | None = None, idempotency: str | None = None) -> dict[str, object]:
    return {"method": f"/coloan.v1.{method}", "status": status, "caller": caller, "audience": audience,
            "masked": masked or {}, "masked_response": response or {}, "total_ms": ms, "reason": reason,
            "upstream_ms": None if idempotency == "replayed" else ms / 2, "idempotency": idempotency,
            "signature": {"result": "valid" if status == "OK" else "not_checked"}}


def test_demo_package_exports_exactly_its_public_names() -> None:
    import gateway.demo as demo

    assert sorted(demo.__all__) == ["DemoOptions", "run_demo"]
    assert all(getattr(demo, name) is not None for name in demo.__all__)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (50.0, 99.0, 100.0)
    assert percentile([7.0], 99) == 7.0 and percentile([], 50) == 0.0


def test_masking_counts_requests_for_the_receiver_and_responses_for_the_caller() -> None:
    records = [
        record("CreditService/AssessCredit", masked={"encrypt": 3, "drop": 1}, response={"generalize": 1}),
        record("LoanEventService/PublishRiskAlert", caller="bank", audience="PLATFORM", masked={"keep": 2}),
    ]
    counts = masking(records, {"platform": "PLATFORM", "bank": "BANK"})
    assert counts == Counter({("BANK", "encrypt"): 3, ("BANK", "drop"): 1, ("PLATFORM", "generalize"): 1,
                              ("PLATFORM", "keep"): 2})


def test_method_rows_join_gateway_and_client_views() -> None:
    records = [record("CreditService/GetLoan", ms=2.0), record("CreditService/GetLoan", "NOT_FOUND", ms=4.0),
               record("LoanEventService/PublishLoanStatus", caller="bank")]
    client = [CallRecord("GetLoan", Outcome("OK"), 9.0)]
    rows = {r.method: r for r in method_rows(records, client)}
    assert rows["CreditService/GetLoan"].statuses == {"OK": 1, "NOT_FOUND": 1}
    assert rows["CreditService/GetLoan"].gateway_ms == (2.0, 4.0)
    assert rows["CreditService/GetLoan"].client_ms == (9.0, 9.0)
    assert rows["LoanEventService/PublishLoanStatus"].client_ms is None


def test_retries_answered_from_the_gateway_store_had_no_upstream_response_to_verify() -> None:
    records = [record("CreditService/Drawdown", idempotency="first"),
               record("CreditService/Drawdown", idempotency="replayed"),
               record("CreditService/GetLoan"), record("CreditService/GetLoan", "NOT_FOUND")]
    assert (verified_responses(records), answered_from_store(records)) == (2, 1)


def test_rejections_group_refusals_by_method_status_and_reason() -> None:
    records = [record("CreditService/AssessCredit", "UNAUTHENTICATED", reason="signature_replayed_nonce"),
               record("CreditService/AssessCredit", "UNAUTHENTICATED", reason="signature_replayed_nonce"),
               record("CreditService/AssessCredit")]
    assert rejections(records) == Counter({("CreditService/AssessCredit", "UNAUTHENTICATED",
                                            "signature_replayed_nonce"): 2})


def test_mock_stats_are_the_last_stats_line_of_the_log(tmp_path: Path) -> None:
    log = tmp_path / "bank.log"
    log.write_text('coloan-gw mock-bank: serving x\ncoloan-gw mock-bank: stats {"loans": 1}\n'
                   'coloan-gw mock-bank: stats {"loans": 2}\n')
    assert mock_stats(log, "mock-bank") == {"loans": 2}
    assert mock_stats(tmp_path / "missing.log", "mock-bank") == {}


@pytest.mark.parametrize(("expect", "got", "met"), [
    (Expect("UNAVAILABLE"), Outcome("UNAVAILABLE", message="handshake"), True),
    (Expect("UNAUTHENTICATED", "SIGNATURE_BAD_SIGNATURE"), Outcome("UNAUTHENTICATED", "SIGNATURE_BAD_SIGNATURE"),
     True),
    (Expect("UNAUTHENTICATED", "SIGNATURE_BAD_SIGNATURE"), Outcome("UNAUTHENTICATED", "SIGNATURE_MALFORMED"), False),
    (Expect("UNAUTHENTICATED", "SIGNATURE_BAD_SIGNATURE"), Outcome("OK"), False),
    (Expect("INVALID_ARGUMENT", mentions="[rule.x]"), Outcome("INVALID_ARGUMENT", violations=("f: bad [rule.x]",)),
     True),
    (Expect("INVALID_ARGUMENT", mentions="[rule.x]"), Outcome("INVALID_ARGUMENT", violations=("f: bad [rule.y]",)),
     False),
    (Expect("UNAUTHENTICATED", mentions="not_gateway"), Outcome("UNAUTHENTICATED", message="refused: not_gateway"),
     True),
])
def test_a_bad_call_meets_its_expectation_only_with_the_right_code_and_reason(expect: Expect, got: Outcome,
                                                                              met: bool) -> None:
    assert expect.met(got) is met


def run(tmp_path: Path, **change: object) -> Run:
    base = Run(n=1, logs=tmp_path, tally=Tally(), bad=[Result("x", Expect("OK"), Outcome("OK"))],
               expected_events=3, missing_events=0, exit_codes={"bank": 0, "platform": 0, "gateway": 0},
               stats={"bank": {"events_failed": {}}, "platform": {}}, records=[],
               audit=VerifyReport(records=0, checkpoints=1, verified=0, root=None))
    for name, value in change.items():
        setattr(base, name, value)
    return base


@pytest.mark.parametrize("change", [
    {"tally": Tally(failures=["APP1: every call succeeds"])},
    {"bad": [Result("x", Expect("UNAUTHENTICATED"), Outcome("OK"))]},
    {"missing_events": 1},
    {"stats": {"bank": {"events_failed": {"status": 1}}}},
    {"stats": {}},
    {"exit_codes": {"bank": 0, "platform": 0, "gateway": -9}},
    {"exit_codes": {"bank": 0, "platform": 0}},
    {"audit": None},
    {"audit": VerifyReport(records=1, checkpoints=1, verified=0, root=None)},
    {"audit": VerifyReport(records=0, checkpoints=0, verified=0, root=None,
                           findings=(Finding("error", "checkpoints", "missing"),))},
])
def test_the_verdict_fails_when_any_expected_outcome_did_not_happen(tmp_path: Path, change: dict[str, object]) -> None:
    assert all(ok for _, ok in verdict(run(tmp_path)))
    outcomes = verdict(run(tmp_path, **change))
    assert [ok for _, ok in outcomes].count(False) == 1


def test_prepare_makes_a_marked_workspace_with_every_config_on_distinct_ports(tmp_path: Path) -> None:
    dep = prepare(tmp_path / "demo")
    assert (dep.ws.root / MARKER).is_file()
    assert len({dep.gateway, dep.bank, dep.platform}) == 3
    assert f'listen = "{dep.bank}"' in dep.bank_config.read_text()
    assert f'gateway = "{dep.gateway}"' in dep.platform_config.read_text()
    assert f'upstream = "{dep.bank}"' in dep.ws.config.read_text()
    (dep.logs / "gateway.log").write_text("kept")
    tidy(dep.ws.root)
    assert sorted(p.name for p in dep.ws.root.iterdir()) == [MARKER, "logs"]
    assert (dep.logs / "gateway.log").read_text() == "kept"


def test_prepare_accepts_an_empty_directory_and_refuses_a_foreign_one(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert prepare(empty).ws.root == empty.resolve()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(StartupError, match="is not a demo workspace"):
        prepare(foreign)
    assert (foreign / "notes.txt").read_text() == "mine"


def test_a_child_that_exits_before_serving_is_a_startup_error_with_its_output(tmp_path: Path) -> None:
    with Children(tmp_path) as kids:
        child = kids.start("broken", [sys.executable, "-c", "print('cannot bind 127.0.0.1:1'); raise SystemExit(3)"],
                           "127.0.0.1:1")
        with pytest.raises(StartupError, match=r"broken exited with 3: cannot bind 127\.0\.0\.1:1"):
            asyncio.run(kids.ready(child, grpc.ssl_channel_credentials(), timeout_s=30))


def test_stop_kills_a_child_that_ignores_sigterm(tmp_path: Path) -> None:
    stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); " \
               "time.sleep(60)"
    with Children(tmp_path, wait_s=0.5) as kids:
        child = kids.start("stubborn", [sys.executable, "-c", stubborn], "127.0.0.1:1")
        polite = kids.start("polite", [sys.executable, "-c", "import time; time.sleep(60)"], "127.0.0.1:2")
        deadline = time.monotonic() + 30
        while "up" not in child.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)  # its SIGTERM handler is set once it says so
        codes = kids.stop()
    assert codes == {"stubborn": -9, "polite": -15}
    assert child.process.poll() is not None and polite.process.poll() is not None
