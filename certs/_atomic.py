"""Atomic file-system writes: a reader sees the old state or the new one, never a mix."""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from certs._errors import PKIStateError

KEY_MODE = 0o600
PUBLIC_MODE = 0o644
PRIVATE_DIR_MODE = 0o700


def write_file(path: Path, data: bytes, *, mode: int = PUBLIC_MODE) -> None:
    """Replace ``path`` with ``data`` by writing a temporary file beside it and renaming it over."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            _fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_dir(path: Path, files: Mapping[str, tuple[bytes, int]]) -> None:
    """Create directory ``path`` holding ``files`` (name -> (data, mode)); it appears complete or not at all."""
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    try:
        for name, (data, mode) in files.items():
            write_file(tmp / name, data, mode=mode)
        os.rename(tmp, path)
    except BaseException:
        remove_tree(tmp)
        raise
    fsync_dir(path.parent)


def swap_symlink(link: Path, target: str) -> None:
    """Point ``link`` at ``target`` in one rename, the way Kubernetes swaps a secret mount's ``..data``."""
    tmp = link.parent / f".{link.name}.{secrets.token_hex(4)}"
    os.symlink(target, tmp)
    try:
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(link.parent)


def make_dir(path: Path, mode: int = PRIVATE_DIR_MODE) -> None:
    """Create ``path`` and its parents if missing (new directories get ``mode``)."""
    path.mkdir(mode=mode, parents=True, exist_ok=True)


def remove_tree(path: Path) -> None:
    """Delete ``path`` and everything under it, not following symlinks out of it."""
    if path.is_symlink() or path.is_file():
        path.unlink()
        return
    if not path.exists():
        return
    for child in path.iterdir():
        remove_tree(child)
    path.rmdir()


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _fsync(fd)
    finally:
        os.close(fd)


def _fsync(fd: int) -> None:
    """Flush ``fd`` to stable storage (the one place to stub when a test does not need durability)."""
    os.fsync(fd)


@contextlib.contextmanager
def exclusive(lock_path: Path) -> Iterator[None]:
    """Hold the PKI's write lock so two commands never interleave their writes."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, KEY_MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PKIStateError(
                f"{lock_path}: another coloan-gw certs command is changing this PKI; wait for it and retry"
            ) from None
        yield
    finally:
        os.close(fd)
