"""One append-only file the log owns (a segment or the checkpoints file), kept equal to what was acknowledged.

Before every write it checks that the path still names the open file and that the
file holds exactly the acknowledged bytes: a removed file is restored from the
still-open descriptor, a replaced one is adopted only if it is a byte-identical copy,
and bytes of a failed write are truncated away. A check that cannot pass raises
``OSError`` and is tried again before the next write, so the log heals by itself.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from gateway.audit._disk import Disk
from gateway.audit._segments import fsync_dir

_FLAGS = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1 << 20


class AppendFile:
    """An open append-only file and the number of its bytes that are durable and acknowledged."""

    def __init__(self, path: Path, size: int, *, create: bool = False) -> None:
        self.path = path
        self.size = size
        self.fd = os.open(path, _FLAGS | (os.O_EXCL if create else 0), 0o600)
        self._dirty = os.fstat(self.fd).st_size != size
        if create:
            fsync_dir(path.parent)

    def write(self, disk: Disk, data: bytes) -> None:
        """Append ``data`` durably; after a failure the file is cut back to the acknowledged bytes."""
        self.ready()
        try:
            disk.append(self.fd, data, sync=True)
        except OSError:
            self._dirty = True
            self._cut()
            raise
        self.size += len(data)

    def ready(self) -> None:
        """Raise ``OSError`` unless the path names this file and the file holds exactly the acknowledged bytes."""
        mine = os.fstat(self.fd)
        try:
            there = os.stat(self.path)
        except FileNotFoundError:
            return self._restore()
        if (there.st_dev, there.st_ino) != (mine.st_dev, mine.st_ino):
            return self._adopt()
        if mine.st_size < self.size:
            raise OSError(errno.EIO, "shorter than the records already acknowledged", str(self.path))
        if self._dirty or mine.st_size > self.size:
            self._dirty = True
            self._cut(strict=True)
        return None

    def close(self) -> None:
        os.close(self.fd)

    def _cut(self, *, strict: bool = False) -> None:
        try:
            os.ftruncate(self.fd, self.size)
            os.fsync(self.fd)
            self._dirty = False
        except OSError:
            if strict:
                raise

    def _restore(self) -> None:
        """The path was removed: write the acknowledged bytes to a new file there, then append to it."""
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".restore")
        try:
            self._copy_to(fd)
            os.fsync(fd)
            os.link(tmp, self.path)
        finally:
            os.close(fd)
            os.unlink(tmp)
        fsync_dir(self.path.parent)
        self._switch(os.open(self.path, _FLAGS, 0o600))

    def _adopt(self) -> None:
        """The path names another file: append to it only if it starts with exactly the acknowledged bytes."""
        fd = os.open(self.path, _FLAGS, 0o600)
        if os.fstat(fd).st_size < self.size or not self._same_prefix(fd):
            os.close(fd)
            raise OSError(errno.EEXIST, "replaced by a file that is not this log's", str(self.path))
        self._switch(fd)
        self._dirty = os.fstat(fd).st_size != self.size
        if self._dirty:
            self._cut(strict=True)

    def _switch(self, fd: int) -> None:
        os.close(self.fd)
        self.fd = fd

    def _copy_to(self, fd: int) -> None:
        for offset in range(0, self.size, _CHUNK):
            chunk = os.pread(self.fd, min(_CHUNK, self.size - offset), offset)
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view):]

    def _same_prefix(self, fd: int) -> bool:
        for offset in range(0, self.size, _CHUNK):
            n = min(_CHUNK, self.size - offset)
            if os.pread(fd, n, offset) != os.pread(self.fd, n, offset):
                return False
        return True
