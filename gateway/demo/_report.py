"""What the demo reads back after a run: the gateway's access log and the mocks' closing stats lines.

The access log is the gateway's own account (one JSON line per call, never a value);
it gives calls per method and status, latencies, fields desensitized per audience
and action, signatures verified, and refusals by reason.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.mock import CallRecord

Record = dict[str, Any]


def read_jsonl(path: Path) -> list[Record]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def mock_stats(log: Path, name: str) -> dict[str, Any]:
    """The stats a mock prints as it stops (``coloan-gw <name>: stats {...}``); empty if it never did."""
    prefix = f"coloan-gw {name}: stats "
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
    found = [line[len(prefix):] for line in lines if line.startswith(prefix)]
    return dict(json.loads(found[-1])) if found else {}


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def short(method: str) -> str:
    """``/coloan.v1.CreditService/Drawdown`` -> ``CreditService/Drawdown``."""
    return method.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class MethodRow:
    """One method as the gateway saw it, and, for the calls the demo made, as its client saw them."""

    method: str
    statuses: dict[str, int]
    gateway_ms: tuple[float, float]
    client_ms: tuple[float, float] | None


def method_rows(records: Iterable[Record], client: Iterable[CallRecord]) -> list[MethodRow]:
    statuses: dict[str, Counter[str]] = {}
    gateway: dict[str, list[float]] = {}
    for r in records:
        name = short(r["method"])
        statuses.setdefault(name, Counter())[r["status"]] += 1
        gateway.setdefault(name, []).append(r["total_ms"])
    seen: dict[str, list[float]] = {}
    for call in client:
        seen.setdefault(f"CreditService/{call.method}", []).append(call.ms)
    return [MethodRow(name, dict(statuses[name]), (percentile(gateway[name], 50), percentile(gateway[name], 99)),
                      (percentile(seen[name], 50), percentile(seen[name], 99)) if name in seen else None)
            for name in sorted(statuses)]


def masking(records: Iterable[Record], audience_of: dict[str, str]) -> Counter[tuple[str, str]]:
    """Fields desensitized per (audience, action): requests for their receiver, responses for their caller."""
    counts: Counter[tuple[str, str]] = Counter()
    for r in records:
        for action, n in (r.get("masked") or {}).items():
            counts[(r["audience"], action)] += n
        for action, n in (r.get("masked_response") or {}).items():
            counts[(audience_of.get(r["caller"], "?"), action)] += n
    return counts


def verified_requests(records: Iterable[Record]) -> int:
    """Partner request signatures the gateway verified (over the exact bytes, fresh, never seen)."""
    return sum(1 for r in records if r["signature"]["result"] == "valid")


def verified_responses(records: Iterable[Record]) -> int:
    """Upstream response signatures the gateway verified: every call that reached the upstream and ended OK.

    A retry the gateway answers from its idempotency store has no upstream time and is not counted.
    """
    return sum(1 for r in records if r["status"] == "OK" and r.get("upstream_ms") is not None)


def answered_from_store(records: Iterable[Record]) -> int:
    """Retries (same idempotency key, same bytes) the gateway answered without calling the upstream again."""
    return sum(1 for r in records if r["status"] == "OK" and r.get("idempotency") == "replayed")


def rejections(records: Iterable[Record]) -> Counter[tuple[str, str, str]]:
    """Refused calls per (method, status, reason), as logged by the gateway."""
    return Counter((short(r["method"]), r["status"], r["reason"] or "-") for r in records if r["status"] != "OK")


def ok_calls(records: Iterable[Record]) -> Counter[str]:
    return Counter(short(r["method"]) for r in records if r["status"] == "OK")
