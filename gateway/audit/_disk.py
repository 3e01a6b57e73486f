"""The disk as a one-method seam: append bytes to an open file and make them durable.

``OsDisk`` is the real one; ``FaultyDisk`` is its fake, which fails with a chosen
errno (after writing a chosen number of bytes, like a real short write), or blocks,
so tests can show the log refuses in time and heals without a real full disk.
"""

from __future__ import annotations

import errno
import os
import threading
from typing import Protocol

_datasync = getattr(os, "fdatasync", os.fsync)


class Disk(Protocol):
    """Writes all of ``data`` at the end of ``fd`` and, if ``sync``, returns only once it is on stable storage."""

    def append(self, fd: int, data: bytes, *, sync: bool) -> None: ...


class OsDisk:
    """``write(2)`` until everything is written, then ``fdatasync(2)`` (``fsync`` where there is none)."""

    def append(self, fd: int, data: bytes, *, sync: bool) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if sync:
            _datasync(fd)


class FaultyDisk:
    """A disk that works until told to fail or to block; counts the syncs it made."""

    def __init__(self) -> None:
        self._real = OsDisk()
        self._errno: int | None = None
        self._partial = 0
        self._open = threading.Event()
        self._open.set()
        self.syncs = 0

    def fail(self, code: int = errno.ENOSPC, *, partial: int = 0) -> None:
        """Fail every append with ``code``, after writing its first ``partial`` bytes."""
        self._errno, self._partial = code, partial

    def block(self) -> None:
        """Hang every append (as a stalled disk does) until ``heal``; bounded so a broken test cannot hang."""
        self._open.clear()

    def heal(self) -> None:
        self._errno = None
        self._open.set()

    def append(self, fd: int, data: bytes, *, sync: bool) -> None:
        self._open.wait(timeout=30)
        if self._errno is not None:
            os.write(fd, data[: self._partial])
            raise OSError(self._errno, os.strerror(self._errno))
        self._real.append(fd, data, sync=sync)
        self.syncs += sync
