"""PKI for coloan-gateway partners: CAs, leaf certificates, rotation, revocation, CA rollover.

Depends on cryptography only; never imports grpc or the gateway.
"""

from __future__ import annotations

from certs._errors import PKIError

__all__ = ["PKIError"]
