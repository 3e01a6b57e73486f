"""The response an idempotency record keeps, and its one stable byte encoding shared by every backend.

Encoding, version 1: one line of compact ASCII JSON with sorted keys, a newline, then the body::

    {"counts":[["redact",3]],"metadata":[["x-coloan-signature","..."]],"v":1}\\n<body bytes>

JSON escapes every newline inside strings, so the first newline always ends the header.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from gateway.state._errors import BackendError

VERSION = 1


@dataclass(frozen=True)
class StoredResponse:
    """What a replay returns instead of forwarding again: the body, its metadata pairs and small counts.

    ``metadata`` keeps order and repeats, as gRPC metadata does; ``counts`` carries numbers the
    access log wants on a replay too (e.g. masking receipt counts).
    """

    body: bytes
    metadata: tuple[tuple[str, str], ...] = ()
    counts: tuple[tuple[str, int], ...] = ()


def encode_response(response: StoredResponse) -> bytes:
    """The version-1 bytes of ``response``; equal responses always encode to equal bytes."""
    metadata, counts = [list(p) for p in response.metadata], [list(p) for p in response.counts]
    head = {"v": VERSION, "metadata": metadata, "counts": counts}
    text = json.dumps(head, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return text.encode("ascii") + b"\n" + response.body


def decode_response(data: bytes) -> StoredResponse:
    """The response ``encode_response`` wrote; anything else is an unreadable record (``BackendError``)."""
    head, sep, body = data.partition(b"\n")
    try:
        fields = json.loads(head)
        if not sep or fields["v"] != VERSION:
            raise ValueError("unknown version")
        return StoredResponse(body, _pairs(fields["metadata"], str), _pairs(fields["counts"], int))
    except (ValueError, KeyError, TypeError) as exc:
        raise BackendError("a stored idempotency record is unreadable") from exc


def _pairs(items: Any, kind: type[Any]) -> tuple[tuple[str, Any], ...]:
    """``[[name, value], ...]`` with string names and values of ``kind``, as a tuple of pairs."""
    out = tuple((name, value) for name, value in items)
    if not all(isinstance(n, str) and type(v) is kind for n, v in out):
        raise TypeError("malformed pairs")
    return out
