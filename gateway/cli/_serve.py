"""``coloan-gw serve`` and ``coloan-gw config check``: run the gateway, or say what stops it from running."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import click

from gateway import _config
from gateway._server import Gateway
from gateway._workers import check_workers, run_workers
from gateway.cli._errors import USER_ERRORS, format_error


@click.group("config")
def config_group() -> None:
    """Check gateway configuration files."""


@config_group.command("check")
@click.argument("file", type=click.Path(path_type=Path))
def check_cmd(file: Path) -> None:
    """Report every problem of FILE (file, key, what is wrong, how to fix it); exit 1 if there is any."""
    problems = _config.check(file)
    for problem in problems:
        click.echo(f"error: {problem}")
    if problems:
        sys.exit(1)
    config = _config.load(file)
    click.echo(f"ok: {file}: {len(config.partners)} partners, listening on {config.listen}")


@click.command()
@click.option("--config", "file", required=True, type=click.Path(path_type=Path), help="The gateway.toml to run.")
@click.option("--grace", type=click.FloatRange(0, 300), default=10.0, show_default=True,
              help="Seconds in-flight calls get to finish on SIGTERM/SIGINT.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Gateway processes sharing the port (SO_REUSEPORT); they share state through gateway.state.")
@click.option("--worker", type=int, hidden=True, help="This process's number among --workers (set by the parent).")
def serve(file: Path, grace: float, workers: int, worker: int | None) -> None:
    """Run the gateway until SIGTERM or SIGINT, then drain in-flight calls and exit 0.

    SIGHUP re-reads the key material (partners' signing keys, the gateway's signing key, the masking
    keyring) without dropping a call; certificates and trust bundles are picked up by themselves.
    """
    config = _config.load(file)
    check_workers(config, workers)
    if workers > 1:
        sys.exit(run_workers(file, workers, grace))
    asyncio.run(_serve(config, grace, worker))


def _reloader(gateway: Gateway) -> Callable[[], None]:
    def reload() -> None:
        try:
            gateway.reload()
        except USER_ERRORS as exc:
            click.echo(f"coloan-gw: reload refused, still serving the previous keys: {format_error(exc)}", err=True)
        else:
            click.echo("coloan-gw: reloaded keys", err=True)
    return reload


async def _serve(config: _config.GatewayConfig, grace: float, worker: int | None) -> None:
    gateway = Gateway(config, worker=worker)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, _reloader(gateway))
    port = await gateway.start()
    click.echo(f"coloan-gw: serving {len(gateway.methods)} methods on port {port} "
               f"(policy {gateway.policy_version})", err=True)
    await stop.wait()
    click.echo("coloan-gw: stopping; draining in-flight calls", err=True)
    await gateway.stop(grace)
