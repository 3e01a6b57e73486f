"""The validator: compiles each message type once into required-field and rule checks."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from gateway.validation._model import Context, ValidationPolicy, Violation
from gateway.validation._rules import RULES, Rule
from masking import field_policy

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class _Required:
    name: str
    present: Callable[[Message], bool]


@dataclass(frozen=True)
class _Nested:
    name: str
    repeated: bool
    plan: _Plan


@dataclass
class _Plan:
    """The compiled checks of one message type; ``nested`` filled after creation (types may recurse)."""

    required: tuple[_Required, ...] = ()
    rules: tuple[Rule, ...] = ()
    nested: tuple[_Nested, ...] = ()


def _presence(fd: FieldDescriptor) -> Callable[[Message], bool]:
    name = fd.name
    if fd.is_repeated:
        return lambda m: len(getattr(m, name)) > 0
    if fd.type == FieldDescriptor.TYPE_MESSAGE:
        return lambda m: m.HasField(name)
    return lambda m: bool(getattr(m, name))


class Validator:
    """Checks a message against its schema's ``required`` marks and the co-lending business rules."""

    def __init__(self, policy: ValidationPolicy | None = None, clock: Clock | None = None) -> None:
        self._policy = policy or ValidationPolicy()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._plans: dict[str, _Plan] = {}
        self._lock = threading.Lock()

    def validate(self, message: Message, now: datetime | None = None) -> list[Violation]:
        """Every violation (errors and warnings) in ``message``, with field paths from its root."""
        ctx = Context(self._policy, now or self._clock())
        return list(_run(self._plan(cast(Descriptor, message.DESCRIPTOR)), message, "", ctx))

    def errors(self, message: Message, now: datetime | None = None) -> list[Violation]:
        return [v for v in self.validate(message, now) if v.severity == "error"]

    def _plan(self, desc: Descriptor) -> _Plan:
        plan = self._plans.get(desc.full_name)
        if plan is None:
            with self._lock:
                plan = self._compile(desc)
        return plan

    def _compile(self, desc: Descriptor) -> _Plan:
        if desc.full_name in self._plans:
            return self._plans[desc.full_name]
        plan = self._plans[desc.full_name] = _Plan()
        required = [fd for fd in desc.fields if (p := field_policy(fd)) is not None and p.required]
        plan.required = tuple(_Required(fd.name, _presence(fd)) for fd in required)
        plan.rules = tuple(r for r in RULES.get(desc.full_name, ()) if r.id not in self._policy.skip)
        plan.nested = tuple(
            _Nested(fd.name, fd.is_repeated, self._compile(sub))
            for fd in desc.fields
            if (sub := fd.message_type) is not None and sub.full_name.startswith("coloan.")
            and not sub.GetOptions().map_entry
        )
        return plan


def _run(plan: _Plan, msg: Message, prefix: str, ctx: Context) -> Iterator[Violation]:
    for req in plan.required:
        if not req.present(msg):
            yield Violation(prefix + req.name, "required", "is required")
    for rule in plan.rules:
        if not rule.check(msg, ctx):
            yield Violation(prefix + rule.field, rule.id, rule.message, rule.severity)
    for nested in plan.nested:
        if nested.repeated:
            for i, item in enumerate(getattr(msg, nested.name)):
                yield from _run(nested.plan, item, f"{prefix}{nested.name}[{i}].", ctx)
        elif msg.HasField(nested.name):
            yield from _run(nested.plan, getattr(msg, nested.name), f"{prefix}{nested.name}.", ctx)
