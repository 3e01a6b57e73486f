"""The gateway's two error trees: start-up problems and per-call refusals.

    StartupError                 refuse to start; the message names file, key and fix
    └── ConfigError              gateway.toml problems (all of them, listed)

    CallError                    one call refused; becomes a gRPC status in _status.py only
    ├── Unauthenticated          UNAUTHENTICATED: peer certificate, signature, freshness, replay
    ├── PermissionDenied         PERMISSION_DENIED: the caller's role may not call the method
    ├── InvalidArgument          INVALID_ARGUMENT: undecodable or invalid message (BadRequest details)
    ├── AlreadyExists            ALREADY_EXISTS: an idempotency key reused for a different request
    ├── FailedPrecondition       FAILED_PRECONDITION: consent missing, expired or not for this receiver
    ├── ResourceExhausted        RESOURCE_EXHAUSTED: message too large
    ├── DeadlineExceeded         DEADLINE_EXCEEDED: no time left for the upstream
    ├── Unavailable              UNAVAILABLE: upstream down or unverifiable, a store that cannot answer
    └── UpstreamRefused          the upstream's own status code, without its message or details

Every ``reason`` is a short stable code; no message ever contains a field value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import grpc

from gateway.validation import Violation


@dataclass(frozen=True)
class ConfigProblem:
    """One problem of a config file: where (file and key), what is wrong, how to fix it."""

    file: str
    key: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.problem}; fix: {self.fix}"


class StartupError(Exception):
    """The gateway cannot start as configured."""


class ConfigError(StartupError):
    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        self.problems = tuple(problems)
        more = f" (and {len(problems) - 1} more; run coloan-gw config check)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}")


class CallError(Exception):
    """A refused call: its status code, a stable reason code and a value-free message."""

    code = grpc.StatusCode.INTERNAL
    retry_after_s: float | None = None  # sent as google.rpc.RetryInfo when set

    def __init__(self, reason: str, message: str = "") -> None:
        self.reason = reason
        super().__init__(message or reason.replace("_", " "))


class Unauthenticated(CallError):
    code = grpc.StatusCode.UNAUTHENTICATED


class PermissionDenied(CallError):
    code = grpc.StatusCode.PERMISSION_DENIED


class InvalidArgument(CallError):
    code = grpc.StatusCode.INVALID_ARGUMENT

    def __init__(self, reason: str, message: str = "", violations: Sequence[Violation] = ()) -> None:
        super().__init__(reason, message)
        self.violations = tuple(violations)


class AlreadyExists(CallError):
    code = grpc.StatusCode.ALREADY_EXISTS


class FailedPrecondition(CallError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class ResourceExhausted(CallError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED

    def __init__(self, reason: str, message: str = "", retry_after_s: float | None = None) -> None:
        super().__init__(reason, message)
        self.retry_after_s = retry_after_s


class DeadlineExceeded(CallError):
    code = grpc.StatusCode.DEADLINE_EXCEEDED


class Unavailable(CallError):
    code = grpc.StatusCode.UNAVAILABLE


class UpstreamRefused(CallError):
    """The upstream answered with an application status; relayed by code only."""

    def __init__(self, code: grpc.StatusCode) -> None:
        super().__init__("upstream_refused", f"upstream answered {code.name}")
        self.code = code
