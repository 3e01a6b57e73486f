"""Audit: the call's record is durably in the tamper-evident log before anything is forwarded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import grpc
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from coloan.policy.v1 import options_pb2 as opts
from gateway._call import Call
from gateway.audit import AuditLog, call_record
from masking import fields

# Values an auditor may need to find records by; stored only as keyed hashes.
SEARCHABLE = frozenset({opts.RESIDENT_ID, opts.MOBILE, opts.BANK_CARD, opts.EMAIL, opts.DEVICE_ID})
Path = tuple[str, ...]


def searchable_paths(desc: Descriptor, prefix: Path = ()) -> list[Path]:
    """Paths of the singular string fields with a searchable semantic type, through singular messages."""
    out: list[Path] = []
    for f in fields(desc):
        if f.desc.is_repeated:
            continue
        if f.nested is not None:
            out += searchable_paths(f.nested, (*prefix, f.desc.name))
        elif f.desc.type == FieldDescriptor.TYPE_STRING and f.policy is not None and f.policy.semantic in SEARCHABLE:
            out.append((*prefix, f.desc.name))
    return out


def _value(message: Any, path: Path) -> str:
    for name in path[:-1]:
        if not message.HasField(name):
            return ""
        message = getattr(message, name)
    return str(getattr(message, path[-1]))


class Audit:
    """Appends the ``forward`` record (group commit, fsynced) within a deadline; refuses with UNAVAILABLE
    (``AuditUnavailable``) when the log cannot take it, so nothing unaudited reaches the upstream."""

    def __init__(self, log: AuditLog, paths: Mapping[str, list[Path]], policy_version: str, gateway_key_id: str,
                 deadline_s: float) -> None:
        self._log, self._paths, self._policy, self._key_id = log, dict(paths), policy_version, gateway_key_id
        self._deadline = deadline_s

    async def __call__(self, call: Call) -> None:
        record = call_record(call, grpc.StatusCode.OK, None, self._policy, phase="forward",
                             gateway_key_id=self._key_id)
        record["category"] = opts.AuditCategory.Name(call.method.policy.audit_category)
        paths = self._paths.get(call.method.path)
        if paths:  # the message was masked in place: the values come from the bytes as received
            original = call.method.request.FromString(call.body)
            record |= self._log.searchable({".".join(p): v for p in paths if (v := _value(original, p))})
        budget = self._deadline if call.time_remaining_s is None else min(self._deadline, call.time_remaining_s)
        call.audit_id = (await self._log.append_async(record, deadline_s=budget)).record_id
