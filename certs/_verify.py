"""``verify FILE``: a chain checked with cryptography's X.509 path validation, the CRLs and the leaf profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from certs._ca import common_name, name_cn
from certs._crl import index_crls, revocation
from certs._errors import ChainInvalid, PeerRejected
from certs._layout import Layout, load_manifest
from certs._peer import PeerCert, check_profile
from certs._pem import certs_from
from certs._store import trusted


@dataclass(frozen=True)
class VerifiedChain:
    """A chain that validated: the leaf's SPIFFE id and serial, the path to the root, the leaf's expiry."""

    spiffe_id: str
    serial: int
    path: tuple[str, ...]
    not_after: datetime


def verify_chain(layout: Layout, pem: bytes, source: str, now: datetime) -> VerifiedChain:
    """Validate ``pem`` (leaf first, intermediates optional) as a client certificate at ``now``."""
    certs = certs_from(pem, source)
    roots, intermediates, crls = trusted(layout)
    try:
        verifier = PolicyBuilder().store(Store(roots)).time(now).build_client_verifier()
        verified = verifier.verify(certs[0], certs[1:] + intermediates)
    except VerificationError as exc:
        raise ChainInvalid(source, f"does not validate against {layout.bundle}: {_short(exc)}") from None
    _check_revocation(layout, verified.chain, crls, intermediates, source, now)
    try:
        spiffe = check_profile(PeerCert.of(certs[0]), load_manifest(layout).trust_domain, now)
    except PeerRejected as exc:
        raise ChainInvalid(source, f"leaf does not fit the profile: {exc.reason} {exc.detail}".strip()) from None
    path = tuple(common_name(c) for c in verified.chain)
    return VerifiedChain(str(spiffe), certs[0].serial_number, path, certs[0].not_valid_after_utc)


def _check_revocation(layout: Layout, chain: list[x509.Certificate], crls: list[x509.CertificateRevocationList],
                      intermediates: list[x509.Certificate], source: str, now: datetime) -> None:
    index = index_crls(crls, intermediates, layout.crl)
    leaf = chain[0]
    crl = index.get(leaf.issuer)
    if crl is None:
        raise ChainInvalid(source, f"{layout.crl} has no CRL for {leaf.issuer.rfc4514_string()}; "
                                   "run coloan-gw certs crl")
    if crl.next_update_utc is not None and crl.next_update_utc <= now:
        raise ChainInvalid(source, f"the CRL of {name_cn(crl.issuer)} expired {crl.next_update_utc:%Y-%m-%d %H:%M} "
                                   "UTC; run coloan-gw certs crl")
    entry = revocation(index, leaf)
    if entry is not None:
        when = f"{entry.revocation_date_utc:%Y-%m-%d %H:%M} UTC"
        raise ChainInvalid(source, f"serial {leaf.serial_number:x} was revoked {when} (CRL {layout.crl})")


def _short(exc: VerificationError) -> str:
    return str(exc).split(" (encountered processing", 1)[0].removeprefix("validation failed: ")
