"""Decode and validate: parse the exact received bytes and check them against the rules."""

from __future__ import annotations

from google.protobuf.message import DecodeError

from gateway._call import Call
from gateway.errors import InvalidArgument, ResourceExhausted
from gateway.validation import Validator


class Decode:
    """Refuses oversized and undecodable bodies, then every rule violation at once (no values)."""

    def __init__(self, validator: Validator, max_bytes: int) -> None:
        self._validator = validator
        self._max = max_bytes

    async def __call__(self, call: Call) -> None:
        if len(call.body) > self._max:
            raise ResourceExhausted("message_too_large", f"request exceeds {self._max} bytes")
        try:
            call.message = call.method.request.FromString(call.body)
        except DecodeError:
            raise InvalidArgument("malformed_message", "request is not a valid protobuf message") from None
        violations = self._validator.errors(call.message)
        if violations:
            raise InvalidArgument("validation_failed", f"{len(violations)} field violation(s)", violations)
