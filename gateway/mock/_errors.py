"""Why the mock bank refuses a request; each refusal carries the status code it becomes.

    LendingError                 refused by the bank's own rules; a status in ``MockBank._refuse`` only
    ├── Malformed                INVALID_ARGUMENT: no idempotency key, a field that does not open, a bad share
    ├── UnknownDecision          FAILED_PRECONDITION: no such decision, or not for this application/borrower
    ├── NotApproved              FAILED_PRECONDITION: the decision was not an approval
    ├── OverLine                 FAILED_PRECONDITION: more than the approved credit line
    ├── AlreadyDrawn             FAILED_PRECONDITION: the decision was drawn down under another key
    ├── KeyReused                ALREADY_EXISTS: the idempotency key was used for a different drawdown
    └── UnknownLoan              NOT_FOUND: no such loan (or installment)

Messages name ids the caller sent, never a personal value.
"""

from __future__ import annotations

import grpc


class LendingError(Exception):
    """A request the bank refuses; ``code`` is the gRPC status it becomes."""

    code = grpc.StatusCode.FAILED_PRECONDITION


class Malformed(LendingError):
    code = grpc.StatusCode.INVALID_ARGUMENT


class UnknownDecision(LendingError):
    """The drawdown names a decision this bank never made."""


class NotApproved(LendingError):
    """The decision was not an approval."""


class OverLine(LendingError):
    """The amount is over the approved credit line."""


class AlreadyDrawn(LendingError):
    """The decision was already drawn down under another idempotency key."""


class KeyReused(LendingError):
    code = grpc.StatusCode.ALREADY_EXISTS


class UnknownLoan(LendingError):
    code = grpc.StatusCode.NOT_FOUND
