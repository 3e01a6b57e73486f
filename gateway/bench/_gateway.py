"""The bench's gateway process: ``python -m gateway.bench._gateway CONFIG [SWITCHES] [--profile FILE]``.

It runs ``Gateway`` as ``coloan-gw serve`` does, with two switches the CLI does not
offer: ``--passthrough`` (every policy stage off) and ``--no-audit`` (every stage on
but the audit log, as if the config had no audit; only for measuring what the audit
log costs). It prints ``ready <port>`` and serves until SIGTERM. With ``--profile``
the event loop thread (where every stage runs) is profiled by cProfile from SIGUSR1
(it prints ``profiling``) until SIGTERM, so warm-up calls stay out of the profile,
and the statistics are written to FILE on the way out.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import signal
from pathlib import Path

from gateway import _config
from gateway._server import Gateway


def _start(profiler: cProfile.Profile) -> None:
    profiler.enable()
    print("profiling", flush=True)


def load(config: Path, *, audit: bool = True) -> _config.GatewayConfig:
    """The gateway config at ``config``; with ``audit=False`` the same config with the audit log disabled."""
    loaded = _config.load(config)
    return loaded if audit else dataclasses.replace(loaded, audit=None)


async def serve(config: Path, passthrough: bool, profile: Path | None, audit: bool = True) -> None:
    """Serve until SIGTERM or SIGINT; the profile covers SIGUSR1 to SIGTERM."""
    gateway = Gateway(load(config, audit=audit), passthrough=passthrough)
    port = await gateway.start()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    profiler = cProfile.Profile()
    if profile is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, _start, profiler)
    print(f"ready {port}", flush=True)
    await stop.wait()
    if profile is not None:
        profiler.disable()
        profiler.dump_stats(str(profile))
    await gateway.stop(0)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m gateway.bench._gateway")
    parser.add_argument("config", type=Path)
    parser.add_argument("--passthrough", action="store_true")
    parser.add_argument("--no-audit", action="store_true", help="disable the audit log (every other stage stays on)")
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    asyncio.run(serve(args.config, args.passthrough, args.profile, audit=not args.no_audit))


if __name__ == "__main__":
    main()
