"""After a TLS handshake: is the peer's certificate revoked, and does it fit the leaf profile?"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from certs._clock import Clock, system_clock
from certs._crl import index_crls
from certs._errors import PeerRejected
from certs._issue import uri_sans
from certs._layout import Layout, load_manifest
from certs._pem import certs_from, crls_from, read
from certs._profiles import Role, SpiffeId, parse_spiffe
from certs._watch import Reloader


@dataclass(frozen=True)
class PeerIdentity:
    """Who the peer is, from its certificate; render ``serial`` in hex for logs."""

    spiffe_id: str
    trust_domain: str
    role: Role
    name: str
    serial: int
    fingerprint_sha256: str
    not_after: datetime


@dataclass(frozen=True)
class PeerCert:
    """What the checks need from a certificate, extracted once (a peer presents the same one on every call)."""

    cert: x509.Certificate
    issuer_der: bytes
    not_before: datetime
    not_after: datetime
    uris: tuple[str, ...]
    client_auth: bool
    fingerprint_sha256: str

    @classmethod
    def of(cls, cert: x509.Certificate) -> PeerCert:
        fingerprint = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
        client_auth = ExtendedKeyUsageOID.CLIENT_AUTH in _ekus(cert)
        return cls(cert, cert.issuer.public_bytes(), cert.not_valid_before_utc, cert.not_valid_after_utc,
                   tuple(uri_sans(cert)), client_auth, fingerprint)


@dataclass(frozen=True)
class _Trust:
    trust_domain: str
    issuers: dict[bytes, x509.Certificate]
    revoked: frozenset[tuple[bytes, int]]


def check_profile(peer: PeerCert, trust_domain: str, now: datetime) -> SpiffeId:
    """The peer's SPIFFE id if it is a current client leaf of ``trust_domain``; else ``PeerRejected``."""
    if now < peer.not_before:
        raise PeerRejected("not_yet_valid", f"valid from {peer.not_before:%Y-%m-%d %H:%M} UTC")
    if now >= peer.not_after:
        raise PeerRejected("expired", f"expired {peer.not_after:%Y-%m-%d %H:%M} UTC")
    if len(peer.uris) > 1:
        raise PeerRejected("multiple_uri_sans", f"{len(peer.uris)} URI SANs")
    if not peer.uris or not peer.uris[0].startswith("spiffe://"):
        raise PeerRejected("no_spiffe_id")
    if peer.uris[0].removeprefix("spiffe://").partition("/")[0] != trust_domain:
        raise PeerRejected("bad_trust_domain", f"expected {trust_domain}")
    try:
        spiffe = parse_spiffe(peer.uris[0])
    except ValueError as exc:
        raise PeerRejected("bad_spiffe_path", str(exc)) from None
    if not peer.client_auth:
        raise PeerRejected("no_client_auth_eku")
    return spiffe


class PeerChecker:
    """Checks peer certificates against the PKI's current CRLs and issuing CAs, reloading them when they change."""

    def __init__(self, pki_dir: Path, *, clock: Clock = system_clock) -> None:
        layout = Layout(Path(pki_dir))
        self._clock = clock
        self._reloader = Reloader([layout.manifest, layout.intermediates, layout.crl], lambda: _load_trust(layout))

    @property
    def last_error(self) -> str | None:
        """Why the newest CRL or CA files were not taken (``None`` when the newest are in use)."""
        return self._reloader.last_error

    def check(self, cert_pem_or_der: bytes) -> PeerIdentity:
        """The peer's identity, or ``PeerRejected`` with a reason code (``revoked``, ``expired``, ...)."""
        trust = self._reloader.get()
        peer = _peer(cert_pem_or_der)
        issuer = trust.issuers.get(peer.issuer_der)
        if issuer is None or not _signed(peer.cert, issuer):
            raise PeerRejected("unknown_issuer", peer.cert.issuer.rfc4514_string())
        if (peer.issuer_der, peer.cert.serial_number) in trust.revoked:
            raise PeerRejected("revoked", f"serial {peer.cert.serial_number:x}")
        spiffe = check_profile(peer, trust.trust_domain, self._clock())
        return PeerIdentity(str(spiffe), spiffe.trust_domain, spiffe.role, spiffe.name, peer.cert.serial_number,
                            peer.fingerprint_sha256, peer.not_after)


def _load_trust(layout: Layout) -> _Trust:
    trust_domain = load_manifest(layout).trust_domain
    intermediates = certs_from(read(layout.intermediates), layout.intermediates)
    crls = index_crls(crls_from(read(layout.crl), layout.crl), intermediates, layout.crl)
    revoked = frozenset((name.public_bytes(), entry.serial_number) for name, crl in crls.items() for entry in crl)
    return _Trust(trust_domain, {c.subject.public_bytes(): c for c in intermediates}, revoked)


@functools.lru_cache(maxsize=1024)
def _peer(data: bytes) -> PeerCert:
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return PeerCert.of(x509.load_pem_x509_certificate(data))
        return PeerCert.of(x509.load_der_x509_certificate(data))
    except ValueError:
        raise PeerRejected("malformed") from None


@functools.lru_cache(maxsize=1024)
def _signed(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether ``issuer`` signed ``cert``; cached, since the same peer and CA meet on every call."""
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _ekus(cert: x509.Certificate) -> list[x509.ObjectIdentifier]:
    try:
        return list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        return []
