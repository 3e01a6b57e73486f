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
from certs._crl import CrlIndex, index_crls, revocation
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
class _Trust:
    trust_domain: str
    issuers: dict[x509.Name, x509.Certificate]
    crls: CrlIndex


def check_profile(cert: x509.Certificate, trust_domain: str, now: datetime) -> SpiffeId:
    """The peer's SPIFFE id if ``cert`` is a current client leaf of ``trust_domain``; else ``PeerRejected``."""
    if now < cert.not_valid_before_utc:
        raise PeerRejected("not_yet_valid", f"valid from {cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC")
    if now >= cert.not_valid_after_utc:
        raise PeerRejected("expired", f"expired {cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC")
    uris = uri_sans(cert)
    if len(uris) > 1:
        raise PeerRejected("multiple_uri_sans", f"{len(uris)} URI SANs")
    if not uris or not uris[0].startswith("spiffe://"):
        raise PeerRejected("no_spiffe_id")
    if uris[0].removeprefix("spiffe://").partition("/")[0] != trust_domain:
        raise PeerRejected("bad_trust_domain", f"expected {trust_domain}")
    try:
        spiffe = parse_spiffe(uris[0])
    except ValueError as exc:
        raise PeerRejected("bad_spiffe_path", str(exc)) from None
    if ExtendedKeyUsageOID.CLIENT_AUTH not in _ekus(cert):
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
        cert = _parse(cert_pem_or_der)
        issuer = trust.issuers.get(cert.issuer)
        if issuer is None or not _issued_by(cert, issuer):
            raise PeerRejected("unknown_issuer", cert.issuer.rfc4514_string())
        if revocation(trust.crls, cert) is not None:
            raise PeerRejected("revoked", f"serial {cert.serial_number:x}")
        spiffe = check_profile(cert, trust.trust_domain, self._clock())
        fingerprint = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
        return PeerIdentity(str(spiffe), spiffe.trust_domain, spiffe.role, spiffe.name, cert.serial_number,
                            fingerprint, cert.not_valid_after_utc)


def _load_trust(layout: Layout) -> _Trust:
    trust_domain = load_manifest(layout).trust_domain
    intermediates = certs_from(read(layout.intermediates), layout.intermediates)
    crls = index_crls(crls_from(read(layout.crl), layout.crl), intermediates, layout.crl)
    return _Trust(trust_domain, {c.subject: c for c in intermediates}, crls)


def _parse(data: bytes) -> x509.Certificate:
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise PeerRejected("malformed") from None


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    return _signed(cert.public_bytes(serialization.Encoding.DER), issuer.public_bytes(serialization.Encoding.DER))


@functools.lru_cache(maxsize=4096)
def _signed(cert_der: bytes, issuer_der: bytes) -> bool:
    """Whether the issuing CA signed the certificate; cached, since a peer presents the same one on every call."""
    try:
        x509.load_der_x509_certificate(cert_der).verify_directly_issued_by(x509.load_der_x509_certificate(issuer_der))
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _ekus(cert: x509.Certificate) -> list[x509.ObjectIdentifier]:
    try:
        return list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        return []
