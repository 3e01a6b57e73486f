"""PKI for coloan-gateway partners: CAs, leaf certificates, rotation, revocation, CA rollover.

``Pki`` runs the security team's operations on a PKI directory (``docs/pki.md`` has the layout and the
runbook); ``CredentialSource`` and ``PeerChecker`` are what a running gateway reads it with. Depends on
cryptography only; never imports grpc or the gateway.
"""

from __future__ import annotations

from certs._clock import Clock, FrozenClock, system_clock
from certs._crl import REASONS as REVOCATION_REASONS
from certs._errors import ChainInvalid, PeerRejected, PKIError, PKIFileError, PKIStateError, ProfileError
from certs._layout import Layout
from certs._peer import PeerChecker, PeerIdentity
from certs._pki import DEFAULT_LEAVES, Issued, Pki, Revoked, Rollover
from certs._profiles import (
    CRL_LIFETIME,
    INTERMEDIATE_LIFETIME,
    LEAF_DAYS,
    MAX_LEAF_DAYS,
    ROOT_LIFETIME,
    Algorithm,
    LeafProfile,
    Role,
)
from certs._source import Credentials, CredentialSource, load_credentials
from certs._status import State, StatusRow
from certs._verify import VerifiedChain

__all__ = [
    "CRL_LIFETIME",
    "DEFAULT_LEAVES",
    "INTERMEDIATE_LIFETIME",
    "LEAF_DAYS",
    "MAX_LEAF_DAYS",
    "REVOCATION_REASONS",
    "ROOT_LIFETIME",
    "Algorithm",
    "ChainInvalid",
    "Clock",
    "CredentialSource",
    "Credentials",
    "FrozenClock",
    "Issued",
    "Layout",
    "LeafProfile",
    "PKIError",
    "PKIFileError",
    "PKIStateError",
    "PeerChecker",
    "PeerIdentity",
    "PeerRejected",
    "Pki",
    "ProfileError",
    "Revoked",
    "Role",
    "Rollover",
    "State",
    "StatusRow",
    "VerifiedChain",
    "load_credentials",
    "system_clock",
]
