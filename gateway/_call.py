"""The typed per-call state that flows through the pipeline stages."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from google.protobuf.message import Message

if TYPE_CHECKING:
    from certs import PeerIdentity
    from gateway._config import Partner
    from gateway._methods import MethodSpec
    from gateway.signing import VerifiedRequest, VerifiedResponse
    from masking import Receipt


@dataclass(slots=True)
class Call:
    """Everything one call carries and learns on its way; stages read and fill it, never keep it."""

    method: MethodSpec
    body: bytes
    metadata: tuple[tuple[str, str], ...]
    peer_pem: bytes | None
    request_id: str
    time_remaining_s: float | None = None
    started: float = field(default_factory=time.perf_counter)
    peer: PeerIdentity | None = None
    caller: Partner | None = None
    receiver: Partner | None = None
    verified: VerifiedRequest | None = None
    message: Message | None = None
    consent_id: str | None = None
    receipt: Receipt | None = None
    forward_body: bytes = b""
    forward_metadata: tuple[tuple[str, str], ...] = ()
    upstream_ms: float | None = None
    response_body: bytes = b""
    response_metadata: tuple[tuple[str, str], ...] = ()
    response_verified: VerifiedResponse | None = None
    response_receipt: Receipt | None = None
    reply_body: bytes = b""
    reply_metadata: tuple[tuple[str, str], ...] = ()
    audit_id: str | None = None  # the record id in the audit log, once durably written
    idempotency: str | None = None  # "first" when forwarded under a key, "replayed" when answered from the store
    breaker: str | None = None  # the upstream circuit's state when the call was routed
    on_finish: list[Callable[[], None]] = field(default_factory=list)  # run once the call has completed

    def header(self, name: str) -> str | None:
        """The first value of a request metadata key (lowercase), if present."""
        return next((v for k, v in self.metadata if k == name), None)
