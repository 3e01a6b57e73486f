"""Compile one message type's field options, for one audience, into a flat tuple of steps.

The checks are ``check_field``'s (the same as ``coloan-gw schema lint``), run over every
type the message reaches before anything is built, so a plan either compiles whole or
not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from coloan.policy.v1 import options_pb2 as opts
from masking._aead import sealer
from masking._apply import (
    Call,
    DropNonEmpty,
    DropSet,
    InPlace,
    Nested,
    NestedEach,
    Oneof,
    PlanRef,
    SealedValue,
    Step,
    Value,
    Values,
    fuse,
)
from masking._errors import MessageError, SchemaError, SchemaProblem
from masking._generalize import STAMP_KINDS, generalizer
from masking._keyring import JOIN, Keyring, encrypt_kind
from masking._lint import check_field
from masking._mask import masker
from masking._options import TIMESTAMP, Field, describe_rule, fields, reachable, rule_for
from masking._receipt import Receipt
from masking._token import Tokenizers

Child = Callable[[Descriptor], tuple[PlanRef, "tuple[PlanRow, ...] | None"]]


@dataclass(frozen=True)
class PlanRow:
    """One line of ``--explain``: a field path (``[]`` for each element), its class, semantic type and action."""

    path: str
    data_class: str
    semantic: str
    action: str
    key: str | None = None


@dataclass(frozen=True, eq=False)
class Plan:
    """The compiled, immutable masking plan of one message type for one audience."""

    descriptor: Descriptor
    audience: int
    rows: tuple[PlanRow, ...]
    ref: PlanRef

    @property
    def message_type(self) -> str:
        return str(self.descriptor.full_name)

    def apply(self, msg: Message) -> Receipt:
        """Transform ``msg`` in place (unknown fields dropped) and return what was done to which field."""
        desc = msg.DESCRIPTOR
        if desc is not self.descriptor and desc.full_name != self.descriptor.full_name:
            raise MessageError(f"a {msg.DESCRIPTOR.full_name} was given to the plan of {self.message_type}")
        msg.DiscardUnknownFields()
        call = Call(self.descriptor.full_name)
        for step in self.ref.steps:
            step(msg, "", call)
        return Receipt(tuple(call.out))

    def masked(self, msg: Message) -> tuple[Message, Receipt]:
        """A transformed copy of ``msg`` and the receipt; ``msg`` itself is left as it was."""
        copy = type(msg)()
        copy.CopyFrom(msg)
        return copy, self.apply(copy)


def _name(enum: Any, value: int) -> str:
    return str(enum.Name(value)) if value and value in enum.values() else "-"


def _is_real_oneof(fd: FieldDescriptor) -> bool:
    o = fd.containing_oneof
    return o is not None and not (len(o.fields) == 1 and o.name == "_" + fd.name)


class _Wrapped:
    """Apply a value transform to the ``value`` of a wrapper message."""

    def __init__(self, fn: Callable[..., Any], bound: bool) -> None:
        self.fn, self.bound = fn, bound

    def __call__(self, m: Any, root: str, path: str) -> None:
        m.value = self.fn(m.value, root, path) if self.bound else self.fn(m.value)


class _Stamped:
    def __init__(self, fn: Callable[[Any], None]) -> None:
        self.fn = fn

    def __call__(self, m: Any, root: str, path: str) -> None:
        self.fn(m)


class Builder:
    """Builds steps from options; reads each type's fields and runs their checks once."""

    def __init__(self, keyring: Keyring, today: Callable[[], date], random: Callable[[int], bytes]) -> None:
        self._keyring, self._today, self._random = keyring, today, random
        self._fields: dict[Descriptor, tuple[Field, ...]] = {}
        self._problems: dict[Descriptor, list[SchemaProblem]] = {}
        self._tokens: Tokenizers | None = None

    def fields(self, desc: Descriptor) -> tuple[Field, ...]:
        found = self._fields.get(desc)
        if found is None:
            found = self._fields[desc] = tuple(fields(desc))
            self._problems[desc] = [p for f in found for p in check_field(f)]
        return found

    def problems(self, desc: Descriptor) -> list[SchemaProblem]:
        """The problems ``check_field`` finds in the type's own fields."""
        self.fields(desc)
        return self._problems[desc]

    def check(self, desc: Descriptor, audience: int) -> None:
        """Refuse the type when any type it reaches has a problem or needs a key the keyring lacks."""
        closure = reachable([desc])
        problems = [p for d in closure for p in self.problems(d)]
        if problems:
            raise SchemaError(problems)
        for kind in sorted({k for d in closure for f in self.fields(d) if (k := self._kind(f, audience))}):
            self._keyring.keyset(kind)

    def _kind(self, f: Field, audience: int) -> str | None:
        action = rule_for(f.policy, audience).WhichOneof("action")  # type: ignore[arg-type]
        return JOIN if action == "token" else encrypt_kind(audience) if action == "encrypt" else None

    def build(self, desc: Descriptor, audience: int, child: Child) -> tuple[tuple[Step, ...], tuple[PlanRow, ...]]:
        steps: list[Step] = []
        oneofs: dict[str, dict[str, Step]] = {}
        rows: list[PlanRow] = []
        for f in self.fields(desc):
            step, field_rows = self._field(f, audience, child)
            rows += field_rows
            if step is not None and _is_real_oneof(f.desc):
                oneofs.setdefault(f.desc.containing_oneof.name, {})[f.desc.name] = step  # type: ignore[union-attr]
            elif step is not None:
                steps.append(step)
        steps += [Oneof(name, members) for name, members in oneofs.items()]
        return fuse(steps), tuple(rows)

    def _field(self, f: Field, audience: int, child: Child) -> tuple[Step | None, list[PlanRow]]:
        name, many = f.desc.name, f.desc.is_repeated
        shown = name + ("[]" if many else "")
        if f.nested is not None:
            ref, rows = child(f.nested)
            nested: Step = NestedEach(name, ref, f.is_map) if many else Nested(name, name + ".", ref)
            if rows is None:
                return nested, [PlanRow(shown + ".…", "-", "-", "(recursive)")]
            return (nested if ref.steps else None), [replace(r, path=f"{shown}.{r.path}") for r in rows]
        rule = rule_for(f.policy, audience)  # type: ignore[arg-type]
        step, key = self._leaf(f, rule)
        p = f.policy
        row = PlanRow(shown, _name(opts.DataClass, p.data_class) if p else "-",
                      _name(opts.SemanticType, p.semantic) if p else "-", describe_rule(rule), key)
        return step, [row]

    def _leaf(self, f: Field, rule: opts.Rule) -> tuple[Step | None, str | None]:
        action = rule.WhichOneof("action")
        name = f.desc.name
        if action == "keep":
            return None, None
        if action == "drop":
            return (DropSet if f.desc.has_presence else DropNonEmpty)(name, (name, "drop", None)), None
        fn, key, bound = self._transform(f, rule, str(action))
        many = f.desc.is_repeated
        if f.wkt is not None:
            kind = "map" if f.is_map else "repeated" if many else "one"
            inner = _Stamped(fn) if f.wkt == TIMESTAMP else _Wrapped(fn, bound)
            return InPlace(name, inner, ("", str(action), key), kind), key
        if many:
            return Values(name, fn, ("", str(action), key), bound, f.is_map), key
        return (SealedValue if bound else Value)(name, fn, (name, str(action), key)), key

    def _transform(self, f: Field, rule: opts.Rule, action: str) -> tuple[Callable[..., Any], str | None, bool]:
        semantic = f.policy.semantic if f.policy else 0
        if action == "mask":
            return masker(rule.mask), None, False
        if action == "token":
            tokens = self._tokenizers()
            fpe = rule.token.form == opts.TOKEN_FORMAT_PRESERVING
            return (tokens.fpe if fpe else tokens.opaque)(rule.token, semantic), tokens.key_id, False
        if action == "encrypt":
            key = self._keyring.active(encrypt_kind(rule.audience))
            return sealer(key, rule.encrypt.cipher, rule.audience, self._random), key.key_id, True
        if f.wkt == TIMESTAMP:
            return STAMP_KINDS[rule.generalize.kind], None, False
        return generalizer(rule.generalize, self._today), None, False

    def _tokenizers(self) -> Tokenizers:
        if self._tokens is None:
            self._tokens = Tokenizers(self._keyring.active(JOIN))
        return self._tokens

