"""``AuditLog``: open (and recover) a log directory, append records durably, checkpoint, prove inclusion."""

from __future__ import annotations

import asyncio
import concurrent.futures
import fcntl
import os
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import structlog

from gateway.audit._checkpoint import Checkpoint
from gateway.audit._disk import Disk, OsDisk
from gateway.audit._errors import AuditLogError, AuditUnavailable
from gateway.audit._proof import InclusionProof, build_proof
from gateway.audit._records import canonical
from gateway.audit._recover import Recovery, load
from gateway.audit._search import searchable
from gateway.audit._segments import LOCK
from gateway.audit._writer import AuditReceipt, FsyncPolicy, Writer, WriterOptions
from gateway.signing import Clock, SigningKey, SystemClock

_log = structlog.get_logger("gateway.audit")


def _lock(directory: Path) -> int:
    """Hold the directory's lock for this process's lifetime: two writers would fork the log."""
    fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise AuditLogError(f"{directory}: the audit log is in use by another process; fix: give each gateway "
                            "process its own audit directory") from None
    return fd


class AuditLog:
    """A Merkle-tree log of audit records in ``directory``, checkpoints signed with ``signing_key``.

    Opening recovers the directory (see ``recovery``) and checkpoints it. ``append``
    and ``append_async`` return only once the record is on stable storage, or raise
    ``AuditUnavailable`` within ``deadline_s``; the gateway forwards a call only after.
    """

    def __init__(self, directory: str | Path, signing_key: SigningKey, search_key: bytes, *,
                 checkpoint_every: int = 256, checkpoint_seconds: float = 5.0, fsync: FsyncPolicy = "batch",
                 clock: Clock | None = None, disk: Disk | None = None, max_batch: int = 512,
                 max_pending: int = 4096, segment_bytes: int = 64 << 20) -> None:
        if fsync not in ("always", "batch") or checkpoint_every < 1 or checkpoint_seconds <= 0:
            raise ValueError("fsync is 'always' or 'batch'; checkpoint_every and checkpoint_seconds are positive")
        self.directory = Path(directory)
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise AuditLogError(f"{self.directory}: cannot create the audit directory ({exc.strerror})") from None
        self._lock = _lock(self.directory)
        self._search_key = search_key
        options = WriterOptions(checkpoint_every, checkpoint_seconds, fsync, max_batch, max_pending, segment_bytes)
        try:
            state = load(self.directory)
            self._writer = Writer(self.directory, state, signing_key, clock or SystemClock(), disk or OsDisk(), options)
        except BaseException:
            os.close(self._lock)
            raise
        self.recovery: Recovery = state.recovery
        if state.recovery.cut_record_bytes or state.recovery.cut_checkpoint_bytes:
            _log.warning("audit_torn_tail_cut", records=state.recovery.cut_record_bytes,
                         checkpoints=state.recovery.cut_checkpoint_bytes)
        self._writer.start()

    @property
    def size(self) -> int:
        """How many records are durable."""
        with self._writer.lock:
            return self._writer.state.tree.size

    @property
    def latest_checkpoint(self) -> Checkpoint | None:
        with self._writer.lock:
            return self._writer.state.checkpoint

    def searchable(self, values: Mapping[str, str]) -> dict[str, dict[str, str]]:
        """``{"search": {path: "hmac-sha256:..."}}`` for ``values``, under this log's search key."""
        return searchable(self._search_key, values)

    def append(self, record: Mapping[str, Any], *, deadline_s: float = 5.0) -> AuditReceipt:
        """Append ``record`` (JSON values only) and wait until it is durable; ``AuditUnavailable`` otherwise."""
        future = self._writer.submit(canonical(dict(record)))
        try:
            result = future.result(timeout=deadline_s)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise _timeout(deadline_s) from None
        assert isinstance(result, AuditReceipt)
        return result

    async def append_async(self, record: Mapping[str, Any], *, deadline_s: float) -> AuditReceipt:
        """As ``append``, without blocking the event loop: the writer thread does the I/O, batching with others."""
        future = self._writer.submit(canonical(dict(record)))
        try:
            result = await asyncio.wait_for(asyncio.wrap_future(future), deadline_s)
        except TimeoutError:
            future.cancel()
            raise _timeout(deadline_s) from None
        assert isinstance(result, AuditReceipt)
        return result

    def checkpoint(self, *, deadline_s: float = 5.0) -> Checkpoint:
        """A checkpoint of every record written so far (a new one unless the latest already covers them)."""
        future = self._writer.submit(None)
        try:
            result = future.result(timeout=deadline_s)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise _timeout(deadline_s) from None
        assert isinstance(result, Checkpoint)
        return result

    def prove(self, index: int) -> InclusionProof:
        """An inclusion proof of record ``index`` against the latest checkpoint (checkpointing first if needed)."""
        latest = self.latest_checkpoint
        if latest is None or latest.tree_size <= index < self.size:
            latest = self.checkpoint()
        with self._writer.lock:
            leaves = self._writer.state.leaves.snapshot(latest.tree_size)
        return build_proof(leaves, index, latest)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued and a final checkpoint, then release the directory."""
        if self._lock >= 0:
            self._writer.close(timeout)
            os.close(self._lock)
            self._lock = -1

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def _timeout(deadline_s: float) -> AuditUnavailable:
    return AuditUnavailable("audit_timeout", f"the audit record was not durable within {deadline_s:g}s")
