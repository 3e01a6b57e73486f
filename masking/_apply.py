"""The steps a compiled plan runs: one small callable per field that does something.

Every step is called as ``step(message, prefix, call)``: ``prefix`` is the path of the
message inside the root (``""`` or ``"profile."``), ``call`` the per-application state.
Values are only ever passed to transforms, never recorded: a step records
``(prefix, (suffix, action, key version))`` and the receipt joins the path when read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

Rec = tuple[str, str, str | None]
"""What a step records: the path suffix after the prefix, the action, the key version."""
Record = tuple[str, Rec]


class Call:
    """Per-application state: the root message type (for ciphertext binding) and the decisions so far."""

    __slots__ = ("out", "root")

    def __init__(self, root: str) -> None:
        self.root = root
        self.out: list[Record] = []


class Step(Protocol):
    def __call__(self, msg: Any, prefix: str, call: Call, /) -> None: ...


class PlanRef:
    """A cell for the steps of a nested message type, filled once compiled (so recursive types work)."""

    __slots__ = ("steps",)

    def __init__(self) -> None:
        self.steps: tuple[Step, ...] = ()

    def run(self, msg: Any, prefix: str, call: Call) -> None:
        for step in self.steps:
            step(msg, prefix, call)


def key_text(key: object) -> str:
    """A map key as it appears in a path; string keys are never shown."""
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key) if isinstance(key, int) else "*"


@dataclass(frozen=True, slots=True)
class DropSet:
    """Clear a presence-tracked field (message, wrapper, ``optional``, oneof member) that is set."""

    name: str
    rec: Rec

    def __call__(self, msg: Any, prefix: str, call: Call) -> None:
        if msg.HasField(self.name):
            msg.ClearField(self.name)
            call.out.append((prefix, self.rec))


@dataclass(frozen=True, slots=True)
class DropNonEmpty:
    """Clear an implicit-presence scalar, repeated field or map that is not empty."""

    name: str
    rec: Rec

    def __call__(self, msg: Any, prefix: str, call: Call) -> None:
        if getattr(msg, self.name):
            msg.ClearField(self.name)
            call.out.append((prefix, self.rec))


@dataclass(frozen=True, slots=True)
class Value:
    """Transform a singular scalar that is not empty."""

    name: str
    fn: Callable[[Any], Any]
    rec: Rec

    def __call__(self, msg: Any, prefix: str, call: Call) -> None:
        v = getattr(msg, self.name)
        if v:
            setattr(msg, self.name, self.fn(v))
            call.out.append((prefix, self.rec))


@dataclass(frozen=True, slots=True)
class Scalars:
    """The ``Value`` and ``DropNonEmpty`` steps of one message fused into one loop (``fn`` None: drop)."""

    items: tuple[tuple[str, Callable[[Any], Any] | None, Rec], ...]

    def __call__(self, msg: Any, prefix: str, call: Call) -> None:
        out = call.out
        for name, fn, rec in self.items:
            v = getattr(msg, name)
            if v:
                if fn is None:
                    msg.ClearField(name)
                else:
                    setattr(msg, name, fn(v))
                out.append((prefix, rec))


def fuse(steps: list[Step]) -> tuple[Step, ...]:
    """Fuse a message's plain scalar steps into one ``Scalars`` step, placed first; the others follow."""
    items = tuple((s.name, s.fn if isinstance(s, Value) else None, s.rec)
                  for s in steps if isinstance(s, Value | DropNonEmpty))
    rest = tuple(s for s in steps if not isinstance(s, Value | DropNonEmpty))
    return ((Scalars(items),) if items else ()) + rest


@dataclass(frozen=True, slots=True)
class SealedValue:
    """Encrypt a singular scalar, bound to the root message type and the field's path."""

    name: str
    fn: Callable[[Any, str, str], Any]
    rec: Rec

    def __call__(self, msg: Any, prefix: str, call: Call) -> None:
        v = getattr(msg, self.name)
        if v:
            setattr(msg, self.name, self.fn(v, call.root, prefix + self.name))
            call.out.append((prefix, self.rec))


@dataclass(frozen=True, slots=True)
class Values:
    """Transform each element of a repeated scalar field, or each value of a map."""

    name: str
    fn: Callable[..., Any]
    rec: Rec
    bound: bool
    is_map: bool

    def __call__(self, msg: Any, prefix: str, call: Call) -> None:
        container = getattr(msg, self.name)
        items = [(key_text(k), k, v) for k, v in container.items()] if self.is_map else \
            [(str(i), i, v) for i, v in enumerate(container)]
        for shown, k, v in items:
            path = f"{prefix}{self.name}[{shown}]"
            container[k] = self.fn(v, call.root, path) if self.bound else self.fn(v)
            call.out.append((path, self.rec))


@dataclass(frozen=True, slots=True)
class InPlace:
    """Transform a well-known value message (Timestamp, wrapper) in place: singular, repeated or map."""

    name: str
    fn: Callable[[Any, str, str], None]
    rec: Rec
    kind: str  # "one", "repeated" or "map"

    def __call__(self, msg: Any, prefix: str, call: Call) -> None:
        for path, m in _children(msg, self.name, self.kind, prefix):
            self.fn(m, call.root, path)
            call.out.append((path, self.rec))


@dataclass(frozen=True, slots=True)
class Nested:
    """Run a nested message type's steps on a set message field."""

    name: str
    dot: str
    ref: PlanRef

    def __call__(self, msg: Any, prefix: str, call: Call) -> None:
        if msg.HasField(self.name):
            child, inner = getattr(msg, self.name), prefix + self.dot
            for step in self.ref.steps:
                step(child, inner, call)


@dataclass(frozen=True, slots=True)
class NestedEach:
    """Run a nested message type's steps on each element of a repeated field or each map value."""

    name: str
    ref: PlanRef
    is_map: bool

    def __call__(self, msg: Any, prefix: str, call: Call) -> None:
        for path, m in _children(msg, self.name, "map" if self.is_map else "repeated", prefix):
            self.ref.run(m, path + ".", call)


@dataclass(frozen=True, slots=True)
class Oneof:
    """Run only the step of the member that is set."""

    name: str
    members: dict[str, Step]

    def __call__(self, msg: Any, prefix: str, call: Call) -> None:
        step = self.members.get(msg.WhichOneof(self.name))
        if step is not None:
            step(msg, prefix, call)


def _children(msg: Any, name: str, kind: str, prefix: str) -> list[tuple[str, Any]]:
    if kind == "one":
        return [(prefix + name, getattr(msg, name))] if msg.HasField(name) else []
    container = getattr(msg, name)
    if kind == "map":
        return [(f"{prefix}{name}[{key_text(k)}]", v) for k, v in container.items()]
    return [(f"{prefix}{name}[{i}]", v) for i, v in enumerate(container)]
