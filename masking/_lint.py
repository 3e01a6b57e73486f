"""Schema checks shared by ``coloan-gw schema lint`` and the plan compiler (fail closed)."""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf.descriptor import FieldDescriptor, ServiceDescriptor

from coloan.policy.v1 import options_pb2 as opts
from masking._errors import SchemaProblem
from masking._options import ANY, Field, fields, method_policy, service_messages, service_policy

_STRING_ONLY = frozenset({"mask", "token", "encrypt"})
_NUMERIC = frozenset(
    {FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_UINT32,
     FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SINT64,
     FieldDescriptor.TYPE_FIXED32, FieldDescriptor.TYPE_FIXED64, FieldDescriptor.TYPE_SFIXED32,
     FieldDescriptor.TYPE_SFIXED64}
)
_STRING_GENERALIZE = frozenset(
    {opts.GEN_AGE_BAND, opts.GEN_RESIDENT_ID, opts.GEN_ADDRESS_PROVINCE, opts.GEN_ADDRESS_CITY, opts.GEN_IP_PREFIX}
)
_DATE_GENERALIZE = frozenset({opts.GEN_DATE_YEAR, opts.GEN_DATE_MONTH})
_ANNOTATE = "annotate it with [(coloan.policy.v1.field) = {data_class: ... semantic: ...}]"


def _enum_ok(enum: object, value: int) -> bool:
    return value != 0 and value in enum.values()  # type: ignore[attr-defined]


def _check_rule(f: Field, rule: opts.Rule) -> list[str]:
    action = rule.WhichOneof("action")
    if action is None:
        return ["a rule has no action (keep, drop, mask, token, encrypt or generalize)"]
    if action in _STRING_ONLY and not f.is_stringlike:
        return [f"{action} applies to string and bytes fields only"]
    if action == "mask":
        m = rule.mask
        if f.value.type == FieldDescriptor.TYPE_BYTES or f.wkt == "google.protobuf.BytesValue":
            return ["mask counts characters, so it needs a string field"]
        if m.preset and not _enum_ok(opts.MaskPreset, m.preset):
            return [f"unknown mask preset {m.preset}"]
        if len(m.mask_char) > 1:
            return ["mask_char must be a single character"]
    fpe = action == "token" and rule.token.form == opts.TOKEN_FORMAT_PRESERVING
    if fpe and f.value.type != FieldDescriptor.TYPE_STRING:
        return ["a format-preserving token needs a digit string field"]
    if action == "generalize":
        return _check_generalize(f, rule.generalize)
    return []


def _check_generalize(f: Field, g: opts.Generalize) -> list[str]:
    if not _enum_ok(opts.GeneralizeKind, g.kind):
        return ["generalize needs a known kind"]
    name = opts.GeneralizeKind.Name(g.kind)
    if g.kind == opts.GEN_BUCKET:
        ok = f.value.type in _NUMERIC and g.width > 0
        return [] if ok else [f"{name} needs an integer field and a width > 0"]
    if g.kind in _DATE_GENERALIZE:
        ok = f.value.type == FieldDescriptor.TYPE_STRING or f.wkt == "google.protobuf.Timestamp"
        return [] if ok else [f"{name} needs a date string or a Timestamp field"]
    if f.value.type != FieldDescriptor.TYPE_STRING:
        return [f"{name} needs a string field"]
    if g.kind == opts.GEN_IP_PREFIX and not 0 <= g.width <= 32:
        return [f"{name} width is a prefix length from 0 to 32"]
    if g.kind == opts.GEN_AGE_BAND and g.width <= 0:
        return [f"{name} needs a width in years > 0"]
    return []


def _check_audiences(policy: opts.FieldPolicy) -> list[str]:
    problems, seen = [], set()
    for rule in policy.rules:
        if not _enum_ok(opts.Audience, rule.audience):
            problems.append("a rule has no known audience")
        elif rule.audience in seen:
            problems.append(f"audience {opts.Audience.Name(rule.audience)} has more than one rule")
        seen.add(rule.audience)
    return problems


