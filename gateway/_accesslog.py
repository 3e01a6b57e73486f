"""The access log: one structlog JSON line per call, written when it completes, never a value."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import grpc
import structlog

from coloan.policy.v1 import options_pb2 as opts
from gateway._call import Call


def _trace_id(traceparent: str | None) -> str | None:
    parts = (traceparent or "").split("-")
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None


def _signature_failure(reason: str | None) -> str:
    return reason if reason and reason.startswith("signature_") else "not_checked"


def _counts(receipt: Any) -> Mapping[str, int]:
    return dict(receipt.counts()) if receipt is not None else {}


def record(call: Call, code: grpc.StatusCode, reason: str | None, policy_version: str) -> dict[str, Any]:
    """The access record of one completed call: who, what, to whom, outcome, timings, sizes, checks."""
    peer, verified = call.peer, call.verified
    return {
        "request_id": call.request_id,
        "worker": os.getpid(),
        "trace_id": _trace_id(call.header("traceparent")),
        "caller": call.caller.name if call.caller else None,
        "spiffe_id": peer.spiffe_id if peer else None,
        "cert_serial": f"{peer.serial:x}" if peer else None,
        "cert_sha256": peer.fingerprint_sha256 if peer else None,
        "method": call.method.path,
        "audience": opts.Audience.Name(call.receiver.audience) if call.receiver else None,
        "status": code.name,
        "reason": reason,
        "total_ms": round((time.perf_counter() - call.started) * 1000, 3),
        "upstream_ms": None if call.upstream_ms is None else round(call.upstream_ms, 3),
        "bytes_in": len(call.body),
        "bytes_out": len(call.reply_body),
        "signature": {
            "result": "valid" if verified else _signature_failure(reason),
            "key_id": verified.key_id if verified else None,
            "skew_ms": verified.skew_ms if verified else None,
        },
        "replay": "fresh" if verified else ("replayed" if reason == "signature_replayed_nonce" else "not_checked"),
        "masked": _counts(call.receipt),
        "masked_response": _counts(call.response_receipt),
        "consent_id": call.consent_id,
        "breaker": call.breaker,
        "idempotency": call.idempotency,
        "audit_id": call.audit_id,
        "policy_version": policy_version,
    }


class AccessLog:
    """Writes access records as JSON lines to a file (appended, flushed per line) or stdout."""

    def __init__(self, path: Path | None, policy_version: str) -> None:
        self._file: IO[str] = sys.stdout if path is None else path.open("a", encoding="utf-8", buffering=1)
        self._owned = path is not None
        self._policy = policy_version
        self._log = structlog.wrap_logger(
            structlog.WriteLogger(self._file),
            processors=[structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
                        structlog.processors.JSONRenderer(ensure_ascii=False)],
        )

    def write(self, call: Call, code: grpc.StatusCode, reason: str | None) -> None:
        self._log.info("call", **record(call, code, reason, self._policy))

    def close(self) -> None:
        if self._owned:
            self._file.close()
