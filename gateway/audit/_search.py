"""Searching records without storing personal values: keyed HMACs under a secret audit search key.

A record carries ``{"search": {"profile.resident_id": "hmac-sha256:<hex>"}}``; whoever
holds the key finds the records about a value by computing the same HMAC (as
Vault's audit hash does). The field path is part of the MAC input, so equal values
in different fields do not link. Without the key the hashes reveal nothing a
dictionary attack on the value space would not need the key for.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path

from gateway.audit._errors import SearchKeyError
from gateway.audit._merkle import leaf_hash
from gateway.audit._records import parse
from gateway.audit._segments import raw_lines
from gateway.audit._writer import record_id

KEY_BYTES = 32
PREFIX = "hmac-sha256:"
_DOMAIN = b"coloan-audit-search-v1\x00"
_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def search_hash(search_key: bytes, field_path: str, value: str) -> str:
    """``"hmac-sha256:<hex>"``: HMAC-SHA256(key, domain || field_path || 0x00 || value), UTF-8."""
    if _PATH.fullmatch(field_path) is None:
        raise ValueError("a field path is dot-separated identifiers, e.g. profile.resident_id")
    message = _DOMAIN + field_path.encode("ascii") + b"\x00" + value.encode("utf-8")
    return PREFIX + hmac.new(search_key, message, hashlib.sha256).hexdigest()


def searchable(search_key: bytes, values: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """The ``{"search": {path: hash}}`` part of a record, to merge into it: ``record | searchable(key, {...})``."""
    return {"search": {path: search_hash(search_key, path, value) for path, value in sorted(values.items())}}


def create_search_key(path: Path) -> None:
    """Write a new random search key to ``path`` (mode 0600); an existing file is never overwritten."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, secrets.token_bytes(KEY_BYTES))
        os.fsync(fd)
    finally:
        os.close(fd)


def load_search_key(path: Path) -> bytes:
    """Read a search key file: exactly 32 bytes, readable by its owner only."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SearchKeyError(f"{path}: the search key is accessible to group or others; fix: chmod 600 {path}")
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise SearchKeyError(f"{path}: a search key is {KEY_BYTES} bytes; fix: create one with "
                             "`coloan-gw audit init-key`")
    return key


def search(directory: Path, search_key: bytes, field_path: str, value: str) -> Iterator[tuple[str, bytes]]:
    """Every record whose ``search[field_path]`` is the hash of ``value``, as ``(record id, record line)``."""
    wanted = search_hash(search_key, field_path, value)
    for raw in raw_lines(directory):
        try:
            line = parse(raw.data)
        except ValueError:
            continue
        found = line.record.get("search")
        if isinstance(found, dict) and hmac.compare_digest(str(found.get(field_path, "")), wanted):
            yield record_id(line.index, leaf_hash(raw.data)), raw.data
