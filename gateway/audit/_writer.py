"""The writer thread: the only code that appends, so record order, indexes and the tree have one owner.

Callers enqueue canonical record bytes and wait on a future. The thread takes what
is queued (one request under ``fsync="always"``, up to ``max_batch`` under
``"batch"``), writes the lines with one ``write`` and one ``fdatasync`` (group commit),
and only then adds their leaves to the tree and resolves the futures. A failed
write resolves them with ``AuditUnavailable`` and leaves tree and file as before.
"""

from __future__ import annotations

import errno
import threading
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import structlog

from gateway.audit._checkpoint import Checkpoint
from gateway.audit._disk import Disk
from gateway.audit._errors import AuditUnavailable
from gateway.audit._file import AppendFile
from gateway.audit._merkle import leaf_hash
from gateway.audit._records import envelope
from gateway.audit._recover import LogState
from gateway.audit._segments import CHECKPOINTS, segment_name
from gateway.signing import Clock, SigningKey

FsyncPolicy = Literal["always", "batch"]
_log = structlog.get_logger("gateway.audit")


@dataclass(frozen=True)
class AuditReceipt:
    """Where a record landed: ``record_id`` is ``"<index>-<first 8 hex digits of its leaf hash>"``."""

    record_id: str
    index: int
    leaf_hash: str


def record_id(index: int, leaf: bytes) -> str:
    return f"{index}-{leaf.hex()[:8]}"


@dataclass(frozen=True)
class WriterOptions:
    """How often to checkpoint, how to batch fsyncs, how much may wait, how large a segment grows."""

    checkpoint_every: int = 256
    checkpoint_seconds: float = 5.0
    fsync: FsyncPolicy = "batch"
    max_batch: int = 512
    max_pending: int = 4096
    segment_bytes: int = 64 << 20


class _Request:
    """One queued record (or, with ``record`` None, a request for a checkpoint) and the future that answers it."""

    __slots__ = ("future", "record")

    def __init__(self, record: bytes | None) -> None:
        self.record = record
        self.future: Future[object] = Future()


