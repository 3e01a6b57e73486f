"""The log directory's files: segments of record lines named by their first index, and the checkpoints file.

    DIR/records-000000000000.jsonl   records 0..k-1, one line each
    DIR/records-<k, 12 digits>.jsonl  the next segment, started when the previous one is full
    DIR/checkpoints                  one signed checkpoint per line
    DIR/lock                         held (flock) by the one process appending
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHECKPOINTS = "checkpoints"
LOCK = "lock"
_SEGMENT = re.compile(r"records-([0-9]{12})\.jsonl")


def segment_name(start: int) -> str:
    return f"records-{start:012d}.jsonl"


def segments(directory: Path) -> list[tuple[int, Path]]:
    """Every segment of ``directory`` as ``(first index, path)``, in index order."""
    found = [(int(m.group(1)), directory / name) for name in os.listdir(directory)
             if (m := _SEGMENT.fullmatch(name)) is not None]
    return sorted(found)


@dataclass(frozen=True)
class RawLine:
    """One line of a segment as stored: its bytes without the newline, where it is, and whether it is torn."""

    segment: Path
    line_no: int
    position: int
    data: bytes
    torn: bool

    @property
    def where(self) -> str:
        return f"{self.segment.name} line {self.line_no}"


def split_lines(data: bytes) -> tuple[list[bytes], bytes]:
    """The complete lines of ``data`` and the bytes after its last newline (a torn line, or empty)."""
    *lines, rest = data.split(b"\n")
    return lines, rest


def raw_lines(directory: Path) -> Iterator[RawLine]:
    """Every line of every segment in order, torn ones (no final newline) flagged rather than dropped."""
    position = 0
    for _, path in segments(directory):
        lines, rest = split_lines(path.read_bytes())
        for number, data in enumerate(lines, 1):
            yield RawLine(path, number, position, data, False)
            position += 1
        if rest:
            yield RawLine(path, len(lines) + 1, position, rest, True)


def fsync_dir(directory: Path) -> None:
    """Make a directory's entries (a created, renamed or linked file) durable."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
