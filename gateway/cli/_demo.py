"""``coloan-gw demo``: run the co-lending flow end to end on loopback and summarize it."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click
from rich.console import Console

from gateway.demo import DemoOptions, run_demo


@click.command()
@click.option("-n", "--n", "n", type=click.IntRange(1, 100_000), default=200, show_default=True,
              help="How many applications to drive end to end.")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("var/demo"),
              show_default=True, help="The workspace; a previous demo's is recreated, anything else is refused.")
@click.option("--keep", is_flag=True, help="Keep the workspace's keys, certificates and configs (logs always stay).")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the generated applications.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Applications in flight at once.")
def demo(n: int, directory: Path, keep: bool, seed: int, concurrency: int) -> None:
    """Start a gateway, a mock bank and a mock platform on loopback; drive N applications through them.

    Shows progress, then a summary: calls per method and status with latencies,
    fields desensitized per audience and action, signatures verified, deliberately
    bad calls and their refusals, and where the logs are. Exits 0 only if every
    expected outcome happened; every process it started is stopped, also on Ctrl-C.
    """
    console = Console()
    if not console.is_terminal:
        console.width = max(console.width, 120)
    options = DemoOptions(n=n, root=directory, keep=keep, seed=seed, concurrency=concurrency)
    try:
        code = asyncio.run(run_demo(options, console))
    except (KeyboardInterrupt, asyncio.CancelledError):
        click.echo("coloan-gw demo: interrupted; every process it started has been stopped", err=True)
        code = 130
    sys.exit(code)
