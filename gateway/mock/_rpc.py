"""What a finished call looked like to its client: status code, the gateway's reason code, field violations."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status


@dataclass(frozen=True)
class Outcome:
    """A call's status as the client saw it; ``reason`` is the ErrorInfo reason the gateway attaches."""

    code: str
    reason: str | None = None
    violations: tuple[str, ...] = ()  # "field: description [rule]"
    message: str = ""  # the status message; the gateway's and the SDK's never carry a value

    @property
    def ok(self) -> bool:
        return self.code == "OK"

    def __str__(self) -> str:
        return self.code if self.reason is None else f"{self.code} {self.reason}"


OK = Outcome("OK")


def outcome(exc: grpc.aio.AioRpcError) -> Outcome:
    """The outcome of a failed call, with the google.rpc details the gateway put in its status."""
    status = rpc_status.from_call(exc)
    info, bad = error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest()
    for detail in status.details if status is not None else ():
        if detail.Is(info.DESCRIPTOR):
            detail.Unpack(info)
        elif detail.Is(bad.DESCRIPTOR):
            detail.Unpack(bad)
    violations = tuple(f"{v.field}: {v.description}" for v in bad.field_violations)
    return Outcome(exc.code().name, info.reason or None, violations, exc.details() or "")
