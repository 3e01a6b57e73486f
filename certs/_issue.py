"""Leaf issuance: one SPIFFE URI SAN, DNS and IP SANs, digitalSignature, serverAuth and clientAuth."""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certs._ca import Authority, authority_key_id, signing_hash
from certs._errors import PKIStateError
from certs._pem import PrivateKey
from certs._profiles import (
    BACKDATE,
    MAX_LEAF_DAYS,
    Algorithm,
    LeafProfile,
    SpiffeId,
    algorithm_of,
    generate_key,
    parse_spiffe,
)

_LEAF_USAGE = x509.KeyUsage(
    digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
    key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
)
_EKU = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH])


def issue_leaf(profile: LeafProfile, trust_domain: str, issuer: Authority,
               now: datetime) -> tuple[x509.Certificate, PrivateKey]:
    """A new key and a leaf certificate for ``profile`` signed by ``issuer``; never outlives the issuer."""
    if issuer.key is None:
        raise PKIStateError(f"the key of issuing CA {issuer.id} is missing; put it back, "
                            "or run coloan-gw certs ca rotate")
    key = generate_key(profile.algorithm)
    not_after = min(now + timedelta(days=profile.days), issuer.cert.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_subject(profile, trust_domain))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(not_after)
    )
    for ext, critical in _extensions(profile, trust_domain, key, issuer):
        builder = builder.add_extension(ext, critical=critical)
    return builder.sign(issuer.key, signing_hash(issuer.key)), key


def _subject(profile: LeafProfile, trust_domain: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, trust_domain),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, profile.role.value),
        x509.NameAttribute(NameOID.COMMON_NAME, profile.name),
    ])


def _extensions(profile: LeafProfile, trust_domain: str, key: PrivateKey,
                issuer: Authority) -> list[tuple[x509.ExtensionType, bool]]:
    sans: list[x509.GeneralName] = [x509.UniformResourceIdentifier(str(profile.spiffe_id(trust_domain)))]
    sans += [x509.DNSName(d) for d in profile.dns]
    sans += [x509.IPAddress(ipaddress.ip_address(i)) for i in profile.ips]
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_LEAF_USAGE, True),
        (_EKU, False),
        (x509.SubjectAlternativeName(sans), False),
        (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False),
        (authority_key_id(issuer.cert), False),
    ]


def spiffe_of(cert: x509.Certificate) -> SpiffeId:
    """The SPIFFE id in ``cert``'s one URI SAN; ``ValueError`` when there is not exactly one valid one."""
    uris = uri_sans(cert)
    if len(uris) != 1:
        raise ValueError(f"has {len(uris)} URI SANs, the profile needs exactly one")
    return parse_spiffe(uris[0])


def uri_sans(cert: x509.Certificate) -> list[str]:
    """Every URI SAN of ``cert``."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return san.get_values_for_type(x509.UniformResourceIdentifier)


def profile_of(cert: x509.Certificate, *, algorithm: Algorithm | None = None, days: int | None = None) -> LeafProfile:
    """The profile ``cert`` was issued under, so rotation re-issues the same identity and SANs."""
    spiffe = spiffe_of(cert)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc - BACKDATE
    return LeafProfile(
        spiffe.name, spiffe.role,
        dns=tuple(san.get_values_for_type(x509.DNSName)),
        ips=tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress)),
        days=days or min(MAX_LEAF_DAYS, max(1, round(lifetime / timedelta(days=1)))),
        algorithm=algorithm or algorithm_of(cert.public_key()),
    )
