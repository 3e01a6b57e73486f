"""The audit record of one call: the access-log fields plus what an auditor needs to hold each party to it.

Built from the typed call object only, so it holds what the stages learned, never a
field value: masking decisions are ``(path, action, key version)``, bodies appear as
SHA-256 digests, signatures as key ids. A value that must be findable is added by the
caller as a keyed hash (``AuditLog.searchable``).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, Literal

import grpc

from gateway._accesslog import record as access_record
from gateway._call import Call

if TYPE_CHECKING:
    from masking import Receipt

Phase = Literal["forward", "refused", "completed"]


def _decisions(receipt: Receipt | None) -> list[dict[str, str | None]]:
    return [{"path": d.path, "action": d.action, "key_version": d.key_version} for d in receipt or ()]


def _digest(body: bytes, reached: bool) -> str | None:
    return hashlib.sha256(body).hexdigest() if reached else None


def call_record(call: Call, code: grpc.StatusCode, reason: str | None, policy_version: str, *, phase: Phase,
                gateway_key_id: str | None = None) -> dict[str, Any]:
    """The record of ``call`` at ``phase``: ``forward`` (before routing), ``refused``, or ``completed``.

    ``gateway_key_id`` is the key that countersigned the forwarded bytes (and signs the reply).
    """
    forwarded = bool(call.forward_metadata)
    verified, answered = call.verified, call.response_verified
    return access_record(call, code, reason, policy_version) | {
        "phase": phase,
        "masking": _decisions(call.receipt),
        "masking_response": _decisions(call.response_receipt),
        "digests": {
            "received": _digest(call.body, True),
            "forwarded": _digest(call.forward_body, forwarded),
            "response": _digest(call.response_body, answered is not None),
            "reply": _digest(call.reply_body, bool(call.reply_metadata)),
        },
        "keys": {
            "caller": verified.key_id if verified else None,
            "gateway": gateway_key_id if forwarded else None,
            "upstream": answered.key_id if answered else None,
        },
        "caller_signature_sha256": verified.signature_digest if verified else None,
        "idempotency_key": verified.idempotency_key if verified else None,
    }
