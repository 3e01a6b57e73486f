"""Open the fields the gateway encrypted for this partner's audience, in a received message.

Which fields hold ciphertexts is read from the schema, exactly as the masking engine
does: a string or bytes field (singular, repeated, map value, or its wrapper type)
whose rule for the audience is ``encrypt``. Each ciphertext is bound to the root
message type and the field path the engine used (``profile.mobile``,
``schedule[2].note``, ``tags[7]``; a string map key shows as ``*``), so the walk here
rebuilds those paths. The walk for each message type is compiled once and cached.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message

from coloan.policy.v1 import options_pb2 as opts
from gateway.sdk._errors import FieldNotDecrypted
from masking import DecryptError, Decryptor, fields, rule_for

M = TypeVar("M", bound=Message)
Open = Callable[[Any, str], Any]
Kind = Literal["one", "repeated", "map"]
_WRAPPERS = frozenset({"google.protobuf.StringValue", "google.protobuf.BytesValue"})


def _key_text(key: object) -> str:
    """A map key as the masking engine writes it into a path; string keys are never shown."""
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key) if isinstance(key, int) else "*"


def _items(msg: Any, name: str, kind: Kind) -> Iterator[tuple[str, Any, Any]]:
    """``(shown index, key, value)`` of each element of a repeated or map field."""
    container = getattr(msg, name)
    if kind == "map":
        return ((_key_text(k), k, v) for k, v in list(container.items()))
    return ((str(i), i, v) for i, v in enumerate(container))


class _Walk:
    """The steps of one message type; filled after creation so recursive types work."""

    __slots__ = ("steps",)

    def __init__(self) -> None:
        self.steps: tuple[Callable[[Any, str, Open], None], ...] = ()

    def run(self, msg: Any, prefix: str, open_: Open) -> None:
        for step in self.steps:
            step(msg, prefix, open_)


@dataclass(frozen=True, slots=True)
class _Cipher:
    """An encrypted field: a string or bytes value, or the ``value`` of its wrapper message."""

    name: str
    kind: Kind
    wrapper: bool

    def __call__(self, msg: Any, prefix: str, open_: Open) -> None:
        if self.kind == "one":
            self._one(msg, prefix + self.name, open_)
            return
        container = getattr(msg, self.name)
        for shown, key, value in _items(msg, self.name, self.kind):
            path = f"{prefix}{self.name}[{shown}]"
            if self.wrapper:
                value.value = open_(value.value, path)
            else:
                container[key] = open_(value, path)

    def _one(self, msg: Any, path: str, open_: Open) -> None:
        if self.wrapper:
            if msg.HasField(self.name):
                inner = getattr(msg, self.name)
                inner.value = open_(inner.value, path)
        elif value := getattr(msg, self.name):
            setattr(msg, self.name, open_(value, path))


@dataclass(frozen=True, slots=True)
class _Nested:
    """A message field whose type (or whose elements' type) has encrypted fields somewhere below."""

    name: str
    kind: Kind
    walk: _Walk

    def __call__(self, msg: Any, prefix: str, open_: Open) -> None:
        if self.kind == "one":
            if msg.HasField(self.name):
                self.walk.run(getattr(msg, self.name), f"{prefix}{self.name}.", open_)
            return
        for shown, _, value in _items(msg, self.name, self.kind):
            self.walk.run(value, f"{prefix}{self.name}[{shown}].", open_)


class FieldDecryptor:
    """Decrypts the fields encrypted for ``audience`` (e.g. ``options_pb2.BANK``) with its exported key material.

    ``key_material`` is what ``coloan-gw keys export --audience ...`` wrote: every
    version of that audience's key, so ciphertexts made before a key rotation still open.
    """

    def __init__(self, key_material: bytes, audience: int) -> None:
        self._decryptor = Decryptor(key_material, audience)
        self._audience = cast(opts.Audience, audience)
        self._walks: dict[str, _Walk] = {}
        self._ready: dict[str, _Walk] = {}
        self._compiling: set[str] = set()
        self._lock = threading.Lock()

    def decrypt(self, message: M) -> M:
        """A copy of ``message`` with every field encrypted for this audience opened; ``message`` is unchanged.

        ``FieldNotDecrypted`` (naming the field path, never a value) if one does not open.
        """
        copy = type(message)()
        copy.CopyFrom(message)
        desc = cast(Descriptor, copy.DESCRIPTOR)
        root = desc.full_name
        self._walk(desc).run(copy, "", lambda value, path: self._open(value, root, path))
        return copy

    def _open(self, value: str | bytes, root: str, path: str) -> str | bytes:
        try:
            return self._decryptor.decrypt(value, root, path)
        except DecryptError:
            raise FieldNotDecrypted(root, path) from None

    def _walk(self, desc: Descriptor) -> _Walk:
        walk = self._ready.get(desc.full_name)
        if walk is None:
            with self._lock:
                walk = self._compile(desc)
                self._ready = dict(self._walks)  # every walk is complete once the outermost compile returns
        return walk

    def _compile(self, desc: Descriptor) -> _Walk:
        if desc.full_name in self._walks:
            return self._walks[desc.full_name]
        walk = self._walks[desc.full_name] = _Walk()
        self._compiling.add(desc.full_name)
        steps: list[Callable[[Any, str, Open], None]] = []
        for f in fields(desc):
            kind: Kind = "map" if f.is_map else "repeated" if f.desc.is_repeated else "one"
            if f.nested is not None:
                recursive = f.nested.full_name in self._compiling
                child = self._compile(f.nested)
                if recursive or child.steps:
                    steps.append(_Nested(f.desc.name, kind, child))
            elif f.is_stringlike and rule_for(f.policy, self._audience).WhichOneof("action") == "encrypt":
                steps.append(_Cipher(f.desc.name, kind, f.wkt in _WRAPPERS))
        walk.steps = tuple(steps)
        self._compiling.discard(desc.full_name)
        return walk


def decrypt_fields(message: M, audience: int, key_material: bytes) -> M:
    """A copy of ``message`` with its fields encrypted for ``audience`` opened; see ``FieldDecryptor``."""
    return FieldDecryptor(key_material, audience).decrypt(message)
