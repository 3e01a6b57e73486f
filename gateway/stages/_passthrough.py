"""Pass-through: the extra hop alone, for measuring what the policy stages cost (``coloan-gw bench``)."""

from __future__ import annotations

from collections.abc import Mapping

from gateway._call import Call
from gateway._config import Partner


class PassThrough:
    """Forwards the received bytes and metadata unchanged to the service's upstream; no identity, no policy."""

    def __init__(self, receivers: Mapping[int, Partner]) -> None:
        self._receivers = dict(receivers)

    async def __call__(self, call: Call) -> None:
        call.receiver = self._receivers[call.method.served_by]
        call.forward_body, call.forward_metadata = call.body, call.metadata


async def relay(call: Call) -> None:
    """Returns the upstream's response bytes and trailing metadata as they came."""
    call.reply_body, call.reply_metadata = call.response_body, call.response_metadata
