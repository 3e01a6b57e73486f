"""Versioned symmetric keys on disk: one JSON file per kind, written atomically with mode 0600.

    DIR/join.json              the token join key (never exported)
    DIR/encrypt-bank.json      the encryption key of each audience
    DIR/encrypt-platform.json
    DIR/encrypt-log.json

Each file holds every version of its kind and names the active one; old versions stay
so that ciphertexts made under them still open.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coloan.policy.v1 import options_pb2 as opts
from masking._errors import KeyringError

FORMAT = "coloan-keyring/1"
EXPORT_FORMAT = "coloan-recipient-key/1"
KEY_BYTES = 32
JOIN = "join"
AUDIENCES = (opts.BANK, opts.PLATFORM, opts.LOG)

Clock = Callable[[], datetime]
Random = Callable[[int], bytes]


def encrypt_kind(audience: int) -> str:
    """The key kind that encrypts for ``audience``, e.g. ``encrypt-bank``."""
    return f"encrypt-{opts.Audience.Name(audience).lower()}"


KINDS: tuple[str, ...] = (JOIN, *(encrypt_kind(a) for a in AUDIENCES))


@dataclass(frozen=True)
class Key:
    """One version of one kind of key; the material never appears in its repr."""

    kind: str
    version: int
    created: str
    material: bytes = field(repr=False)

    @property
    def key_id(self) -> str:
        return f"{self.kind}:{self.version}"


@dataclass(frozen=True)
class KeySet:
    """Every version of one kind and which one is active."""

    kind: str
    active: int
    versions: tuple[Key, ...]

    def get(self, version: int) -> Key | None:
        return next((k for k in self.versions if k.version == version), None)

    def to_json(self, **extra: object) -> bytes:
        doc: dict[str, Any] = {"format": FORMAT, "kind": self.kind, **extra, "active": self.active}
        doc["versions"] = [{"version": k.version, "created": k.created,
                            "key": base64.b64encode(k.material).decode()} for k in self.versions]
        return (json.dumps(doc, indent=2) + "\n").encode()


def parse_keyset(data: bytes, source: str) -> KeySet:
    """Read a key file (or an export); malformed content is a KeyringError naming ``source``."""
    try:
        doc = json.loads(data)
        kind = str(doc["kind"])
        versions = tuple(Key(kind, int(v["version"]), str(v["created"]), base64.b64decode(v["key"], validate=True))
                         for v in doc["versions"])
        keyset = KeySet(kind, int(doc["active"]), versions)
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise KeyringError(f"{source}: not a key file; fix: restore it or run coloan-gw keys init") from None
    if keyset.get(keyset.active) is None or any(len(k.material) != KEY_BYTES for k in versions):
        raise KeyringError(f"{source}: malformed key file (active version or key length); fix: restore it")
    return keyset


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(clock: Clock) -> str:
    return clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file, fsync, rename) with mode 0600."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _read_private(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyringError(f"{path}: key file is accessible to group or others "
                               f"(mode {stat.S_IMODE(mode):04o}); fix: chmod 600 {path}")
        return path.read_bytes()
    except OSError as exc:
        raise KeyringError(f"{path}: cannot read key file ({exc.strerror}); fix: check its owner and mode") from None


class Keyring:
    """The keys of one gateway: the join key and one encryption key per audience, each versioned."""

    def __init__(self, keysets: Mapping[str, KeySet], directory: Path | None = None) -> None:
        self._keysets = dict(keysets)
        self.directory = directory

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> Keyring:
        """Read every key file in ``directory``; a missing directory or unreadable file is a KeyringError."""
        path = Path(directory)
        if not path.is_dir():
            raise KeyringError(f"keyring {path} does not exist; fix: coloan-gw keys init --dir {path}")
        keysets = {}
        for kind in KINDS:
            file = path / f"{kind}.json"
            if file.exists():
                keysets[kind] = parse_keyset(_read_private(file), str(file))
        return cls(keysets, path)

    @classmethod
    def init(cls, directory: str | os.PathLike[str], *, clock: Clock = _now,
             random: Random = os.urandom) -> Keyring:
        """Create ``directory`` (mode 0700) and every kind of key it lacks; existing keys are left alone."""
        path = Path(directory)
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        keyring = cls.load(path)
        for kind in KINDS:
            if kind not in keyring._keysets:
                keyring = keyring._with(KeySet(kind, 1, (Key(kind, 1, _stamp(clock), random(KEY_BYTES)),)))
        return keyring

    @classmethod
    def ephemeral(cls, *, random: Random = os.urandom, clock: Clock = _now) -> Keyring:
        """A keyring held in memory only, with every kind: for tests, benchmarks and ``--explain``."""
        created = _stamp(clock)
        return cls({k: KeySet(k, 1, (Key(k, 1, created, random(KEY_BYTES)),)) for k in KINDS})

    def _with(self, keyset: KeySet) -> Keyring:
        if self.directory is not None:
            write_private(self.directory / f"{keyset.kind}.json", keyset.to_json())
        return Keyring({**self._keysets, keyset.kind: keyset}, self.directory)

    def rotate(self, kind: str, *, clock: Clock = _now, random: Random = os.urandom) -> Keyring:
        """Add a new active version of ``kind`` (written to disk first), keeping the old ones."""
        old = self.keyset(kind)
        version = max(k.version for k in old.versions) + 1
        key = Key(kind, version, _stamp(clock), random(KEY_BYTES))
        return self._with(KeySet(kind, version, (*old.versions, key)))

    def keyset(self, kind: str) -> KeySet:
        """Every version of ``kind``; a KeyringError naming the key when the keyring lacks it."""
        if kind not in KINDS:
            raise KeyringError(f"unknown key kind {kind!r}; fix: use one of {', '.join(KINDS)}")
        keyset = self._keysets.get(kind)
        if keyset is None:
            where = self.directory or "the keyring"
            raise KeyringError(f"key {kind} is missing from {where}; fix: coloan-gw keys init --dir {where}")
        return keyset

    def active(self, kind: str) -> Key:
        keyset = self.keyset(kind)
        return keyset.get(keyset.active)  # type: ignore[return-value]

    def keysets(self) -> list[KeySet]:
        return [self._keysets[k] for k in KINDS if k in self._keysets]

    def export(self, audience: int, path: Path | None = None) -> bytes:
        """The key material a recipient's Decryptor loads: every version of that audience's encryption key.

        With ``path`` it is also written there, atomically and with mode 0600.
        """
        keyset = self.keyset(encrypt_kind(audience))
        data = json.loads(keyset.to_json(audience=opts.Audience.Name(audience)))
        data["format"] = EXPORT_FORMAT
        out = (json.dumps(data, indent=2) + "\n").encode()
        if path is not None:
            write_private(path, out)
        return out
