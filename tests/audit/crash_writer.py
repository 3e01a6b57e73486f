"""Child process of test_crash.py: append records concurrently forever (bounded), printing each acknowledgement.

Usage: python crash_writer.py DIRECTORY KEY_PEM

A line ``<index> <leaf hash>`` is printed only after ``append_async`` returned, that
is after the record was fsynced: the parent kills this process with SIGKILL at an
arbitrary moment and then checks that every printed record survived.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from gateway.audit import AuditLog
from gateway.signing import SigningKey


async def _one(log: AuditLog, n: int) -> None:
    receipt = await log.append_async({"n": n, "pad": "x" * (n % 300)}, deadline_s=30)
    sys.stdout.write(f"{receipt.index} {receipt.leaf_hash}\n")
    sys.stdout.flush()


async def main(directory: Path, key: SigningKey) -> None:
    log = AuditLog(directory, key, bytes(32), checkpoint_every=50)
    for start in range(0, 200_000, 16):  # bounded; the parent kills it long before the end
        await asyncio.gather(*(_one(log, start + i) for i in range(16)))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), SigningKey.from_pem_file("gateway/test-1", sys.argv[2])))
