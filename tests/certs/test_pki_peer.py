"""The post-handshake peer check: every reason code has its failing case, and the CRL reloads by itself."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from certs import FrozenClock, PeerChecker, PeerRejected, Pki, PKIError, Role

Forge = Callable[..., bytes]


def _cert(pki: Pki, name: str) -> bytes:
    return (pki.layout.current(name) / "cert.pem").read_bytes()


def _reason(checker: PeerChecker, cert: bytes) -> str:
    with pytest.raises(PeerRejected) as info:
        checker.check(cert)
    return info.value.reason


@pytest.fixture
def checker(pki: Pki) -> PeerChecker:
    return PeerChecker(pki.layout.root, clock=pki.clock)


def test_a_good_peer_yields_its_identity(pki: Pki, checker: PeerChecker) -> None:
    pem = _cert(pki, "platform")
    cert = x509.load_pem_x509_certificate(pem)
    peer = checker.check(pem)
    assert (peer.spiffe_id, peer.trust_domain, peer.role, peer.name) == (
        "spiffe://coloan.local/platform/platform", "coloan.local", Role.PLATFORM, "platform")
    assert peer.serial == cert.serial_number
    assert peer.fingerprint_sha256 == hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    assert peer.not_after == cert.not_valid_after_utc


def test_der_is_accepted_as_well_as_pem(pki: Pki, checker: PeerChecker) -> None:
    der = x509.load_pem_x509_certificate(_cert(pki, "bank")).public_bytes(serialization.Encoding.DER)
    assert checker.check(der).name == "bank"


def test_revoked(pki: Pki, checker: PeerChecker) -> None:
    cert = _cert(pki, "bank")
    pki.revoke("bank")
    assert _reason(checker, cert) == "revoked"


def test_expired(pki: Pki, checker: PeerChecker, clock: FrozenClock) -> None:
    clock.advance(timedelta(days=31))
    assert _reason(checker, _cert(pki, "bank")) == "expired"


def test_not_yet_valid(pki: Pki, checker: PeerChecker, clock: FrozenClock) -> None:
    clock.advance(timedelta(hours=-1))
    assert _reason(checker, _cert(pki, "bank")) == "not_yet_valid"


def test_no_spiffe_id(pki: Pki, checker: PeerChecker, forge: Forge) -> None:
    assert _reason(checker, forge(pki, uris=())) == "no_spiffe_id"
    assert _reason(checker, forge(pki, uris=("https://coloan.local/bank/x",))) == "no_spiffe_id"


def test_multiple_uri_sans(pki: Pki, checker: PeerChecker, forge: Forge) -> None:
    uris = ("spiffe://coloan.local/bank/a", "spiffe://coloan.local/bank/b")
    assert _reason(checker, forge(pki, uris=uris)) == "multiple_uri_sans"


def test_bad_trust_domain(pki: Pki, checker: PeerChecker, forge: Forge) -> None:
    assert _reason(checker, forge(pki, uris=("spiffe://evil.example/bank/bank",))) == "bad_trust_domain"


def test_bad_spiffe_path(pki: Pki, checker: PeerChecker, forge: Forge) -> None:
    assert _reason(checker, forge(pki, uris=("spiffe://coloan.local/admin/root",))) == "bad_spiffe_path"
    assert _reason(checker, forge(pki, uris=("spiffe://coloan.local/bank",))) == "bad_spiffe_path"


def test_no_client_auth_eku(pki: Pki, checker: PeerChecker, forge: Forge) -> None:
    assert _reason(checker, forge(pki, eku=None)) == "no_client_auth_eku"
    assert _reason(checker, forge(pki, eku=(ExtendedKeyUsageOID.SERVER_AUTH,))) == "no_client_auth_eku"


def test_a_forged_certificate_passes_the_profile_when_it_fits(pki: Pki, checker: PeerChecker, forge: Forge) -> None:
    assert checker.check(forge(pki)).name == "forged"


def test_unknown_issuer(pki: Pki, other_pki: Pki, checker: PeerChecker) -> None:
    assert _reason(checker, _cert(other_pki, "bank")) == "unknown_issuer"


def test_a_certificate_claiming_our_issuer_but_not_signed_by_it(pki: Pki, other_pki: Pki, checker: PeerChecker,
                                                                forge: Forge) -> None:
    (other_pki.layout.ca_dir("issuing-1") / "cert.pem").write_bytes(
        (pki.layout.ca_dir("issuing-1") / "cert.pem").read_bytes())
    assert _reason(checker, forge(other_pki)) == "unknown_issuer"


def test_malformed(checker: PeerChecker) -> None:
    assert _reason(checker, b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n") == "malformed"
    assert _reason(checker, b"\x30\x03garbage") == "malformed"


def test_a_crl_signed_by_the_wrong_ca_is_not_taken(pki: Pki, other_pki: Pki, checker: PeerChecker) -> None:
    cert = _cert(pki, "bank")
    pki.revoke("bank")
    assert _reason(checker, cert) == "revoked"
    pki.layout.crl.write_bytes(other_pki.layout.crl.read_bytes())
    assert _reason(checker, cert) == "revoked"
    assert "no active issuing CA signed" in str(checker.last_error)


def test_without_ever_loading_the_trust_files_check_raises(tmp_path: Path) -> None:
    checker = PeerChecker(tmp_path / "none")
    with pytest.raises(PKIError, match="holds no PKI") as info:
        checker.check(b"")
    assert not isinstance(info.value, PeerRejected)
