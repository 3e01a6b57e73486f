"""``coloan-gw bench``: direct, pass-through, full gateway and full with the audit log off, side by side on loopback."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from gateway._files import atomic_output
from gateway.bench import Options, plot, quick_options, render, run, to_json


def _levels(_: click.Context, __: click.Parameter, value: str) -> tuple[int, ...]:
    try:
        levels = tuple(int(part) for part in value.split(","))
    except ValueError:
        raise click.BadParameter("expected comma-separated integers, e.g. 1,8,32") from None
    if not levels or any(n < 1 or n > 256 for n in levels):
        raise click.BadParameter("every level must be between 1 and 256")
    return levels


@click.command()
@click.option("--levels", default="1,8,32", show_default=True, callback=_levels,
              help="Concurrency levels (concurrent calls from one client process).")
@click.option("--requests", type=click.IntRange(1, 20_000), default=None,
              help="Measured calls per mode at every level [default: 300/1000/2000 at 1/8/32; --quick: 40/120/200].")
@click.option("--quick", is_flag=True, help="A smoke-sized run: one round, short warm-up (well under 20 s).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the results as JSON.")
@click.option("--plot", "plot_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a latency and throughput plot (PNG; needs matplotlib).")
@click.option("--profile", is_flag=True, help="Also profile the full path in a separate gateway process (cProfile).")
@click.option("--state", metavar="URL",
              help="The gateways' replay and idempotency store (e.g. memory:) [default: the gateway's default].")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the workspace, logs and profile under this directory instead of a temporary one.")
def bench(levels: tuple[int, ...], requests: int | None, quick: bool, json_file: Path | None,
          plot_file: Path | None, profile: bool, state: str | None, workdir: Path | None) -> None:
    """Measure AssessCredit direct, through a bare gateway hop, and through the full gateway with its audit log
    on and off.

    Prints requests/s, p50/p99 latency and CPU µs per call of the client, gateway and
    bank processes for each mode and concurrency level, the ratios (audit on / off
    included, with the audit log's fsync policy), and the targets met.
    """
    settings = {"levels": levels, "requests": requests, "profile": profile, "state": state, "workdir": workdir}
    options = quick_options(**settings) if quick else Options(**settings)  # type: ignore[arg-type]
    console = Console(stderr=True, highlight=False)
    report = run(options, say=lambda line: console.print(f"[dim]{line}[/dim]", soft_wrap=True))
    render(report, Console(highlight=False, width=None if sys.stdout.isatty() else 120))
    if json_file is not None:
        with atomic_output(json_file) as out:
            out.write(json.dumps(to_json(report), indent=2, ensure_ascii=False).encode() + b"\n")
    if plot_file is not None:
        problem = plot(report.levels, plot_file)
        click.echo(f"coloan-gw: {problem}" if problem else f"plot written to {plot_file}", err=bool(problem))
