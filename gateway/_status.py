"""The one place where refusals become gRPC statuses, with google.rpc details and no values."""

from __future__ import annotations

import grpc
from google.protobuf.any_pb2 import Any as AnyPb
from google.protobuf.duration_pb2 import Duration
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from gateway.errors import CallError, InvalidArgument

DOMAIN = "coloan.gateway"


def _details(err: CallError) -> list[AnyPb]:
    info = AnyPb()
    info.Pack(error_details_pb2.ErrorInfo(reason=err.reason.upper(), domain=DOMAIN))
    out = [info]
    if err.retry_after_s is not None:
        retry = AnyPb()
        delay = Duration()
        delay.FromNanoseconds(int(err.retry_after_s * 1e9))
        retry.Pack(error_details_pb2.RetryInfo(retry_delay=delay))
        out.append(retry)
    if isinstance(err, InvalidArgument) and err.violations:
        bad = error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=v.field, description=f"{v.message} [{v.rule}]")
            for v in err.violations
        ])
        packed = AnyPb()
        packed.Pack(bad)
        out.append(packed)
    return out


def to_status(err: CallError) -> grpc.Status:
    """The status for a refused call: its code, a value-free message, ErrorInfo and BadRequest details."""
    code: int = err.code.value[0]
    return rpc_status.to_status(status_pb2.Status(code=code, message=str(err), details=_details(err)))


def internal_status() -> grpc.Status:
    """The status for a failure the gateway did not foresee; says nothing about it."""
    return rpc_status.to_status(status_pb2.Status(code=code_pb2.INTERNAL, message="internal error"))
