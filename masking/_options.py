"""The one module that reads the coloan.policy.v1 options from descriptors."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import Descriptor, FieldDescriptor, ServiceDescriptor
from google.protobuf.message import DecodeError

from coloan.policy.v1 import options_pb2 as opts
from masking._errors import SchemaError, SchemaProblem

STRINGLIKE = (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES)
TIMESTAMP = "google.protobuf.Timestamp"
ANY = "google.protobuf.Any"
WRAPPERS = frozenset(
    f"google.protobuf.{n}Value"
    for n in ("Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes")
)


@dataclass(frozen=True)
class Field:
    """One field as the policy sees it: where it is declared and what kind of value it holds."""

    desc: FieldDescriptor
    policy: opts.FieldPolicy | None

    @property
    def name(self) -> str:
        return str(self.desc.full_name)

    @property
    def is_map(self) -> bool:
        return is_map(self.desc)

    @property
    def value(self) -> FieldDescriptor:
        """The descriptor of the value: the field itself, or a map entry's ``value`` field."""
        if not self.is_map:
            return self.desc
        return cast(FieldDescriptor, self.desc.message_type.fields_by_name["value"])  # type: ignore[union-attr]

    @property
    def map_key_type(self) -> int | None:
        """The scalar type of a map's keys, or None for a field that is not a map."""
        return int(self.desc.message_type.fields_by_name["key"].type) if self.is_map else None  # type: ignore[union-attr]

    @property
    def message_name(self) -> str | None:
        """The full name of the message type of the value, or None for a scalar."""
        v = self.value
        return str(v.message_type.full_name) if v.type == FieldDescriptor.TYPE_MESSAGE else None  # type: ignore[union-attr]

    @property
    def is_stringlike(self) -> bool:
        return self.value.type in STRINGLIKE or self.wkt in ("google.protobuf.StringValue",
                                                              "google.protobuf.BytesValue")

    @property
    def wkt(self) -> str | None:
        """The full name of a well-known value type held by the field, if any."""
        name = self.message_name
        return name if name == TIMESTAMP or name in WRAPPERS else None

    @property
    def nested(self) -> Descriptor | None:
        """The message type the walk descends into (not a well-known value type)."""
        v = self.value
        if v.type != FieldDescriptor.TYPE_MESSAGE or self.wkt is not None or self.message_name == ANY:
            return None
        return v.message_type


def is_map(fd: FieldDescriptor) -> bool:
    mt = fd.message_type
    return bool(fd.type == FieldDescriptor.TYPE_MESSAGE and mt is not None and mt.GetOptions().map_entry)


def _extension(holder: Any, ext: Any) -> Any:
    options = holder.GetOptions()
    return options.Extensions[ext] if options.HasExtension(ext) else None


def field_policy(fd: FieldDescriptor) -> opts.FieldPolicy | None:
    return cast(opts.FieldPolicy | None, _extension(fd, opts.field))


def method_policy(method: Any) -> opts.MethodPolicy | None:
    return cast(opts.MethodPolicy | None, _extension(method, opts.method))


def service_policy(service: ServiceDescriptor) -> opts.ServicePolicy | None:
    return cast(opts.ServicePolicy | None, _extension(service, opts.service))


def fields(desc: Descriptor) -> Iterator[Field]:
    for fd in desc.fields:
        yield Field(fd, field_policy(fd))


def reachable(roots: Iterable[Descriptor]) -> list[Descriptor]:
    """Every message type reachable from ``roots`` through message fields, each once, in walk order."""
    seen: dict[str, Descriptor] = {}
    stack = list(roots)[::-1]
    while stack:
        desc = stack.pop()
        if desc.full_name in seen:
            continue
        seen[desc.full_name] = desc
        stack.extend(f.nested for f in reversed(list(fields(desc))) if f.nested is not None)
    return list(seen.values())


def annotated_services(services: Iterable[ServiceDescriptor]) -> list[ServiceDescriptor]:
    return [s for s in services if service_policy(s) is not None]


def service_messages(services: Iterable[ServiceDescriptor]) -> list[Descriptor]:
    roots: list[Descriptor] = []
    for service in services:
        for method in service.methods:
            roots += [method.input_type, method.output_type]
    return reachable(roots)


def shipped_services() -> list[ServiceDescriptor]:
    """The annotated services of the co-lending schemas shipped with the gateway."""
    from coloan.v1 import credit_pb2, events_pb2

    return [*credit_pb2.DESCRIPTOR.services_by_name.values(), *events_pb2.DESCRIPTOR.services_by_name.values()]


def descriptor_set_services(data: bytes, source: str = "descriptor set") -> list[ServiceDescriptor]:
    """The services of every file in a serialized FileDescriptorSet, in a pool of their own."""
    try:
        fds = descriptor_pb2.FileDescriptorSet.FromString(data)
        pool = descriptor_pool.DescriptorPool()
        for file in fds.file:
            pool.Add(file)
    except (DecodeError, TypeError, KeyError, ValueError) as exc:
        fix = "build it with protoc --include_imports --descriptor_set_out=FILE"
        raise SchemaError([SchemaProblem(source, f"not a FileDescriptorSet ({type(exc).__name__})", fix)]) from None
    return [
        svc
        for file in fds.file
        for svc in pool.FindFileByName(file.name).services_by_name.values()
    ]


def rule_for(policy: opts.FieldPolicy | None, audience: opts.Audience) -> opts.Rule:
    """The rule an audience gets: its own, else keep for PUBLIC or unclassified values, else drop."""
    if policy is not None:
        for rule in policy.rules:
            if rule.audience == audience:
                return rule
    public = policy is None or policy.data_class == opts.PUBLIC
    return opts.Rule(audience=audience, keep=opts.Keep()) if public else opts.Rule(audience=audience, drop=opts.Drop())


def describe_rule(rule: opts.Rule) -> str:
    """A short human form of a rule, e.g. ``mask MASK_NAME`` or ``generalize GEN_BUCKET 500000``."""
    action = rule.WhichOneof("action") or "none"
    if action == "mask":
        m = rule.mask
        return f"mask {opts.MaskPreset.Name(m.preset)}" if m.preset else f"mask {m.keep_first}+{m.keep_last}"
    if action == "token":
        t = rule.token
        if t.form == opts.TOKEN_FORMAT_PRESERVING:
            return f"token fpe {t.keep_first}+{t.keep_last}"
        return "token"
    if action == "generalize":
        g = rule.generalize
        width = f" {g.width}" if g.width else ""
        return f"generalize {opts.GeneralizeKind.Name(g.kind)}{width}"
    return action
