"""Field encryption: golden vectors, and every way a ciphertext must fail to open."""

from __future__ import annotations

import json
from typing import Any

import pytest
from masking_support import vectors

from coloan.policy.v1 import options_pb2 as opts
from masking import DecryptError, Decryptor, Keyring, KeyringError
from masking._aead import sealer
from masking._keyring import Key

AEAD = vectors("aead.json")
KEY = bytes.fromhex(AEAD["key"])


def _export(audience: str, versions: dict[int, bytes]) -> bytes:
    kind = f"encrypt-{audience.lower()}"
    doc = {"format": "coloan-recipient-key/1", "kind": kind, "audience": audience, "active": max(versions),
           "versions": [{"version": v, "created": "x", "key": __import__("base64").b64encode(k).decode()}
                        for v, k in versions.items()]}
    return json.dumps(doc).encode()


def _decryptor(v: dict[str, Any]) -> Decryptor:
    return Decryptor(_export(v["audience"], {AEAD["version"]: KEY}), opts.Audience.Value(v["audience"]))


@pytest.mark.parametrize("v", AEAD["vectors"], ids=[f"{v['cipher']}-{v['audience']}-{v['path']}"
                                                     for v in AEAD["vectors"]])
def test_encrypt_golden_vectors(v: dict[str, Any]) -> None:
    nonce = bytes.fromhex(v["nonce"])
    seal = sealer(Key(f"encrypt-{v['audience'].lower()}", AEAD["version"], "x", KEY),
                  opts.BlockCipher.Value(v["cipher"]), opts.Audience.Value(v["audience"]), lambda n: nonce[:n])
    assert seal(v["in"], v["message_type"], v["path"]) == v["out"]
    assert _decryptor(v).decrypt(v["out"], v["message_type"], v["path"]) == v["in"]


V = AEAD["vectors"][0]


def test_a_ciphertext_carries_its_cipher_and_key_version() -> None:
    assert V["out"].startswith("enc1:A256GCM:2:")


def test_moved_to_another_field_does_not_open() -> None:
    with pytest.raises(DecryptError):
        _decryptor(V).decrypt(V["out"], V["message_type"], "profile.mobile")


def test_moved_to_another_message_type_does_not_open() -> None:
    with pytest.raises(DecryptError):
        _decryptor(V).decrypt(V["out"], "coloan.v1.DrawdownRequest", V["path"])


def test_another_audience_cannot_open_it_even_with_the_same_key_bytes() -> None:
    log = Decryptor(_export("LOG", {2: KEY}), opts.LOG)
    with pytest.raises(DecryptError):
        log.decrypt(V["out"], V["message_type"], V["path"])


def test_wrong_key_does_not_open() -> None:
    wrong = Decryptor(_export("BANK", {2: bytes(32)}), opts.BANK)
    with pytest.raises(DecryptError):
        wrong.decrypt(V["out"], V["message_type"], V["path"])


def test_unknown_key_version_does_not_open() -> None:
    d = _decryptor(V)
    with pytest.raises(DecryptError):
        d.decrypt(V["out"].replace(":2:", ":3:"), V["message_type"], V["path"])


@pytest.mark.parametrize("edit", [
    lambda c: c[:-1],                                   # truncated
    lambda c: c[:-6],                                   # truncated into the tag
    lambda c: c[:30],                                   # shorter than nonce + tag
    lambda c: c[:-2] + ("A" if c[-2] != "A" else "B") + c[-1],  # edited tag
    lambda c: c[:20] + ("x" if c[20] != "x" else "y") + c[21:],  # edited nonce
    lambda c: c.replace("A256GCM", "SM4GCM"),          # edited cipher
    lambda c: c.replace("enc1", "enc2"),                # edited format
    lambda c: c + "A",                                  # extended
    lambda c: c + "==",                                 # padded
    lambda c: "",
    lambda c: "not a ciphertext",
])
def test_truncated_or_edited_ciphertext_does_not_open(edit: Any) -> None:
    with pytest.raises(DecryptError):
        _decryptor(V).decrypt(edit(V["out"]), V["message_type"], V["path"])


def test_the_error_says_nothing_about_the_value_or_the_key() -> None:
    with pytest.raises(DecryptError) as info:
        _decryptor(V).decrypt(V["out"], V["message_type"], "elsewhere")
    assert str(info.value) == "ciphertext does not open"


def test_bytes_round_trip_as_bytes() -> None:
    seal = sealer(Key("encrypt-bank", 2, "x", KEY), opts.SM4, opts.BANK, lambda n: bytes(n))
    ct = seal(b"\x00\xffraw", "t.T", "blob")
    assert isinstance(ct, bytes)
    assert _decryptor(V).decrypt(ct, "t.T", "blob") == b"\x00\xffraw"


def test_old_versions_still_open_after_rotation(tmp_path: Any) -> None:
    ring = Keyring.init(tmp_path / "keys")
    old = sealer(ring.active("encrypt-bank"), opts.AES, opts.BANK, lambda n: bytes(n))("x", "t.T", "f")
    ring = ring.rotate("encrypt-bank")
    d = Decryptor(ring.export(opts.BANK), opts.BANK)
    assert d.decrypt(old, "t.T", "f") == "x"
    assert ring.active("encrypt-bank").version == 2


def test_decryptor_refuses_key_material_of_another_audience(keyring: Keyring) -> None:
    with pytest.raises(KeyringError, match="encrypt-bank"):
        Decryptor(keyring.export(opts.LOG), opts.BANK)


def test_decryptor_refuses_a_keyring_file_that_is_not_an_export(tmp_path: Any) -> None:
    ring = Keyring.init(tmp_path / "keys")
    with pytest.raises(KeyringError):
        Decryptor((tmp_path / "keys" / "encrypt-bank.json").read_bytes(), opts.BANK)
    assert ring.directory is not None


def test_sm4_gcm_matches_rfc_8998() -> None:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key, iv = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210"), bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    pt = bytes.fromhex("AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
                       "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA")
    enc = Cipher(algorithms.SM4(key), modes.GCM(iv)).encryptor()
    enc.authenticate_additional_data(aad)
    ct = enc.update(pt) + enc.finalize()
    assert ct.hex().upper().startswith("17F399F08C67D5EE19D0DC9969C4BB7D")
    assert enc.tag.hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"
