"""Fixtures of the audit tests: a gateway key, its public key set, a log directory, logs filled with records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.audit import AuditLog, AuditReceipt
from gateway.signing import ManualClock, PublicKeySet, SigningKey

SEARCH_KEY = bytes(range(32))
T0 = 1_780_300_800_000
KEY = SigningKey.generate("gateway/test-1")
KEYS = PublicKeySet.of(KEY)


def record(i: int) -> dict[str, Any]:
    """A small access-style record; ``n`` is the record's own number, to find it again."""
    return {"request_id": f"req-{i:04d}", "method": "/coloan.v1.CreditService/AssessCredit", "status": "OK", "n": i}


def open_log(directory: Path, **options: Any) -> AuditLog:
    options.setdefault("clock", ManualClock(T0))
    return AuditLog(directory, KEY, SEARCH_KEY, **options)


def fill(directory: Path, count: int, **options: Any) -> list[AuditReceipt]:
    """Append ``count`` records to the log in ``directory`` and close it (which checkpoints the end)."""
    with open_log(directory, **options) as log:
        start = log.size
        return [log.append(record(start + i)) for i in range(count)]


def lines(directory: Path, segment: str = "records-000000000000.jsonl") -> list[bytes]:
    return (directory / segment).read_bytes().splitlines(keepends=True)


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path / "audit"


@pytest.fixture
def log(log_dir: Path) -> Iterator[AuditLog]:
    with open_log(log_dir) as opened:
        yield opened
