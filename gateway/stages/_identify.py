"""Identify: the peer certificate must name exactly one registered partner and not be revoked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from certs import PeerIdentity, PeerRejected
from gateway._call import Call
from gateway._config import Partner
from gateway.errors import Unauthenticated


class PeerChecker(Protocol):
    """Checks a peer certificate against the current CRL and the partner profile."""

    def check(self, cert: bytes) -> PeerIdentity: ...


class Identify:
    """Maps the TLS peer to a partner by its SPIFFE id; checked per call because grpcio has no CRL support."""

    def __init__(self, checker: PeerChecker, partners: Mapping[str, Partner]) -> None:
        self._checker = checker
        self._by_spiffe = dict(partners)

    async def __call__(self, call: Call) -> None:
        if not call.peer_pem:
            raise Unauthenticated("no_peer_certificate")
        try:
            call.peer = self._checker.check(call.peer_pem)
        except PeerRejected as exc:
            raise Unauthenticated(f"peer_{exc.reason}") from None
        partner = self._by_spiffe.get(call.peer.spiffe_id)
        if partner is None:
            raise Unauthenticated("unknown_partner")
        call.caller = partner
