"""Mask: desensitize the request for the receiver's audience and the response for the caller's."""

from __future__ import annotations

from google.protobuf.message import DecodeError

from gateway._call import Call
from gateway.errors import Unavailable
from masking import Engine


class MaskRequest:
    """Applies the warmed plan (request type, receiver audience) in place and serializes what is forwarded."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def __call__(self, call: Call) -> None:
        assert call.message is not None
        assert call.receiver is not None
        plan = self._engine.plan(call.method.input_type, call.receiver.audience)
        call.receipt = plan.apply(call.message)
        call.forward_body = call.message.SerializeToString(deterministic=True)


class MaskResponse:
    """Parses the verified upstream response and masks it for the caller's audience."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def __call__(self, call: Call) -> None:
        assert call.caller is not None
        try:
            response = call.method.response.FromString(call.response_body)
        except DecodeError:
            raise Unavailable("upstream_malformed_response", "the upstream's response is not a message") from None
        plan = self._engine.plan(call.method.output_type, call.caller.audience)
        call.response_receipt = plan.apply(response)
        call.reply_body = response.SerializeToString(deterministic=True)
