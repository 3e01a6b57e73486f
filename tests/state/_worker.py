"""One process of the cross-process race: ``python _worker.py URL PREFIX N``.

It opens the stores from ``URL``, prints ``ready``, waits for a line on stdin (so every
process starts together), then tries nonces ``n0..`` and claims keys ``k0..`` and prints
which ones it won as JSON.
"""

from __future__ import annotations

import json
import sys

from gateway.signing import SystemClock
from gateway.state import Claimed, open_stores


def main(url: str, prefix: str, n: int) -> None:
    stores = open_stores(url, prefix=prefix)
    print("ready", flush=True)
    sys.stdin.readline()
    later = SystemClock().now_ms() + 600_000
    fresh = [i for i in range(n) if stores.nonces.check_and_store("req:platform", f"n{i}", later)]
    begun = (stores.idempotency.begin("platform/Drawdown", f"k{i}", "d" * 64, 600_000) for i in range(n))
    claimed = [i for i, claim in enumerate(begun) if isinstance(claim, Claimed)]
    print(json.dumps({"fresh": fresh, "claimed": claimed}), flush=True)
    stores.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
