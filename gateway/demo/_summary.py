"""The demo's closing summary as rich tables, and the verdict that decides its exit code."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gateway.audit import VerifyReport
from gateway.demo._bad import Result
from gateway.demo._report import (
    Record,
    answered_from_store,
    masking,
    method_rows,
    rejections,
    verified_requests,
    verified_responses,
)
from gateway.mock import Tally

AUDIENCE_OF = {"platform": "PLATFORM", "bank": "BANK", "ops": "LOG"}
ACTIONS = ("keep", "mask", "token", "encrypt", "generalize", "drop")


@dataclass
class Run:
    """Everything one demo run observed."""

    n: int
    logs: Path
    tally: Tally
    bad: list[Result]
    expected_events: int
    missing_events: int
    exit_codes: dict[str, int]
    stats: dict[str, dict[str, Any]]
    records: list[Record]
    audit: VerifyReport | None = None
    seconds: float = 0.0
    kept: bool = True
    verdict: list[tuple[str, bool]] = field(default_factory=list)


def verdict(run: Run) -> list[tuple[str, bool]]:
    """Each outcome the demo promises, and whether it happened."""
    bank = run.stats.get("bank", {})
    return [
        (f"{run.n} applications driven: every call OK, every check held", not run.tally.failures),
        ("every deliberately bad call refused as expected", all(r.ok for r in run.bad)),
        ("every expected event reached the platform through the gateway", run.missing_events == 0),
        ("the bank delivered every event it published", bool(bank) and not bank.get("events_failed")),
        ("the gateway and both mocks stopped cleanly (exit 0)",
         len(run.exit_codes) == 3 and not any(run.exit_codes.values())),
        (f"the audit log verifies: {run.audit.records if run.audit else 0} records, one per call, each covered by "
         "a signed checkpoint", run.audit is not None and run.audit.ok and run.audit.verified == run.audit.records
         == len(run.records)),
    ]


def _ms(pair: tuple[float, float] | None) -> tuple[str, str]:
    return ("-", "-") if pair is None else (f"{pair[0]:.1f}", f"{pair[1]:.1f}")


def journeys(run: Run) -> Table:
    t, tally = Table(title="Journeys", show_header=False), run.tally
    delivered = Counter(run.stats.get("platform", {}).get("received", {}))
    checks = sum(tally.checks.values())
    decisions = ", ".join(f"{k.removeprefix('DECISION_').lower()} {v}" for k, v in sorted(tally.decisions.items()))
    for label, value in (
        ("applications", run.n),
        ("decisions", decisions),
        ("loans drawn down", tally.loans),
        ("drawdowns repeated with the same idempotency key (same loan)",
         f"{tally.replays} ({answered_from_store(run.records)} answered from the gateway's idempotency store)"),
        ("repayments reported", tally.repayments),
        ("checks on the responses that held", f"{checks - len(tally.failures)} of {checks}"),
        ("events received by the platform", f"{run.expected_events - run.missing_events} of {run.expected_events} "
                                            f"expected (status {delivered['status']}, alerts {delivered['alert']})"),
    ):
        t.add_row(label, str(value))
    return t


def calls(run: Run) -> Table:
    t = Table(title="Calls per method and status (gateway access log); latency in ms at the gateway and the client")
    t.add_column("method", no_wrap=True)
    t.add_column("status", no_wrap=True)
    for col in ("gateway p50", "p99", "client p50", "p99"):
        t.add_column(col, justify="right")
    for row in method_rows(run.records, run.tally.calls):
        statuses = "\n".join(f"{k} {v}" for k, v in sorted(row.statuses.items(), key=lambda kv: (kv[0] != "OK", kv)))
        t.add_row(row.method, statuses, *_ms(row.gateway_ms), *_ms(row.client_ms))
    return t


def fields(run: Run) -> Table:
    counts = masking(run.records, AUDIENCE_OF)
    actions = [a for a in ACTIONS if any(k[1] == a for k in counts)] + \
        sorted({k[1] for k in counts} - set(ACTIONS))
    t = Table(title="Fields desensitized, per receiving audience and action")
    t.add_column("audience")
    for action in actions:
        t.add_column(action, justify="right")
    for audience in sorted({k[0] for k in counts}):
        t.add_row(audience, *(str(counts[(audience, a)]) for a in actions))
    return t


def signatures(run: Run) -> Table:
    bank, platform = run.stats.get("bank", {}), run.stats.get("platform", {})
    t = Table(title="Signatures verified")
    t.add_column("who")
    t.add_column("what")
    t.add_column("count", justify="right")
    for who, what, n in (
        ("gateway", "partner request signatures (exact bytes, fresh, nonce unseen)", verified_requests(run.records)),
        ("gateway", "upstream response signatures", verified_responses(run.records)),
        ("mock bank", "gateway countersignatures", sum(bank.get("served", {}).values())),
        ("mock platform", "gateway countersignatures",
         sum(platform.get("received", {}).values()) + platform.get("duplicates", 0)),
        ("platform client (SDK)", "gateway response signatures", sum(1 for c in run.tally.calls if c.outcome.ok)),
        ("bank publisher (SDK)", "gateway response signatures", sum(bank.get("events_delivered", {}).values())),
    ):
        t.add_row(who, what, str(n))
    return t


def bad_calls(run: Run) -> Table:
    t = Table(title="Deliberately bad calls")
    for col in ("call", "expected", "got", ""):
        t.add_column(col)
    for r in run.bad:
        said = "; ".join(r.got.violations) or r.got.message
        got = str(r.got) if r.expected.mentions is None else f"{r.got} ({said})"
        t.add_row(r.name, escape(str(r.expected)), escape(got), "[green]✓[/]" if r.ok else "[red]✗[/]")
    return t


def refusals(run: Run) -> Table:
    t = Table(title="Refused calls by reason (gateway access log; a refused TLS handshake never reaches it)")
    for col in ("method", "status", "reason", "count"):
        t.add_column(col, justify="right" if col == "count" else "left")
    for (method, status, reason), n in sorted(rejections(run.records).items()):
        t.add_row(method, status, escape(reason), str(n))
    return t


def render(console: Console, run: Run) -> None:
    for table in (journeys(run), calls(run), fields(run), signatures(run), bad_calls(run), refusals(run)):
        console.print(table)
    names = ", ".join(p.name for p in sorted(run.logs.iterdir())) if run.logs.is_dir() else "-"
    console.print(f"logs: {escape(str(run.logs))} ({escape(names)})")
    audit = run.logs.parent / "audit"
    console.print(f"audit log: {escape(str(audit))} (coloan-gw audit verify {escape(str(audit))} "
                  f"--keys {escape(str(run.logs / 'gateway.pub.pem'))})")
    if not run.kept:
        console.print("workspace keys, certificates and configs removed (--keep keeps them)")
    for failure in run.tally.failures[:10]:
        console.print(f"[red]failed check[/] {escape(failure)}")
    for text, ok in run.verdict:
        console.print(f"{'[green]✓[/]' if ok else '[red]✗[/]'} {text}")
    done = all(ok for _, ok in run.verdict)
    console.print(f"[bold]{'every expected outcome happened' if done else 'FAILED'}[/] in {run.seconds:.1f} s")
