"""The bench's gateway process: ``python -m gateway.bench._gateway CONFIG [--passthrough] [--profile FILE]``.

It runs ``Gateway`` as ``coloan-gw serve`` does, with the pass-through switch the CLI
does not offer, prints ``ready <port>`` and serves until SIGTERM. With ``--profile``
the event loop thread (where every stage runs) is profiled by cProfile from SIGUSR1
(it prints ``profiling``) until SIGTERM, so warm-up calls stay out of the profile,
and the statistics are written to FILE on the way out.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import signal
from pathlib import Path

from gateway import _config
from gateway._server import Gateway


def _start(profiler: cProfile.Profile) -> None:
    profiler.enable()
    print("profiling", flush=True)


async def serve(config: Path, passthrough: bool, profile: Path | None) -> None:
    """Serve until SIGTERM or SIGINT; the profile covers SIGUSR1 to SIGTERM."""
    gateway = Gateway(_config.load(config), passthrough=passthrough)
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
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    asyncio.run(serve(args.config, args.passthrough, args.profile))


if __name__ == "__main__":
    main()