class Writer:
    """Owns the open files and the tree; other threads read the tree only under ``lock``."""

    def __init__(self, directory: Path, state: LogState, key: SigningKey, clock: Clock, disk: Disk,
                 options: WriterOptions) -> None:
        self.state, self.lock = state, threading.Lock()
        self._dir, self._key, self._clock, self._disk, self._opts = directory, key, clock, disk, options
        _, path, size = state.segment
        self._segment = AppendFile(path, size, create=not path.exists())
        cps = directory / CHECKPOINTS
        self._checkpoints = AppendFile(cps, state.checkpoints_size, create=not cps.exists())
        self._cp_size = state.checkpoint.tree_size if state.checkpoint else -1
        self._cp_ms, self._overdue = clock.now_ms(), self._cp_size != state.tree.size
        self._cond = threading.Condition()
        self._pending: deque[_Request] = deque()
        self._closing, self._failing = False, ""
        self._thread = threading.Thread(target=self._run, name="coloan-audit-writer", daemon=True)

    def start(self) -> None:
        """Checkpoint the recovered state (retried later if the disk refuses now), then start the thread."""
        self._checkpoint_quietly()
        self._thread.start()

    def submit(self, record: bytes | None) -> Future[object]:
        """Queue a record (or a checkpoint request); refuses at once when closed or when too much is waiting."""
        request = _Request(record)
        with self._cond:
            if self._closing:
                raise AuditUnavailable("audit_closed", "the audit log is closed")
            if len(self._pending) >= self._opts.max_pending:
                raise AuditUnavailable("audit_backlog", "too many audit records are waiting to be written")
            self._pending.append(request)
            self._cond.notify()
        return request.future

    def close(self, timeout: float) -> None:
        """Write what is queued and a final checkpoint, stop the thread, close the files."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._segment.close()
            self._checkpoints.close()

    def _run(self) -> None:
        try:
            while (batch := self._take()) is not None:
                self._commit(batch)
                self._checkpoint_quietly()
        finally:
            self._drain()

    def _take(self) -> list[_Request] | None:
        with self._cond:
            if not self._pending and not self._closing:
                self._cond.wait(timeout=min(max(self._opts.checkpoint_seconds / 4, 0.01), 1.0))
            if not self._pending:
                return None if self._closing else []
            count = 1 if self._opts.fsync == "always" else self._opts.max_batch
            return [self._pending.popleft() for _ in range(min(count, len(self._pending)))]

    def _drain(self) -> None:
        """On the way out: refuse whatever is still queued, then checkpoint what was written."""
        with self._cond:
            self._closing = True
            left, self._pending = list(self._pending), deque()
        for request in left:
            if request.future.set_running_or_notify_cancel():
                request.future.set_exception(AuditUnavailable("audit_closed", "the audit log is closed"))
        self._checkpoint_quietly(force=True)

    def _commit(self, batch: list[_Request]) -> None:
        live = [r for r in batch if r.future.set_running_or_notify_cancel()]
        records = [r for r in live if r.record is not None]
        if records:
            self._write_records(records)
        marks = [r for r in live if r.record is None]
        if marks:
            self._answer_checkpoint(marks)

    def _write_records(self, requests: list[_Request]) -> None:
        try:
            if self._overdue:
                self._write_checkpoint()  # a failed checkpoint first: nothing is acknowledged while it fails
            self._roll_if_full()
            data, leaves = self._lines(requests)
            self._segment.write(self._disk, data)
        except OSError as exc:
            self._refuse(requests, exc)
            return
        self._accept(requests, leaves)

    def _lines(self, requests: list[_Request]) -> tuple[bytes, list[bytes]]:
        index, prev, now = self.state.tree.size, self.state.last, self._clock.now_ms()
        lines, leaves = [], []
        for i, request in enumerate(requests):
            assert request.record is not None
            line = envelope(index + i, now, prev.hex(), request.record)
            prev = leaf_hash(line)
            lines.append(line)
            leaves.append(prev)
        return b"\n".join(lines) + b"\n", leaves

    def _accept(self, requests: list[_Request], leaves: list[bytes]) -> None:
        base = self.state.tree.size
        with self.lock:
            for leaf in leaves:
                self.state.leaves.append(leaf)
                self.state.tree.append(leaf)
            self.state.last = leaves[-1]
        if self._failing:
            _log.info("audit_write_recovered", after=self._failing)
            self._failing = ""
        for i, (request, leaf) in enumerate(zip(requests, leaves, strict=True)):
            request.future.set_result(AuditReceipt(record_id(base + i, leaf), base + i, leaf.hex()))

    def _note(self, exc: OSError, event: str) -> str:
        """Log a failure once per change of errno (not once per refused call); returns the errno's name."""
        code = errno.errorcode.get(exc.errno or 0, "EIO")
        if self._failing != code:
            _log.warning(event, errno=code, file=exc.filename, problem=exc.strerror)
            self._failing = code
        return code

    def _refuse(self, requests: list[_Request], exc: OSError) -> None:
        code = self._note(exc, "audit_write_failed")
        for request in requests:
            request.future.set_exception(
                AuditUnavailable("audit_write_failed", f"the audit log cannot be written ({code}: {exc.strerror})"))

    def _roll_if_full(self) -> None:
        if self._segment.size < self._opts.segment_bytes:
            return
        self._segment.ready()  # a full segment is closed only once a failed write's bytes are cut from it
        fresh = AppendFile(self._dir / segment_name(self.state.tree.size), 0, create=True)
        self._segment.close()
        self._segment = fresh

    def _due(self) -> bool:
        size = self.state.tree.size
        if size == self._cp_size:
            return False
        waited = self._clock.now_ms() - self._cp_ms >= self._opts.checkpoint_seconds * 1000
        return self._overdue or waited or size - self._cp_size >= self._opts.checkpoint_every

    def _write_checkpoint(self) -> Checkpoint:
        now, size, root = self._clock.now_ms(), self.state.tree.size, self.state.tree.root()
        checkpoint = Checkpoint.sign(self._key, size, root, now)
        try:
            self._checkpoints.write(self._disk, f"{checkpoint.line()}\n".encode("ascii"))
        except OSError:
            self._overdue = True
            raise
        with self.lock:
            self.state.checkpoint = checkpoint
        self._cp_size, self._cp_ms, self._overdue = size, now, False
        return checkpoint

    def _checkpoint_quietly(self, *, force: bool = False) -> None:
        if not (self._due() or (force and self.state.tree.size != self._cp_size)):
            return
        try:
            self._write_checkpoint()
        except OSError as exc:
            self._note(exc, "audit_checkpoint_failed")

    def _answer_checkpoint(self, marks: list[_Request]) -> None:
        try:
            current = self.state.checkpoint
            done = current if current and current.tree_size == self.state.tree.size else self._write_checkpoint()
        except OSError as exc:
            for mark in marks:
                mark.future.set_exception(AuditUnavailable("audit_write_failed", f"no checkpoint ({exc.strerror})"))
            return
        for mark in marks:
            mark.future.set_result(done)
