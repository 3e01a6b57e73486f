"""Fixtures for the PKI tests: a frozen clock, a fresh PKI, independent verifiers, and a certificate forger."""

from __future__ import annotations

import ipaddress
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import PolicyBuilder, Store

from certs import FrozenClock, LeafProfile, Pki, Role

OpensslVerify = Callable[..., subprocess.CompletedProcess[str]]
CryptoVerify = Callable[..., list[x509.Certificate]]
Forge = Callable[..., bytes]


@pytest.fixture(autouse=True)
def _no_fsync(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip fsync (crash durability is not observable in a test, and it costs most of the run on shared disks).

    A test that asks for the ``durable`` fixture keeps the real fsync.
    """
    if "durable" not in request.fixturenames:
        monkeypatch.setattr("certs._atomic._fsync", lambda fd: None)


@pytest.fixture
def durable() -> None:
    """Keep real fsync calls in this test."""


@pytest.fixture
def clock() -> FrozenClock:
    """Real time, frozen: gRPC and openssl see the same moment the PKI does."""
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def pki(tmp_path: Path, clock: FrozenClock) -> Pki:
    return Pki.init(tmp_path / "pki", clock=clock)


@pytest.fixture
def other_pki(tmp_path: Path, clock: FrozenClock) -> Pki:
    """A second, unrelated PKI of the same trust domain: its certificates come from the wrong CA."""
    return Pki.init(tmp_path / "other", clock=clock, leaves=(LeafProfile("bank", Role.BANK),))


def pem_certs(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


@pytest.fixture
def crypto_verify() -> CryptoVerify:
    """Validate a chain with cryptography's own X.509 path validation, as a client (or server) certificate."""

    def verify(bundle: Path, chain_pem: bytes, at: datetime, *, server: bool = False) -> list[x509.Certificate]:
        chain = x509.load_pem_x509_certificates(chain_pem)
        builder = PolicyBuilder().store(Store(pem_certs(bundle))).time(at)
        if server:
            return builder.build_server_verifier(x509.DNSName("localhost")).verify(chain[0], chain[1:])
        return builder.build_client_verifier().verify(chain[0], chain[1:]).chain

    return verify


@pytest.fixture
def openssl_verify(tmp_path: Path) -> OpensslVerify:
    """Validate a chain with ``openssl verify`` at a given time, optionally checking the CRL."""

    def verify(pki: Pki, chain_pem: bytes, at: datetime, *, crl: bool = True,
               purpose: str = "sslclient") -> subprocess.CompletedProcess[str]:
        chain = x509.load_pem_x509_certificates(chain_pem)
        leaf, untrusted = tmp_path / "leaf.pem", tmp_path / "untrusted.pem"
        leaf.write_bytes(chain[0].public_bytes(serialization.Encoding.PEM))
        untrusted.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain[1:]))
        args = ["openssl", "verify", "-CAfile", str(pki.layout.bundle), "-attime", str(int(at.timestamp())),
                "-purpose", purpose, "-x509_strict"]
        args += ["-untrusted", str(untrusted)] if chain[1:] else []
        args += ["-crl_check", "-CRLfile", str(pki.layout.crl)] if crl else []
        return subprocess.run([*args, str(leaf)], capture_output=True, text=True, check=False)

    return verify


@pytest.fixture
def forge(clock: FrozenClock) -> Forge:
    """A leaf signed by a PKI's issuing CA but built by hand, to break one profile rule at a time."""

    def make(pki: Pki, *, uris: tuple[str, ...] = ("spiffe://coloan.local/bank/forged",),
             eku: tuple[x509.ObjectIdentifier, ...] | None = (ExtendedKeyUsageOID.CLIENT_AUTH,),
             not_before: datetime | None = None, days: int = 30) -> bytes:
        issuer_dir = pki.layout.ca_dir(_issuing(pki))
        issuer = x509.load_pem_x509_certificate((issuer_dir / "cert.pem").read_bytes())
        issuer_key = serialization.load_pem_private_key((issuer_dir / "key.pem").read_bytes(), None)
        assert isinstance(issuer_key, ec.EllipticCurvePrivateKey)
        key = ec.generate_private_key(ec.SECP256R1())
        start = not_before or clock() - timedelta(minutes=5)
        sans: list[x509.GeneralName] = [x509.UniformResourceIdentifier(u) for u in uris]
        sans.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "forged")]))
            .issuer_name(issuer.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
        )
        if eku is not None:
            builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
        return builder.sign(issuer_key, hashes.SHA384()).public_bytes(serialization.Encoding.PEM)

    return make


def _issuing(pki: Pki) -> str:
    import json

    return str(json.loads(pki.layout.manifest.read_text())["issuing"])
