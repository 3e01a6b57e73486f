"""Certificate authorities: a self-signed root and the intermediate that issues leaves and CRLs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from certs._pem import PrivateKey
from certs._profiles import BACKDATE, INTERMEDIATE_LIFETIME, ROOT_LIFETIME

_CA_USAGE = x509.KeyUsage(
    digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
    key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
)


@dataclass(frozen=True)
class Authority:
    """A CA certificate with its private key (``None`` when the key is kept offline) and its id in the PKI."""

    id: str
    cert: x509.Certificate
    key: PrivateKey | None

    @property
    def common_name(self) -> str:
        """The CA's common name, for tables and messages."""
        return common_name(self.cert)


def create_root(ca_id: str, trust_domain: str, now: datetime) -> Authority:
    """A new self-signed ECDSA P-384 root that may sign one level of intermediates."""
    key = ec.generate_private_key(ec.SECP384R1())
    subject = ca_name(f"{trust_domain} Root CA {ca_id}", trust_domain)
    builder = _ca_builder(subject, subject, key, now, now + ROOT_LIFETIME, path_length=1)
    return Authority(ca_id, builder.sign(key, signing_hash(key)), key)


def create_intermediate(ca_id: str, trust_domain: str, root: Authority, now: datetime) -> Authority:
    """A new ECDSA P-384 issuing CA signed by ``root``, never outliving it."""
    if root.key is None:
        raise ValueError("root key is required")
    key = ec.generate_private_key(ec.SECP384R1())
    not_after = min(now + INTERMEDIATE_LIFETIME, root.cert.not_valid_after_utc)
    subject = ca_name(f"{trust_domain} Issuing CA {ca_id}", trust_domain)
    builder = _ca_builder(subject, root.cert.subject, key, now, not_after, path_length=0)
    builder = builder.add_extension(authority_key_id(root.cert), critical=False)
    return Authority(ca_id, builder.sign(root.key, signing_hash(root.key)), key)


def ca_name(common: str, trust_domain: str) -> x509.Name:
    """The subject of a CA of ``trust_domain``."""
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, trust_domain),
        x509.NameAttribute(NameOID.COMMON_NAME, common),
    ])


def authority_key_id(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    """The AKI that points at ``issuer``'s subject key identifier."""
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def signing_hash(key: PrivateKey) -> hashes.SHA256 | hashes.SHA384 | None:
    """The digest to sign with ``key``: none for Ed25519, SHA-384 for P-384, SHA-256 otherwise."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return None
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size >= 384:
        return hashes.SHA384()
    return hashes.SHA256()


def common_name(cert: x509.Certificate) -> str:
    """The subject common name of ``cert``."""
    return name_cn(cert.subject)


def name_cn(name: x509.Name) -> str:
    """The common name in ``name``, or the whole name when it has none."""
    attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else name.rfc4514_string()


def _ca_builder(subject: x509.Name, issuer: x509.Name, key: PrivateKey, now: datetime, not_after: datetime,
                *, path_length: int) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(_CA_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


