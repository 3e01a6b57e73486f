"""Issued chains validate with cryptography's X.509 verifier and with ``openssl verify``, and fail when they must."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.x509.verification import VerificationError

from certs import INTERMEDIATE_LIFETIME, Algorithm, FrozenClock, LeafProfile, Pki, Role

CryptoVerify = Callable[..., list[x509.Certificate]]
OpensslVerify = Callable[..., subprocess.CompletedProcess[str]]

NAMES = ("gateway", "platform", "bank", "ops")


@pytest.mark.parametrize("name", NAMES)
def test_every_initial_leaf_validates_as_a_client_with_cryptography(
        pki: Pki, clock: FrozenClock, crypto_verify: CryptoVerify, name: str) -> None:
    chain = crypto_verify(pki.layout.bundle, pki.layout.chain(name).read_bytes(), clock())
    assert len(chain) == 3


def test_a_leaf_validates_as_a_server_for_localhost_with_cryptography(
        pki: Pki, clock: FrozenClock, crypto_verify: CryptoVerify) -> None:
    assert crypto_verify(pki.layout.bundle, pki.layout.chain("gateway").read_bytes(), clock(), server=True)


@pytest.mark.parametrize("purpose", ["sslclient", "sslserver"])
def test_every_initial_leaf_validates_with_openssl_including_the_crl(
        pki: Pki, clock: FrozenClock, openssl_verify: OpensslVerify, purpose: str) -> None:
    for name in NAMES:
        result = openssl_verify(pki, pki.layout.chain(name).read_bytes(), clock(), purpose=purpose)
        assert result.returncode == 0, result.stdout + result.stderr


def test_an_ed25519_leaf_validates_with_cryptography_and_openssl(
        pki: Pki, clock: FrozenClock, crypto_verify: CryptoVerify, openssl_verify: OpensslVerify) -> None:
    pki.issue(LeafProfile("edge", Role.OPS, algorithm=Algorithm.ED25519))
    chain = pki.layout.chain("edge").read_bytes()
    assert crypto_verify(pki.layout.bundle, chain, clock())
    assert openssl_verify(pki, chain, clock()).returncode == 0


def test_an_expired_leaf_fails_both_verifiers(
        pki: Pki, clock: FrozenClock, crypto_verify: CryptoVerify, openssl_verify: OpensslVerify) -> None:
    chain = pki.layout.chain("bank").read_bytes()
    later = clock() + timedelta(days=31)
    with pytest.raises(VerificationError, match="not valid at validation time"):
        crypto_verify(pki.layout.bundle, chain, later)
    result = openssl_verify(pki, chain, later, crl=False)
    assert result.returncode != 0
    assert "expired" in result.stdout + result.stderr


def test_a_not_yet_valid_leaf_fails_both_verifiers(
        pki: Pki, clock: FrozenClock, crypto_verify: CryptoVerify, openssl_verify: OpensslVerify) -> None:
    clock.advance(timedelta(days=2))
    pki.rotate("bank")
    chain = pki.layout.chain("bank").read_bytes()
    earlier = clock() - timedelta(days=1)
    with pytest.raises(VerificationError):
        crypto_verify(pki.layout.bundle, chain, earlier)
    result = openssl_verify(pki, chain, earlier, crl=False)
    assert "not yet valid" in result.stdout + result.stderr


def test_a_leaf_from_another_ca_fails_both_verifiers(
        pki: Pki, other_pki: Pki, clock: FrozenClock, crypto_verify: CryptoVerify,
        openssl_verify: OpensslVerify) -> None:
    foreign = other_pki.layout.chain("bank").read_bytes()
    with pytest.raises(VerificationError):
        crypto_verify(pki.layout.bundle, foreign, clock())
    assert openssl_verify(pki, foreign, clock(), crl=False).returncode != 0


def test_a_leaf_without_its_intermediate_does_not_validate(
        pki: Pki, clock: FrozenClock, crypto_verify: CryptoVerify) -> None:
    leaf_only = (pki.layout.current("bank") / "cert.pem").read_bytes()
    with pytest.raises(VerificationError):
        crypto_verify(pki.layout.bundle, leaf_only, clock())


def test_verify_accepts_a_current_chain_and_reports_its_path(pki: Pki) -> None:
    verified = pki.verify(pki.layout.chain("platform").read_bytes())
    assert verified.spiffe_id == "spiffe://coloan.local/platform/platform"
    assert verified.path == ("platform", "coloan.local Issuing CA issuing-1", "coloan.local Root CA root-1")


def test_verify_finds_the_intermediate_when_given_the_leaf_alone(pki: Pki) -> None:
    assert pki.verify((pki.layout.current("bank") / "cert.pem").read_bytes()).spiffe_id.endswith("/bank/bank")


def test_issuing_ca_expiry_is_seen_by_both_verifiers(
        pki: Pki, clock: FrozenClock, crypto_verify: CryptoVerify, openssl_verify: OpensslVerify) -> None:
    clock.advance(INTERMEDIATE_LIFETIME - timedelta(days=1))
    pki.rotate("bank")
    chain = pki.layout.chain("bank").read_bytes()
    after = clock() + timedelta(days=2)
    with pytest.raises(VerificationError):
        crypto_verify(pki.layout.bundle, chain, after)
    assert openssl_verify(pki, chain, after, crl=False).returncode != 0
