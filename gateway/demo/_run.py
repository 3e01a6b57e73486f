"""The demo, start to finish: workspace, three processes, N journeys, bad calls, events, summary.

The gateway and the two mocks run as ``coloan-gw`` child processes; the platform's
client side runs here with the partner SDK. Whatever happens (an error, Ctrl-C,
SIGTERM), every child is stopped before this returns or raises.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from certs import load_credentials
from coloan.v1 import credit_pb2_grpc
from gateway.audit import verify_log
from gateway.demo._bad import Caller, Result, send_bad_calls
from gateway.demo._children import Children, coloan_gw
from gateway.demo._report import mock_stats, read_jsonl
from gateway.demo._summary import Run, render, verdict
from gateway.demo._workspace import Deployment, prepare, tidy
from gateway.fake import CoLendingFaker
from gateway.mock import DRAWDOWN, Driver, Tally, await_events, cases, drive_all, read_ledger
from gateway.sdk import PartnerChannel, SigningInterceptor, channel_credentials


@dataclass(frozen=True)
class DemoOptions:
    n: int = 200
    root: Path = Path("var/demo")
    keep: bool = False
    seed: int = 1
    concurrency: int = 8
    grace_s: float = 2.0
    apr_cap_bps: int = 2_400


async def start(kids: Children, dep: Deployment, grace_s: float, say: Console) -> None:
    """Gateway, platform, bank (stopped in reverse: the bank flushes its events first); wait until all serve."""
    gw, grace = coloan_gw(), ["--grace", str(grace_s)]
    started = [
        kids.start("gateway", [*gw, "serve", "--config", str(dep.ws.config), *grace], dep.gateway),
        kids.start("platform", [*gw, "mock-platform", "--config", str(dep.platform_config), *grace], dep.platform),
        kids.start("bank", [*gw, "mock-bank", "--config", str(dep.bank_config), *grace], dep.bank),
    ]
    for child in started:
        say.print(escape(f"started {child.name} (pid {child.process.pid}) on {child.address}, log {child.log}"))
    credentials = channel_credentials(load_credentials(dep.ws.pki_dir, "ops"))
    await asyncio.gather(*(kids.ready(child, credentials) for child in started))
    say.print("gateway, mock platform and mock bank are serving")


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console)


async def drive(dep: Deployment, options: DemoOptions, console: Console) -> tuple[Tally, list[Result]]:
    """The platform's side: N journeys with a progress bar, then the deliberately bad calls."""
    ws = dep.ws
    signer = SigningInterceptor(ws.signing_key("platform"), ws.public_keys("gateway"), require_idempotency={DRAWDOWN})
    faker = CoLendingFaker(options.seed)
    async with PartnerChannel(ws.pki_dir, "platform", dep.gateway, interceptors=[signer]) as channel:
        driver = Driver(channel.stub(credit_pb2_grpc.CreditServiceStub), apr_cap_bps=options.apr_cap_bps,
                        seed=options.seed)
        console.print(f"driving {options.n} applications end to end as the platform")
        with _progress(console) as progress:
            task = progress.add_task("applications", total=options.n)
            tally = await drive_all(driver, cases(faker, options.n), concurrency=options.concurrency,
                                    advance=lambda: progress.advance(task))
        bad = await send_bad_calls(Caller(dep, channel, faker))
    return tally, bad


async def run_demo(options: DemoOptions, console: Console) -> int:
    """Run the whole demo and print its summary; 0 only if every expected outcome happened."""
    _stop_on_signals()
    began = time.monotonic()
    dep = prepare(options.root, apr_cap_bps=options.apr_cap_bps)
    try:
        with Children(dep.logs, wait_s=options.grace_s + 5) as kids:
            await start(kids, dep, options.grace_s, console)
            tally, bad = await drive(dep, options, console)
            missing = await await_events(tally.expected_events, lambda: read_ledger(dep.events))
            codes = kids.stop()
        for name in ("gateway.pub.pem", "gateway.kid"):  # what an auditor verifies the audit log with
            shutil.copyfile(dep.ws.signing_dir / name, dep.logs / name)
        run = Run(options.n, dep.logs, tally, bad, len(tally.expected_events), len(missing), codes,
                  {name: mock_stats(dep.logs / f"{name}.log", f"mock-{name}") for name in ("bank", "platform")},
                  read_jsonl(dep.ws.access_log), verify_log(dep.ws.audit_dir, dep.ws.public_keys("gateway")),
                  time.monotonic() - began, options.keep)
        run.verdict = verdict(run)
        render(console, run)
    finally:
        if not options.keep:
            tidy(dep.ws.root)
    return 0 if all(ok for _, ok in run.verdict) else 1


def _stop_on_signals() -> None:
    """SIGINT and SIGTERM cancel the demo (its children are stopped on the way out), even if inherited ignored."""
    task = asyncio.current_task()
    if task is not None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
