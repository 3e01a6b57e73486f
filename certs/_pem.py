"""Reading and writing PEM: certificates, PKCS#8 keys and CRLs, with errors that name the file."""

from __future__ import annotations

import re
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from certs._errors import PKIFileError

PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | rsa.RSAPublicKey
_CRL_BLOCK = re.compile(rb"-----BEGIN X509 CRL-----.+?-----END X509 CRL-----\s*", re.DOTALL)
_REPLACE = "replace it from a backup or re-create it with coloan-gw certs"


def read(path: Path) -> bytes:
    """The bytes of ``path``; a missing file names itself and the fix."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise PKIFileError(path, "does not exist", "check the PKI directory, or run coloan-gw certs init") from None
    except PermissionError:
        raise PKIFileError(path, "permission denied", "run as the user that owns the PKI directory, "
                                                      "or fix the file's owner and mode (keys are 0600)") from None


def certs_from(data: bytes, source: Path | str) -> list[x509.Certificate]:
    """Every certificate in PEM ``data`` (at least one)."""
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise PKIFileError(source, "is not a valid PEM certificate (corrupt or truncated)", _REPLACE) from None
    return certs


def key_from(data: bytes, source: Path | str) -> PrivateKey:
    """The private key in unencrypted PEM ``data``."""
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise PKIFileError(source, "is not a valid unencrypted PEM private key (corrupt or truncated)",
                           _REPLACE) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey):
        raise PKIFileError(source, f"holds an unsupported {type(key).__name__}", "use ECDSA, Ed25519 or RSA keys")
    return key


def crls_from(data: bytes, source: Path | str) -> list[x509.CertificateRevocationList]:
    """Every CRL in PEM ``data``; empty data means no CRLs."""
    blocks = _CRL_BLOCK.findall(data)
    if data.strip() and b"".join(blocks).strip() != data.strip():
        raise PKIFileError(source, "holds something other than PEM CRLs", _REPLACE)
    try:
        return [x509.load_pem_x509_crl(block) for block in blocks]
    except ValueError:
        raise PKIFileError(source, "is not a valid PEM CRL (corrupt or truncated)", _REPLACE) from None


def key_matches(key: PrivateKey, cert: x509.Certificate) -> bool:
    """Whether ``key`` is the private half of ``cert``'s public key."""
    fmt = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    return key.public_key().public_bytes(der, fmt) == cert.public_key().public_bytes(der, fmt)


def cert_pem(*certs: x509.Certificate) -> bytes:
    """PEM of ``certs`` in order."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def key_pem(key: PrivateKey) -> bytes:
    """Unencrypted PKCS#8 PEM of ``key``."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def crl_pem(*crls: x509.CertificateRevocationList) -> bytes:
    """PEM of ``crls`` concatenated."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in crls)
