"""The method table: every method of the annotated services, compiled once from descriptors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from google.protobuf.descriptor import Descriptor, FieldDescriptor, ServiceDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

from coloan.policy.v1 import options_pb2 as opts
from gateway.errors import StartupError
from masking import method_policy, service_policy

PROFILE = "coloan.v1.BorrowerProfile"


@dataclass(frozen=True)
class MethodSpec:
    """What the pipeline needs to know about one method, without touching descriptors per call."""

    path: str  # /package.Service/Method
    service: str
    name: str
    request: type[Message]
    response: type[Message]
    input_type: Descriptor
    output_type: Descriptor
    policy: opts.MethodPolicy
    served_by: int
    profile_paths: tuple[tuple[str, ...], ...]  # where borrower profiles sit in the request


def _profile_paths(desc: Descriptor, prefix: tuple[str, ...] = (),
                   seen: frozenset[str] = frozenset()) -> list[tuple[str, ...]]:
    if desc.full_name == PROFILE:
        return [prefix]
    out: list[tuple[str, ...]] = []
    for fd in desc.fields:
        sub = fd.message_type
        if fd.type == FieldDescriptor.TYPE_MESSAGE and sub is not None and sub.full_name not in seen:
            if fd.is_repeated and sub.full_name == PROFILE:
                raise StartupError(f"{fd.full_name}: repeated borrower profiles are not supported; "
                                   "fix: carry one profile per request")
            out += _profile_paths(sub, (*prefix, fd.name), seen | {desc.full_name})
    return out


def compile_methods(services: Iterable[ServiceDescriptor]) -> dict[str, MethodSpec]:
    """Every unary method of ``services`` by its path; refuses methods the gateway cannot forward safely."""
    table: dict[str, MethodSpec] = {}
    for svc in services:
        sp = service_policy(svc)
        for m in svc.methods:
            mp = method_policy(m)
            where = m.full_name
            if sp is None or mp is None:
                raise StartupError(f"{where}: no coloan.policy.v1 service or method option; "
                                   "fix: run coloan-gw schema lint")
            if not mp.signature_required:
                raise StartupError(f"{where}: the gateway forwards signed requests only; "
                                   "fix: set signature_required: true in its method option")
            if m.client_streaming or m.server_streaming:
                raise StartupError(f"{where}: streaming methods are not brokered; fix: make the method unary")
            path = f"/{svc.full_name}/{m.name}"
            table[path] = MethodSpec(path, svc.full_name, m.name, GetMessageClass(m.input_type),
                                     GetMessageClass(m.output_type), m.input_type, m.output_type, mp,
                                     sp.served_by, tuple(_profile_paths(m.input_type)))
    return table
