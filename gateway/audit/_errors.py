"""Errors of the audit log.

    AuditError
    ├── AuditUnavailable   per call: the record is not durable within the deadline → UNAVAILABLE (a CallError)
    ├── AuditLogError      start-up: the log directory cannot be opened or recovered (a StartupError)
    ├── SearchKeyError     start-up: the search key file is missing, the wrong size or readable by others
    └── ProofError         an inclusion proof, its record or its checkpoint does not verify

No message ever contains a record value or key material: only file names, indexes,
sizes, hashes and fixed phrases.
"""

from __future__ import annotations

from gateway.errors import StartupError, Unavailable


class AuditError(Exception):
    """Base of every error raised by the audit package."""


class AuditUnavailable(Unavailable, AuditError):
    """The record could not be made durable in time; the call must not be forwarded.

    ``reason`` is one of ``audit_timeout``, ``audit_write_failed``, ``audit_backlog``
    or ``audit_closed``; the gateway's error edge turns it into ``UNAVAILABLE``.
    """


class AuditLogError(StartupError, AuditError):
    """The log directory cannot be used as it is; the message names the file and the fix."""


class SearchKeyError(StartupError, AuditError):
    """The audit search key cannot be used; the message names the file and the fix."""


class ProofError(AuditError):
    """An inclusion proof is malformed or does not verify; ``reason`` is a stable code."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}")
