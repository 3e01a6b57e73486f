"""Audit log appends per second: fsync per record vs group commit vs no fsync, at concurrency 1 and 32.

Usage: python bench/audit.py [--records N] [--repeats R] [--dir DIR]

Each run appends N records (~1 KB each, like a gateway audit record) through
``append_async`` from C concurrent coroutines into a fresh log under DIR (default: a
temporary directory; put it on the disk the gateway will use, since the fsync cost is
the disk's). Prints the best of R interleaved repeats, records per fsync, and each
figure's ratio to fsync-per-record at concurrency 1. "no fsync" uses a Disk that skips
the sync: it measures everything else and is not a mode the log offers.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/masking.py would shadow the masking package that gateway imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

from gateway.audit import AuditLog, FsyncPolicy, OsDisk  # noqa: E402
from gateway.signing import SigningKey  # noqa: E402

KEY = SigningKey.generate("gateway/bench-1")
CONCURRENCY = (1, 32)


class _CountingDisk:
    """The real disk, optionally without the sync, counting syncs to show how many records share one."""

    def __init__(self, sync: bool) -> None:
        self._real, self._sync, self.syncs = OsDisk(), sync, 0

    def append(self, fd: int, data: bytes, *, sync: bool) -> None:
        self._real.append(fd, data, sync=sync and self._sync)
        self.syncs += sync


@dataclass(frozen=True)
class Mode:
    name: str
    fsync: FsyncPolicy
    sync: bool


MODES = (Mode("fsync per record", "always", True), Mode("group commit", "batch", True),
         Mode("no fsync", "batch", False))


def _record(i: int) -> dict[str, Any]:
    return {"request_id": f"{i:032x}", "method": "/coloan.v1.CreditService/AssessCredit", "status": "OK",
            "caller": "platform", "spiffe_id": "spiffe://coloan.local/platform/platform", "cert_serial": "5a3f19",
            "received_sha256": "ab" * 32, "forwarded_sha256": "cd" * 32, "consent_id": "CONSENT-20260601-0001",
            "policy_version": "3f2a9c1d0e4b5a67", "signature_key_ids": ["platform/20260601-1", "gateway/20260601-1"],
            "masking": [{"path": f"profile.field_{k}", "action": "encrypt", "key_version": "encrypt-bank/1"}
                        for k in range(6)],
            "search": {"profile.resident_id": "hmac-sha256:" + "ef" * 32}}


async def _appends(log: AuditLog, records: int, concurrency: int) -> None:
    async def worker(start: int) -> None:
        for i in range(start, records, concurrency):
            await log.append_async(_record(i), deadline_s=30)

    await asyncio.gather(*(worker(w) for w in range(concurrency)))


def _run(base: Path, mode: Mode, concurrency: int, records: int) -> tuple[float, float]:
    """Appends per second and records per fsync of one run into a fresh directory."""
    disk = _CountingDisk(mode.sync)
    with tempfile.TemporaryDirectory(dir=base) as directory:
        log = AuditLog(directory, KEY, bytes(32), fsync=mode.fsync, disk=disk, checkpoint_every=1_000_000,
                       checkpoint_seconds=3600)
        before = disk.syncs
        start = time.perf_counter()
        asyncio.run(_appends(log, records, concurrency))
        elapsed = time.perf_counter() - start
        syncs = disk.syncs - before
        log.close()
    return records / elapsed, records / max(syncs, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as base:
        best: dict[tuple[str, int], tuple[float, float]] = {}
        for _ in range(args.repeats):
            for mode in MODES:
                for c in CONCURRENCY:
                    rate, per_sync = _run(Path(base), mode, c, args.records)
                    if rate > best.get((mode.name, c), (0.0, 0.0))[0]:
                        best[(mode.name, c)] = (rate, per_sync)
    print(f"audit appends, {args.records} records x best of {args.repeats}; {platform.python_version()}, "
          f"{platform.machine()}, dir {args.dir or tempfile.gettempdir()}")
    baseline = best[(MODES[0].name, 1)][0]
    print(f"{'mode':<18}{'concurrency':>12}{'appends/s':>12}{'µs/append':>11}{'records/fsync':>15}{'ratio':>8}")
    for mode in MODES:
        for c in CONCURRENCY:
            rate, per_sync = best[(mode.name, c)]
            shown = f"{per_sync:.1f}" if mode.sync else "-"
            print(f"{mode.name:<18}{c:>12}{rate:>12,.0f}{1e6 / rate:>11.1f}{shown:>15}{rate / baseline:>8.2f}")


if __name__ == "__main__":
    main()
