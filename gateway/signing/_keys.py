"""Signing keys and the registered public keys a verifier trusts, Ed25519 or ECDSA P-256.

The algorithm is a property of the key, never of a message: a verifier looks the
key id up and uses whatever algorithm that registered key has, so a sender cannot
choose a weaker one. Both algorithms produce 64-byte signatures: Ed25519 natively,
ECDSA as fixed-width big-endian ``r || s`` (not DER), which every language can
produce without an ASN.1 library.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from gateway.signing._errors import KeyLoadError, SignatureError
from gateway.signing._fields import SIGNATURE_BYTES, FieldError, check_key_id

Algorithm = Literal["ed25519", "ecdsa-p256"]
DEFAULT_ALGORITHM: Algorithm = "ecdsa-p256"  # measured cheaper to verify here; see docs/PROTOCOL.md

_PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
_PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey
_SUPPORTED = "an Ed25519 or ECDSA P-256 key (e.g. `openssl genpkey -algorithm ed25519`)"
# RFC 6979 nonces: no RNG failure can leak the key, and known-answer vectors are exact.
_ECDSA = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
_ECDSA_VERIFY = ec.ECDSA(hashes.SHA256())


def _algorithm(key: object, where: str) -> Algorithm:
    """The protocol name of ``key``'s algorithm; any other key type is refused at load time."""
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1":
        return "ecdsa-p256"
    raise KeyLoadError(f"{where}: unsupported key type; fix: use {_SUPPORTED}")


def _key_id(key_id: str, where: str) -> str:
    try:
        return check_key_id(key_id)
    except FieldError:
        raise KeyLoadError(f"{where}: key id must be 1-64 characters of [A-Za-z0-9._/-]") from None


class SigningKey:
    """A private key with its key id; ``sign`` returns the protocol's 64-byte signature."""

    def __init__(self, key_id: str, private_key: _PrivateKey) -> None:
        self._key_id = _key_id(key_id, f"signing key {key_id!r}")
        self._algorithm = _algorithm(private_key, f"signing key {key_id}")
        self._key = private_key

    @classmethod
    def generate(cls, key_id: str, algorithm: Algorithm = DEFAULT_ALGORITHM) -> SigningKey:
        """A new random key (for tests, demos and ``coloan-gw keys``)."""
        if algorithm == "ed25519":
            return cls(key_id, ed25519.Ed25519PrivateKey.generate())
        return cls(key_id, ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_pem(cls, key_id: str, pem: bytes, password: bytes | None = None, *, where: str = "") -> SigningKey:
        """Load a PKCS#8 (or SEC1) PEM private key; a failure names ``where`` and the key id, never the bytes."""
        name = where or f"signing key {key_id}"
        try:
            key = serialization.load_pem_private_key(pem, password)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise KeyLoadError(f"{name}: not a readable PEM private key (or wrong password)") from None
        if not isinstance(key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
            raise KeyLoadError(f"{name}: unsupported key type; fix: use {_SUPPORTED}")
        _algorithm(key, name)
        return cls(key_id, key)

    @classmethod
    def from_pem_file(cls, key_id: str, path: str | Path, password: bytes | None = None) -> SigningKey:
        """Load a PEM private key file; OS errors propagate as they are (they name the file)."""
        return cls.from_pem(key_id, Path(path).read_bytes(), password, where=str(path))

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def algorithm(self) -> Algorithm:
        return self._algorithm

    def sign(self, data: bytes) -> bytes:
        """The 64-byte signature of ``data``: Ed25519, or ECDSA P-256/SHA-256 as ``r || s``."""
        if isinstance(self._key, ed25519.Ed25519PrivateKey):
            return self._key.sign(data)
        r, s = decode_dss_signature(self._key.sign(data, _ECDSA))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def public_key(self) -> VerifyingKey:
        return VerifyingKey(self._key_id, self._algorithm, self._key.public_key())

    def private_pem(self) -> bytes:
        """The private key as unencrypted PKCS#8 PEM, for writing a key file with mode 0600."""
        return self._key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())

    def public_pem(self) -> bytes:
        """The public key as SubjectPublicKeyInfo PEM, what a peer registers."""
        return self.public_key().pem()

    def __repr__(self) -> str:
        return f"SigningKey(key_id={self._key_id!r}, algorithm={self._algorithm!r})"


@dataclass(frozen=True)
class VerifyingKey:
    """A registered public key; ``verify`` returns nothing or raises ``SignatureError('bad_signature')``."""

    key_id: str
    algorithm: Algorithm
    key: _PublicKey = field(repr=False)

    def verify(self, signature: bytes, data: bytes) -> None:
        if len(signature) != SIGNATURE_BYTES:
            raise SignatureError("bad_signature", "signature is not 64 bytes")
        try:
            if isinstance(self.key, ed25519.Ed25519PublicKey):
                self.key.verify(signature, data)
            else:
                der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
                self.key.verify(der, data, _ECDSA_VERIFY)
        except (InvalidSignature, ValueError):
            raise SignatureError("bad_signature", "signature does not verify under the registered key") from None

    def pem(self) -> bytes:
        return self.key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _load_public(key_id: str, pem: bytes, where: str) -> VerifyingKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, UnsupportedAlgorithm):
        raise KeyLoadError(f"{where}: not a readable PEM public key") from None
    algorithm = _algorithm(key, where)
    assert isinstance(key, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey)
    return VerifyingKey(_key_id(key_id, where), algorithm, key)


class PublicKeySet(Mapping[str, VerifyingKey]):
    """One peer's registered public keys by key id; several are valid at once so keys rotate without downtime."""

    def __init__(self, keys: Mapping[str, VerifyingKey]) -> None:
        self._keys = dict(keys)
        for key_id, key in self._keys.items():
            if key.key_id != key_id:
                raise KeyLoadError(f"public key {key_id}: registered under a different key id ({key.key_id})")

    @classmethod
    def from_pem(cls, pems: Mapping[str, bytes]) -> PublicKeySet:
        """From ``{key id: SubjectPublicKeyInfo PEM}``."""
        return cls({kid: _load_public(kid, pem, f"public key {kid}") for kid, pem in pems.items()})

    @classmethod
    def from_pem_files(cls, paths: Mapping[str, str | Path]) -> PublicKeySet:
        """From ``{key id: path to a PEM public key}``; a failure names the file."""
        return cls({kid: _load_public(kid, Path(p).read_bytes(), str(p)) for kid, p in paths.items()})

    @classmethod
    def of(cls, *keys: SigningKey | VerifyingKey) -> PublicKeySet:
        """The public halves of ``keys`` (tests, demos, and a gateway trusting its own keys)."""
        public = [k.public_key() if isinstance(k, SigningKey) else k for k in keys]
        return cls({k.key_id: k for k in public})

    def verify(self, key_id: str, signature: bytes, data: bytes) -> None:
        """Verify under the registered key ``key_id``; ``unknown_key`` or ``bad_signature`` otherwise."""
        key = self._keys.get(key_id)
        if key is None:
            raise SignatureError("unknown_key", "key id is not registered for this peer")
        key.verify(signature, data)

    def __getitem__(self, key_id: str) -> VerifyingKey:
        return self._keys[key_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"PublicKeySet({sorted(self._keys)!r})"
