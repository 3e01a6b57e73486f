"""Keys: both algorithms load and sign 64-byte signatures; anything else is refused at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from gateway.signing import DEFAULT_ALGORITHM, Algorithm, KeyLoadError, PublicKeySet, SignatureError, SigningKey

_PKCS8 = serialization.PrivateFormat.PKCS8


def _pem(
    key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, password: bytes = b""
) -> bytes:
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, _PKCS8, encryption)


def test_the_default_algorithm_is_p256() -> None:
    assert DEFAULT_ALGORITHM == "ecdsa-p256"
    assert SigningKey.generate("k").algorithm == "ecdsa-p256"


def test_both_algorithms_sign_64_bytes_that_their_public_key_verifies(algorithm: Algorithm) -> None:
    key = SigningKey.generate("k/1", algorithm)
    signature = key.sign(b"data")
    assert len(signature) == 64
    key.public_key().verify(signature, b"data")
    with pytest.raises(SignatureError, match="bad_signature"):
        key.public_key().verify(signature, b"date")


def test_p256_signatures_are_r_concat_s_and_deterministic() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    key = SigningKey("k", private)
    signature = key.sign(b"data")
    assert signature == key.sign(b"data")  # RFC 6979
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    private.public_key().verify(der, b"data", ec.ECDSA(hashes.SHA256()))


def test_a_p256_signature_made_with_a_random_nonce_verifies() -> None:
    """Partners' libraries usually sign with random k; only r || s matters to the verifier."""
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    private = ec.generate_private_key(ec.SECP256R1())
    r, s = decode_dss_signature(private.sign(b"data", ec.ECDSA(hashes.SHA256())))
    SigningKey("k", private).public_key().verify(r.to_bytes(32, "big") + s.to_bytes(32, "big"), b"data")


@pytest.mark.parametrize("length", [0, 63, 65, 72])
def test_a_signature_of_another_length_is_bad_signature(algorithm: Algorithm, length: int) -> None:
    with pytest.raises(SignatureError, match="bad_signature"):
        SigningKey.generate("k", algorithm).public_key().verify(b"\x01" * length, b"data")


def test_pem_round_trip_through_files(tmp_path: Path, algorithm: Algorithm) -> None:
    original = SigningKey.generate("platform/20260601-1", algorithm)
    private = (
        ed25519.Ed25519PrivateKey.generate() if algorithm == "ed25519" else ec.generate_private_key(ec.SECP256R1())
    )
    (tmp_path / "key.pem").write_bytes(_pem(private, b"pw"))
    loaded = SigningKey.from_pem_file("platform/20260601-2", tmp_path / "key.pem", b"pw")
    (tmp_path / "old.pub").write_bytes(original.public_pem())
    (tmp_path / "new.pub").write_bytes(loaded.public_pem())
    keys = PublicKeySet.from_pem_files(
        {"platform/20260601-1": tmp_path / "old.pub", loaded.key_id: tmp_path / "new.pub"}
    )
    assert sorted(keys) == ["platform/20260601-1", "platform/20260601-2"]
    keys.verify(loaded.key_id, loaded.sign(b"x"), b"x")
    keys.verify(original.key_id, original.sign(b"x"), b"x")


@pytest.mark.parametrize(
    "private",
    [
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ec.generate_private_key(ec.SECP384R1()),
        ec.generate_private_key(ec.SECP256K1()),
    ],
    ids=["rsa", "p384", "secp256k1"],
)
def test_other_key_types_are_refused_with_the_fix(private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> None:
    with pytest.raises(KeyLoadError, match="fix: use an Ed25519 or ECDSA P-256 key"):
        SigningKey.from_pem("k", _pem(private))
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(KeyLoadError, match="public key k: unsupported key type"):
        PublicKeySet.from_pem({"k": public})


def test_unreadable_pem_and_wrong_password_name_the_key_not_the_bytes() -> None:
    with pytest.raises(KeyLoadError, match="signing key k: not a readable PEM private key") as caught:
        SigningKey.from_pem("k", b"-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n")
    assert "c2VjcmV0" not in str(caught.value)
    with pytest.raises(KeyLoadError, match="wrong password"):
        SigningKey.from_pem("k", _pem(ed25519.Ed25519PrivateKey.generate(), b"pw"), b"other")
    with pytest.raises(KeyLoadError, match="not a readable PEM public key"):
        PublicKeySet.from_pem({"k": b"garbage"})


def test_a_missing_key_file_is_an_os_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as caught:
        SigningKey.from_pem_file("k", tmp_path / "absent.pem")
    assert caught.value.filename == str(tmp_path / "absent.pem")


@pytest.mark.parametrize("key_id", ["", "k" * 65, "has space", "ключ", "a\nb"])
def test_ill_formed_key_ids_are_refused_at_load(key_id: str) -> None:
    with pytest.raises(KeyLoadError, match="key id must be"):
        SigningKey.generate(key_id)
    with pytest.raises(KeyLoadError, match="key id must be"):
        PublicKeySet.from_pem({key_id: SigningKey.generate("k").public_pem()})


def test_a_key_registered_under_another_id_is_refused() -> None:
    public = SigningKey.generate("a").public_key()
    with pytest.raises(KeyLoadError, match="different key id"):
        PublicKeySet({"b": public})


def test_reprs_show_ids_not_key_material() -> None:
    key = SigningKey.generate("platform/1", "ed25519")
    assert repr(key) == "SigningKey(key_id='platform/1', algorithm='ed25519')"
    assert repr(PublicKeySet.of(key)) == "PublicKeySet(['platform/1'])"
    assert "key=" not in repr(key.public_key())
