"""``coloan-gw fake``: realistic, reproducible Chinese borrower records for testers."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import click
from rich.console import Console
from rich.progress import Progress

from gateway._files import atomic_output
from gateway.fake import FORMATS, KINDS, CoLendingFaker, generate, today_utc


def _as_of(_: click.Context, __: click.Parameter, value: str | None) -> datetime:
    if value is None:
        return today_utc()
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("expected an ISO date or date-time, e.g. 2026-12-01") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@contextlib.contextmanager
def _sink(path: Path | None) -> Iterator[IO[bytes]]:
    if path is None:
        yield sys.stdout.buffer
    else:
        with atomic_output(path) as out:
            yield out


@click.command()
@click.argument("kind", type=click.Choice(sorted(KINDS)))
@click.option("-n", "count", type=click.IntRange(min=0), default=10, show_default=True, help="How many records.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed and --as-of, same bytes.")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="jsonl", show_default=True,
              help="jsonl: protobuf JSON mapping, one record a line; binary: length-delimited protobuf.")
@click.option("--invalid-ratio", type=click.FloatRange(0.0, 1.0), default=0.0, show_default=True,
              help="Share of records that each break exactly one named validation rule.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (whole or not at all) instead of stdout.")
@click.option("--expect", type=click.Path(dir_okay=False, path_type=Path),
              help="Write one JSON line per record saying valid, or which rule and field it breaks "
                   "(default with -o and --invalid-ratio: OUTPUT.expect.jsonl).")
@click.option("--as-of", callback=_as_of, help="Reference time of the records (default: today 00:00 UTC).")
@click.option("--bank", default="bank", show_default=True, help="Partner name the consents are given to.")
def fake(kind: str, count: int, seed: int, fmt: str, invalid_ratio: float, output: Path | None,
         expect: Path | None, as_of: datetime, bank: str) -> None:
    """Generate KIND records (applications, profiles, decisions, ...) from Faker's zh_CN locale."""
    if expect is None and invalid_ratio > 0:
        if output is None:
            raise click.UsageError("--invalid-ratio needs -o or --expect, to say which rule each record breaks")
        expect = output.with_name(output.name + ".expect.jsonl")
    records = generate(kind, count, CoLendingFaker(seed, as_of=as_of, bank=bank), invalid_ratio)
    write = FORMATS[fmt]
    with _sink(output) as out, _sink(expect) if expect else contextlib.nullcontext() as side, _progress(
            count, output is not None) as advance:
        for record in records:
            write(record.message, out)
            if side is not None:
                side.write(json.dumps(record.expectation()).encode() + b"\n")
            advance()


@contextlib.contextmanager
def _progress(total: int, show: bool) -> Iterator[Callable[[], None]]:
    console = Console(stderr=True)
    if not show or total < 1_000 or not console.is_terminal:
        yield lambda: None
        return
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("generating", total=total)
        yield lambda: progress.advance(task)