def _check_class(policy: opts.FieldPolicy) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for rule in policy.rules:
        action = rule.WhichOneof("action")
        if policy.data_class == opts.C3 and action not in (None, "drop"):
            out.append(("C3 data must never leave: a rule other than drop",
                        "make every audience drop it (C3 authentication data stays with its owner)"))
        if policy.data_class == opts.C2 and rule.audience == opts.LOG and action == "keep":
            out.append(("C2 field kept in clear for LOG",
                        "give LOG a mask, token, generalize or drop rule"))
    return out


def check_field(f: Field) -> list[SchemaProblem]:
    """Every problem of one field's annotation; the compiler refuses a type with any."""
    p = f.policy
    if f.message_name == ANY:
        return [SchemaProblem(f.name, "google.protobuf.Any cannot be classified field by field",
                              "use a concrete message type")]
    if f.nested is not None and f.map_key_type == FieldDescriptor.TYPE_STRING:
        return [SchemaProblem(f.name, "map keys are never transformed, but this map has string keys",
                              "use integer keys or a repeated message with a classified key field")]
    if p is None or p.data_class == opts.DATA_CLASS_UNSPECIFIED:
        if f.is_stringlike:
            return [SchemaProblem(f.name, "string/bytes field has no data class", _ANNOTATE)]
        return []
    if f.nested is not None:
        return [SchemaProblem(f.name, "a message field cannot carry a field policy",
                              "annotate the fields of its message type instead")]
    if not _enum_ok(opts.DataClass, p.data_class):
        return [SchemaProblem(f.name, f"unknown data class {p.data_class}", "use PUBLIC, C1, C2 or C3")]
    out = [SchemaProblem(f.name, *pf) for pf in _check_class(p)]
    if not _enum_ok(opts.SemanticType, p.semantic):
        out.append(SchemaProblem(f.name, f"unknown semantic type {p.semantic}",
                                 "set semantic to one of coloan.policy.v1.SemanticType"))
    if f.map_key_type == FieldDescriptor.TYPE_STRING and p.data_class != opts.PUBLIC:
        out.append(SchemaProblem(f.name, "map keys are never transformed, but this map has string keys",
                                 "use integer keys or classify the map PUBLIC"))
    out += [SchemaProblem(f.name, msg, "correct the rule in its coloan.policy.v1.field option")
            for msg in _check_audiences(p) + [m for r in p.rules for m in _check_rule(f, r)]]
    return out


def check_service(service: ServiceDescriptor) -> list[SchemaProblem]:
    """Problems of a service's and its methods' options (routing and authorization)."""
    out = []
    sp = service_policy(service)
    if sp is None or not _enum_ok(opts.Role, sp.served_by):
        out.append(SchemaProblem(service.full_name, "service has no served_by role",
                                 "add option (coloan.policy.v1.service) = {served_by: ROLE_...}"))
    for method in service.methods:
        mp = method_policy(method)
        if mp is None or not mp.allowed_roles:
            out.append(SchemaProblem(method.full_name, "method allows no caller role",
                                     "add option (coloan.policy.v1.method) = {allowed_roles: [...]}"))
        elif not all(_enum_ok(opts.Role, r) for r in mp.allowed_roles):
            out.append(SchemaProblem(method.full_name, "unknown role in allowed_roles",
                                     "use ROLE_PLATFORM, ROLE_BANK or ROLE_OPS"))
    return out


def lint(services: Iterable[ServiceDescriptor]) -> list[SchemaProblem]:
    """All problems of the services and of every message reachable from them, in walk order."""
    services = list(services)
    out = [p for s in services for p in check_service(s)]
    for desc in service_messages(services):
        for f in fields(desc):
            out += check_field(f)
    return out
