"""CRLs: signing one for an issuing CA from its ledger, checking who signed a CRL, looking a serial up."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from cryptography import x509

from certs._ca import Authority, authority_key_id, signing_hash
from certs._errors import PKIFileError, PKIStateError
from certs._ledger import Ledger
from certs._pem import PublicKey
from certs._profiles import CRL_LIFETIME

REASONS = ("unspecified", "keyCompromise", "affiliationChanged", "superseded", "cessationOfOperation")
CrlIndex = Mapping[x509.Name, x509.CertificateRevocationList]


def build_crl(issuer: Authority, ledger: Ledger, now: datetime) -> x509.CertificateRevocationList:
    """A CRL of ``issuer`` listing its revoked, unexpired leaves, valid for ``CRL_LIFETIME``."""
    if issuer.key is None:
        raise PKIStateError(f"the key of issuing CA {issuer.id} is missing, so its CRL cannot be signed; put it back")
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(now)
        .next_update(now + CRL_LIFETIME)
        .add_extension(x509.CRLNumber(ledger.crl_number), critical=False)
        .add_extension(authority_key_id(issuer.cert), critical=False)
    )
    for entry in ledger.revoked(now):
        revoked = x509.RevokedCertificateBuilder().serial_number(entry.serial).revocation_date(entry.revoked_at or now)
        if entry.reason and entry.reason != "unspecified":
            revoked = revoked.add_extension(x509.CRLReason(x509.ReasonFlags(entry.reason)), critical=False)
        builder = builder.add_revoked_certificate(revoked.build())
    return builder.sign(issuer.key, signing_hash(issuer.key))


def index_crls(crls: Iterable[x509.CertificateRevocationList], issuers: Iterable[x509.Certificate],
               source: Path | str) -> dict[x509.Name, x509.CertificateRevocationList]:
    """The CRLs by issuer name, each checked to be signed by the active issuing CA of that name."""
    by_name = {c.subject: c for c in issuers}
    index: dict[x509.Name, x509.CertificateRevocationList] = {}
    for crl in crls:
        issuer = by_name.get(crl.issuer)
        key = issuer.public_key() if issuer is not None else None
        if not isinstance(key, PublicKey) or not crl.is_signature_valid(key):
            raise PKIFileError(source, f"holds a CRL from {crl.issuer.rfc4514_string()} that no active issuing CA "
                                       "signed", "re-sign the CRLs with coloan-gw certs crl")
        index[crl.issuer] = crl
    return index


def revocation(index: CrlIndex, cert: x509.Certificate) -> x509.RevokedCertificate | None:
    """The CRL entry that revokes ``cert``, if its issuer's CRL lists it."""
    crl = index.get(cert.issuer)
    return None if crl is None else crl.get_revoked_certificate_by_serial_number(cert.serial_number)
