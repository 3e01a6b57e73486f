"""Keeping the last good value loaded from files, reloaded only when their ``os.stat`` signature changes.

Atomic renames and symlink swaps (the way Kubernetes updates a secret mount) change the inode that
``os.stat`` reports through the links, so a handful of ``stat`` calls notices every kind of update.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Generic, TypeVar

from certs._errors import PKIError

T = TypeVar("T")
Signature = tuple[tuple[int, int, int, int, int] | None, ...]


def signature(paths: Sequence[str]) -> Signature:
    """What ``os.stat`` says about each path (following symlinks); ``None`` for a missing one."""
    out: list[tuple[int, int, int, int, int] | None] = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            out.append(None)
            continue
        out.append((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    return tuple(out)


class Reloader(Generic[T]):
    """Calls ``load`` again only when the watched files change; a failed load keeps the previous value."""

    def __init__(self, paths: Sequence[Path], load: Callable[[], T]) -> None:
        self._paths = tuple(str(p) for p in paths)
        self._load = load
        self._lock = threading.Lock()
        self._state: tuple[Signature | None, T | None] = (None, None)
        self.last_error: str | None = None

    def get(self) -> T:
        """The current value: a few ``stat`` calls when nothing changed, a reload when something did."""
        now = signature(self._paths)
        seen, value = self._state
        if now != seen:
            with self._lock:
                if self._state[0] != now:
                    self._reload(now)
                value = self._state[1]
        if value is None:
            raise PKIError(self.last_error or "nothing loaded yet")
        return value

    def _reload(self, before: Signature) -> None:
        previous = self._state[1]
        try:
            value = self._load()
        except (PKIError, OSError, ValueError) as exc:
            self.last_error = f"{exc}; keeping the previous good version" if previous is not None else str(exc)
            self._state = (before, previous)
            return
        self.last_error = None
        self._state = (before, value)
