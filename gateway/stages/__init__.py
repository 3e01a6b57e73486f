"""The pipeline stages, one concern each; every stage is ``async (Call) -> None`` and raises
``CallError`` to stop the call.

identify → admit (rate and concurrency) → authorize → verify signature → decode and validate → consent →
once per idempotency key [mask for the receiver → countersign → audit → route → verify the upstream's signature →
mask for the caller] → sign for the caller.
"""

from __future__ import annotations

from gateway.stages._admit import Admit
from gateway.stages._audit import Audit, searchable_paths
from gateway.stages._authorize import Authorize
from gateway.stages._consent import CheckConsent
from gateway.stages._decode import Decode
from gateway.stages._identify import Identify, PeerChecker
from gateway.stages._mask import MaskRequest, MaskResponse
from gateway.stages._once import Once
from gateway.stages._passthrough import PassThrough, relay
from gateway.stages._route import Route, Upstream, UpstreamError, UpstreamReply
from gateway.stages._sign import Countersign, SignResponse, VerifyResponse, VerifySignature

__all__ = [
    "Admit",
    "Audit",
    "Authorize",
    "CheckConsent",
    "Countersign",
    "Decode",
    "Identify",
    "MaskRequest",
    "MaskResponse",
    "Once",
    "PassThrough",
    "PeerChecker",
    "Route",
    "SignResponse",
    "Upstream",
    "UpstreamError",
    "UpstreamReply",
    "VerifyResponse",
    "VerifySignature",
    "relay",
    "searchable_paths",
]
