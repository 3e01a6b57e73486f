"""Record lines: canonical JSON of ``{"index", "logged_ms", "prev", "record"}``, one per line, UTF-8.

Canonical means sorted keys, no spaces, no NaN, non-ASCII kept as UTF-8: the bytes
of a line are a function of its content, so an auditor re-encoding a parsed line
must get the same bytes, and the leaf hash covers exactly those bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_KEYS = ("index", "logged_ms", "prev", "record")
GENESIS = "0" * 64  # the ``prev`` of record 0: no record before it


def canonical(value: Any) -> bytes:
    """The canonical JSON encoding of ``value``; a value JSON cannot carry raises ``TypeError``/``ValueError``."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def envelope(index: int, logged_ms: int, prev: str, record_json: bytes) -> bytes:
    """One record line without its newline; equal to ``canonical`` of the envelope (keys already in order)."""
    head = f'{{"index":{index},"logged_ms":{logged_ms},"prev":"{prev}","record":'
    return head.encode("ascii") + record_json + b"}"


@dataclass(frozen=True)
class Line:
    """A parsed record line: where the writer put it (``index``), when, what it chained to, and the record."""

    index: int
    logged_ms: int
    prev: str
    record: Mapping[str, Any]


def parse(data: bytes) -> Line:
    """Parse one record line (without newline); ``ValueError`` unless it is canonical and well formed."""
    value = json.loads(data.decode("utf-8"))
    if not isinstance(value, dict) or tuple(sorted(value)) != _KEYS:
        raise ValueError("not a record envelope")
    index, logged_ms, prev, record = (value[k] for k in _KEYS)
    if not (_natural(index) and _natural(logged_ms) and isinstance(prev, str) and isinstance(record, dict)):
        raise ValueError("envelope fields of the wrong type")
    if canonical(value) != data:
        raise ValueError("not canonical JSON")
    return Line(index, logged_ms, prev, record)


def _natural(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
