"""Every field of the leaf and CA profiles, and the requests the profile refuses."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certs import (
    INTERMEDIATE_LIFETIME,
    LEAF_DAYS,
    ROOT_LIFETIME,
    Algorithm,
    FrozenClock,
    LeafProfile,
    Pki,
    ProfileError,
    Role,
)


def pem_certs(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


E = TypeVar("E", bound=x509.ExtensionType)


def _ext(cert: x509.Certificate, kind: type[E]) -> x509.Extension[E]:
    return cert.extensions.get_extension_for_class(kind)


def _leaf(pki: Pki, name: str) -> x509.Certificate:
    return pem_certs(pki.layout.chain(name))[0]


def _issuing(pki: Pki) -> x509.Certificate:
    return pem_certs(pki.layout.intermediates)[-1]


def test_leaf_has_exactly_one_spiffe_uri_and_the_default_dns_and_ip(pki: Pki) -> None:
    san = _ext(_leaf(pki, "bank"), x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.UniformResourceIdentifier) == ["spiffe://coloan.local/bank/bank"]
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]


def test_leaf_key_usage_is_digital_signature_only_and_critical(pki: Pki) -> None:
    ext = _ext(_leaf(pki, "gateway"), x509.KeyUsage)
    usage = ext.value
    assert ext.critical
    assert usage.digital_signature
    assert not (usage.key_cert_sign or usage.crl_sign or usage.key_encipherment or usage.content_commitment)


def test_leaf_extended_key_usage_is_server_and_client_auth(pki: Pki) -> None:
    eku = _ext(_leaf(pki, "platform"), x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]


def test_leaf_is_not_a_ca_and_says_so_critically(pki: Pki) -> None:
    ext = _ext(_leaf(pki, "ops"), x509.BasicConstraints)
    assert ext.critical
    assert ext.value.ca is False


def test_leaf_key_identifiers_link_it_to_its_issuer(pki: Pki) -> None:
    leaf, issuer = _leaf(pki, "bank"), _issuing(pki)
    ski = _ext(leaf, x509.SubjectKeyIdentifier).value
    aki = _ext(leaf, x509.AuthorityKeyIdentifier).value
    assert ski.digest == x509.SubjectKeyIdentifier.from_public_key(leaf.public_key()).digest
    assert aki.key_identifier == _ext(issuer, x509.SubjectKeyIdentifier).value.digest
    assert leaf.issuer == issuer.subject


def test_leaf_defaults_to_ecdsa_p256_and_thirty_days(pki: Pki, clock: FrozenClock) -> None:
    leaf = _leaf(pki, "bank")
    key = leaf.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    assert key.curve.name == "secp256r1"
    assert leaf.not_valid_after_utc == clock() + timedelta(days=LEAF_DAYS)
    assert leaf.not_valid_before_utc < clock()


def test_leaf_subject_names_the_party(pki: Pki) -> None:
    subject = _leaf(pki, "bank").subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "bank"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == "bank"


def test_issue_takes_dns_ip_days_and_algorithm(pki: Pki, clock: FrozenClock) -> None:
    profile = LeafProfile("edge", Role.PLATFORM, dns=("edge.example", "*.edge.example"), ips=("::1",), days=7,
                          algorithm=Algorithm.ED25519)
    pki.issue(profile)
    leaf = _leaf(pki, "edge")
    san = _ext(leaf, x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["edge.example", "*.edge.example"]
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("::1")]
    assert san.get_values_for_type(x509.UniformResourceIdentifier) == ["spiffe://coloan.local/platform/edge"]
    assert isinstance(leaf.public_key(), ed25519.Ed25519PublicKey)
    assert leaf.not_valid_after_utc == clock() + timedelta(days=7)


def test_rsa_3072_is_selectable(pki: Pki) -> None:
    pki.issue(LeafProfile("legacy", Role.OPS, algorithm=Algorithm.RSA_3072))
    key = _leaf(pki, "legacy").public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    assert key.key_size == 3072


def test_root_is_a_p384_ca_for_one_level_of_intermediates(pki: Pki, clock: FrozenClock) -> None:
    root = pem_certs(pki.layout.bundle)[0]
    constraints = _ext(root, x509.BasicConstraints)
    assert constraints.critical
    assert (constraints.value.ca, constraints.value.path_length) == (True, 1)
    assert root.issuer == root.subject
    key = root.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    assert key.curve.name == "secp384r1"
    assert root.not_valid_after_utc == clock() + ROOT_LIFETIME


def test_issuing_ca_signs_certificates_and_crls_only_and_no_further_cas(pki: Pki, clock: FrozenClock) -> None:
    issuer = _issuing(pki)
    usage = _ext(issuer, x509.KeyUsage)
    constraints = _ext(issuer, x509.BasicConstraints).value
    assert usage.critical
    assert usage.value.key_cert_sign
    assert usage.value.crl_sign
    assert not usage.value.digital_signature
    assert (constraints.ca, constraints.path_length) == (True, 0)
    assert issuer.not_valid_after_utc == clock() + INTERMEDIATE_LIFETIME


def test_a_leaf_never_outlives_its_issuing_ca(pki: Pki, clock: FrozenClock) -> None:
    clock.advance(INTERMEDIATE_LIFETIME - timedelta(days=3))
    pki.issue(LeafProfile("late", Role.BANK))
    assert _leaf(pki, "late").not_valid_after_utc == _issuing(pki).not_valid_after_utc


@pytest.mark.parametrize("name", ["Bank", "a/b", "..", "-x", "x-", "", "a" * 64, "bank_1"])
def test_names_that_are_not_one_lowercase_label_are_refused(name: str) -> None:
    with pytest.raises(ProfileError, match="name"):
        LeafProfile(name, Role.BANK)


@pytest.mark.parametrize("days", [0, -1, 91, 365])
def test_lifetimes_outside_one_to_ninety_days_are_refused(days: int) -> None:
    with pytest.raises(ProfileError, match="--days"):
        LeafProfile("bank", Role.BANK, days=days)


def test_malformed_dns_and_ip_sans_are_refused() -> None:
    with pytest.raises(ProfileError, match="--dns"):
        LeafProfile("bank", Role.BANK, dns=("bad name",))
    with pytest.raises(ProfileError, match="--ip"):
        LeafProfile("bank", Role.BANK, ips=("300.1.1.1",))


def test_a_malformed_trust_domain_is_refused(tmp_path: Path, clock: FrozenClock) -> None:
    with pytest.raises(ProfileError, match="trust domain"):
        Pki.init(tmp_path / "pki", trust_domain="Bad Domain", clock=clock)
