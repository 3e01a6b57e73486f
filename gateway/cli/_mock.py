"""``coloan-gw mock-bank`` and ``coloan-gw mock-platform``: the mock partners, behind a running gateway."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path

import click

from coloan.v1 import credit_pb2_grpc
from gateway.errors import StartupError
from gateway.fake import CoLendingFaker
from gateway.mock import (
    BankApp,
    Driver,
    MockConfig,
    PlatformApp,
    Tally,
    await_events,
    cases,
    drive_all,
    gateway_channel,
    load,
    run,
)

_CONFIG = click.option("--config", "file", required=True, type=click.Path(dir_okay=False, path_type=Path),
                       help="The mock's TOML (coloan-gw demo --keep writes bank.toml and platform.toml).")
_GRACE = click.option("--grace", type=click.FloatRange(0, 300), default=5.0, show_default=True,
                      help="Seconds in-flight calls (and queued events) get to finish on SIGTERM/SIGINT.")


def _say(line: str) -> None:
    click.echo(line, err=True)


def _config(file: Path, role: str) -> MockConfig:
    config = load(file)
    if config.role != role:
        raise StartupError(f"{file}: mock.role: is {config.role}; fix: run coloan-gw mock-{config.role} with it")
    return config


@click.command("mock-bank")
@_CONFIG
@_GRACE
def mock_bank(file: Path, grace: float) -> None:
    """Serve the mock bank's CreditService to the gateway until SIGTERM or SIGINT.

    Only calls the gateway countersigned are served; loan status updates and risk
    alerts go to the platform through the gateway.
    """
    config = _config(file, "bank")

    async def main() -> int:
        return await run(BankApp(config, say=_say), "mock-bank", grace, _say)

    sys.exit(asyncio.run(main()))


@click.command("mock-platform")
@_CONFIG
@_GRACE
@click.option("--drive", "n", type=click.IntRange(0), default=0, show_default=True,
              help="Client mode: drive N applications through the gateway, wait for their events, report, exit.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the generated applications.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True)
def mock_platform(file: Path, grace: float, n: int, seed: int, concurrency: int) -> None:
    """Serve the mock platform's LoanEventService to the gateway, recording every event it receives.

    With --drive N it also acts as the platform's client: N Faker applications end to
    end (assess, drawdown, repayments, loan query), then exits 0 only if every call
    succeeded, every check held and every expected event arrived.
    """
    config = _config(file, "platform")

    async def main() -> int:
        app = PlatformApp(config)
        return await run(app, "mock-platform", grace, _say, (lambda: _drive(config, app, n, seed, concurrency))
                         if n else None)

    sys.exit(asyncio.run(main()))


async def _drive(config: MockConfig, app: PlatformApp, n: int, seed: int, concurrency: int) -> int:
    async with gateway_channel(config) as channel:
        driver = Driver(channel.stub(credit_pb2_grpc.CreditServiceStub), apr_cap_bps=config.apr_cap_bps, seed=seed)
        tally = await drive_all(driver, cases(CoLendingFaker(seed), n), concurrency=concurrency)
    missing = await await_events(tally.expected_events, lambda: app.ledger.ids)
    _report(tally, len(missing))
    return 0 if not tally.failures and not missing else 1


def _report(tally: Tally, missing: int) -> None:
    calls = Counter(f"{r.method} {r.outcome}" for r in tally.calls)
    for line in sorted(calls):
        click.echo(f"{line}: {calls[line]}")
    click.echo(f"decisions: {dict(tally.decisions)}; loans {tally.loans}, repayments {tally.repayments}, "
               f"idempotent replays {tally.replays}")
    total = sum(tally.checks.values())
    click.echo(f"checks: {total - len(tally.failures)} of {total} held")
    for failure in tally.failures[:20]:
        click.echo(f"failed: {failure}")
    click.echo(f"events: {len(tally.expected_events) - missing} of {len(tally.expected_events)} received")
