"""Start-up: read the log directory back, cut a torn tail, and refuse a log that contradicts its checkpoints.

A crash can leave, after the last acknowledged record, a partial line or (on file
systems that extend a file before its data lands) lines of garbage. Everything
from the first line that does not continue the log is cut, but only beyond the
last checkpoint: damage that a checkpoint covers is tampering or lost data, and
the log refuses to open so that nothing is appended to it (``coloan-gw audit verify``
says what is wrong).
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from gateway.audit._checkpoint import Checkpoint
from gateway.audit._errors import AuditLogError, ProofError
from gateway.audit._merkle import CompactRange, LeafHashes, leaf_hash
from gateway.audit._records import GENESIS, parse
from gateway.audit._segments import CHECKPOINTS, segment_name, segments, split_lines


@dataclass(frozen=True)
class Recovery:
    """What opening the log found: records and checkpoints kept, torn bytes cut from each file's end."""

    records: int
    checkpoints: int
    cut_record_bytes: int
    cut_checkpoint_bytes: int


@dataclass
class LogState:
    """The log as recovered: the tree of its records, the open segment, the latest checkpoint."""

    leaves: LeafHashes
    tree: CompactRange
    last: bytes
    segment: tuple[int, Path, int]
    checkpoints_size: int
    checkpoint: Checkpoint | None
    recovery: Recovery


def _fix(directory: Path) -> str:
    return f"fix: run `coloan-gw audit verify {directory}`, keep the directory as evidence, start on a new one"


def _read_checkpoints(directory: Path) -> tuple[list[Checkpoint], int, int]:
    """The checkpoints, the byte length of the lines kept, and the length of the torn tail after them.

    A torn or unreadable tail (a crash while checkpointing) is cut; an unreadable line
    followed by a readable one is not a crash's doing, and refuses the log.
    """
    path = directory / CHECKPOINTS
    if not path.exists():
        return [], 0, 0
    data = path.read_bytes()
    found: list[Checkpoint] = []
    kept = 0
    for line in data.split(b"\n")[:-1]:
        try:
            checkpoint = Checkpoint.parse(line.decode("ascii"))
        except (ProofError, UnicodeDecodeError):
            break
        found.append(checkpoint)
        kept += len(line) + 1
    if any(_readable(line) for line in data[kept:].split(b"\n")):
        raise AuditLogError(f"{path}: line {len(found) + 1} is not a checkpoint; {_fix(directory)}")
    return found, kept, len(data) - kept


def _readable(line: bytes) -> bool:
    try:
        Checkpoint.parse(line.decode("ascii"))
    except (ProofError, UnicodeDecodeError):
        return False
    return True


def _cut(path: Path, size: int) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    finally:
        os.close(fd)


class _Loader:
    """Replays the segments into a tree, checking each checkpoint's root as its size is reached."""

    def __init__(self, directory: Path, checkpoints: list[Checkpoint]) -> None:
        self.directory = directory
        self.leaves, self.tree, self.last = LeafHashes(), CompactRange(), bytes.fromhex(GENESIS)
        self.covered = max((c.tree_size for c in checkpoints), default=0)
        self.roots: dict[int, set[bytes]] = defaultdict(set)
        for c in checkpoints:
            self.roots[c.tree_size].add(c.root)
        self._check_roots()

    def segment(self, start: int, path: Path, is_last: bool) -> int:
        """Replay one segment; returns its good length in bytes (the rest is cut, or refused)."""
        if start != self.tree.size:
            raise AuditLogError(f"{path}: starts at record {start}, after {self.tree.size} records; "
                                f"{_fix(self.directory)}")
        lines, _ = split_lines(path.read_bytes())
        good = 0
        for data in lines:
            if not self._continues(data):
                break
            self._add(leaf_hash(data))
            good += len(data) + 1
        if (not is_last or self.tree.size < self.covered) and good != path.stat().st_size:
            raise AuditLogError(f"{path}: record {self.tree.size} is damaged or missing although a checkpoint "
                                f"covers {self.covered} records; {_fix(self.directory)}")
        return good

    def _continues(self, data: bytes) -> bool:
        try:
            line = parse(data)
        except ValueError:
            return False
        return line.index == self.tree.size and line.prev == self.last.hex()

    def _add(self, leaf: bytes) -> None:
        self.leaves.append(leaf)
        self.tree.append(leaf)
        self.last = leaf
        self._check_roots()

    def _check_roots(self) -> None:
        roots = self.roots.get(self.tree.size)
        if roots and roots != {self.tree.root()}:
            raise AuditLogError(f"{self.directory / CHECKPOINTS}: the checkpoint at size {self.tree.size} does not "
                                f"match the records; {_fix(self.directory)}")


def load(directory: Path) -> LogState:
    """Read ``directory`` back (creating nothing but cutting torn tails); raise ``AuditLogError`` if it lies."""
    checkpoints, cp_size, cp_torn = _read_checkpoints(directory)
    loader = _Loader(directory, checkpoints)
    found = segments(directory)
    cut, segment = 0, (0, directory / segment_name(0), 0)
    for i, (start, path) in enumerate(found):
        good = loader.segment(start, path, i == len(found) - 1)
        cut += path.stat().st_size - good
        if path.stat().st_size != good:
            _cut(path, good)
        segment = (start, path, good)
    if loader.tree.size < loader.covered:
        raise AuditLogError(f"{directory}: {loader.tree.size} records but a checkpoint covers {loader.covered}: "
                            f"records were deleted; {_fix(directory)}")
    if cp_torn:
        _cut(directory / CHECKPOINTS, cp_size)
    recovery = Recovery(loader.tree.size, len(checkpoints), cut, cp_torn)
    latest = max(reversed(checkpoints), key=lambda c: c.tree_size, default=None)
    return LogState(loader.leaves, loader.tree, loader.last, segment, cp_size, latest, recovery)
