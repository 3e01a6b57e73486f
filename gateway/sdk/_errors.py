"""Errors the partner SDK raises on the client side.

    SdkError
    ├── RequestNotSigned      nothing was sent: the call cannot be signed as given (``.reason``)
    ├── FieldNotDecrypted     a field encrypted for this audience does not open (``.path``)
    └── ResponseNotVerified   an OK response whose gateway signature is absent or invalid (``.reason``)

An RPC that ends with a non-OK status still raises ``grpc.aio.AioRpcError`` unchanged:
error statuses are not signed. Messages name the method and a reason code, never a
header value or a message field.
"""

from __future__ import annotations

from typing import Literal

NotSignedReason = Literal["idempotency_key_missing", "idempotency_key_malformed", "reserved_header"]


class SdkError(Exception):
    """Base of the errors the partner SDK raises."""


class RequestNotSigned(SdkError):
    """The request was not sent because the SDK cannot sign it as given; fix the call, not the network."""

    def __init__(self, method: str, reason: NotSignedReason) -> None:
        self.method = method
        self.reason: NotSignedReason = reason
        super().__init__(f"{method}: request not sent: {reason}")


class ResponseNotVerified(SdkError):
    """The gateway answered OK but its response signature is missing or does not verify: do not use the response.

    ``reason`` is one of ``gateway.signing.REASONS``. The call may have taken effect
    upstream; retry with the same idempotency key to learn its outcome.
    """

    def __init__(self, method: str, reason: str) -> None:
        self.method = method
        self.reason = reason
        super().__init__(f"{method}: gateway response signature refused: {reason}")


class FieldNotDecrypted(SdkError):
    """A field that should hold a ciphertext for this audience does not open (wrong key, altered, misplaced).

    Names the message type and the field path, never the value.
    """

    def __init__(self, message_type: str, path: str) -> None:
        self.message_type = message_type
        self.path = path
        super().__init__(f"{message_type}.{path}: ciphertext does not open")
