"""Field encryption to an audience (AES-256-GCM or SM4-GCM) and the recipient's ``Decryptor``.

A ciphertext is ``enc1:<cipher>:<key version>:<base64url(nonce || ciphertext || tag)>``.
The associated data binds it to that header, the message type, the field path and the
audience, so it opens only where and for whom it was made.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, overload

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from coloan.policy.v1 import options_pb2 as opts
from masking._errors import DecryptError, KeyringError
from masking._keyring import EXPORT_FORMAT, Key, encrypt_kind, parse_keyset

PREFIX = "enc1"
_URLSAFE = bytes.maketrans(b"+/", b"-_")
NONCE, TAG = 12, 16
CIPHERS: dict[int, str] = {opts.BLOCK_CIPHER_UNSPECIFIED: "A256GCM", opts.AES: "A256GCM", opts.SM4: "SM4GCM"}


def derive(material: bytes, label: str, size: int) -> bytes:
    """A sub-key of ``material`` for one purpose (HKDF-SHA-256, ``label`` as info)."""
    return HKDF(hashes.SHA256(), size, None, label.encode()).derive(material)


class _Aead:
    """One derived key of one cipher: GCM seal and open with 96-bit nonces and 128-bit tags."""

    def __init__(self, material: bytes, cipher: str) -> None:
        self.cipher = cipher
        if cipher == "A256GCM":
            self._aes: AESGCM | None = AESGCM(derive(material, "coloan encrypt A256GCM", 32))
        else:
            self._aes, self._sm4 = None, derive(material, "coloan encrypt SM4GCM", 16)

    def seal(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        if self._aes is not None:
            return self._aes.encrypt(nonce, data, aad)
        enc = Cipher(algorithms.SM4(self._sm4), modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(aad)
        return enc.update(data) + enc.finalize() + enc.tag

    def open(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        if self._aes is not None:
            return self._aes.decrypt(nonce, data, aad)
        dec = Cipher(algorithms.SM4(self._sm4), modes.GCM(nonce, data[-TAG:])).decryptor()
        dec.authenticate_additional_data(aad)
        return dec.update(data[:-TAG]) + dec.finalize()


def associated_data(header: str, message_type: str, path: str, audience: str) -> bytes:
    return "\x00".join((header, message_type, path, audience)).encode()


@dataclass(frozen=True, slots=True, eq=False)
class Sealer:
    """``encrypt``: a field value to the active key of one audience, bound to message type and path."""

    aead: _Aead
    header: str
    audience: str
    random: Callable[[int], bytes] = field(default=os.urandom)

    def __call__(self, value: str | bytes, message_type: str, path: str) -> str | bytes:
        header = self.header
        text = isinstance(value, str)
        nonce = self.random(NONCE)
        aad = f"{header}\x00{message_type}\x00{path}\x00{self.audience}".encode()
        sealed = self.aead.seal(nonce, value.encode() if isinstance(value, str) else value, aad)
        body = binascii.b2a_base64(nonce + sealed, newline=False).translate(_URLSAFE).rstrip(b"=")
        return header + body.decode() if text else header.encode() + body


def sealer(key: Key, cipher: int, audience: int, random: Callable[[int], bytes]) -> Sealer:
    """The ``encrypt`` transform for ``audience`` under ``key`` (its active version)."""
    name = CIPHERS[cipher]
    header = f"{PREFIX}:{name}:{key.version}:"
    return Sealer(_Aead(key.material, name), header, opts.Audience.Name(audience), random)


def _split(text: str) -> tuple[str, str, int, bytes]:
    prefix, cipher, version, body = text.split(":", 3)
    if prefix != PREFIX or cipher not in CIPHERS.values() or not version.isdigit():
        raise ValueError("not a ciphertext")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != body or len(raw) < NONCE + TAG:
        raise ValueError("not canonical")
    return f"{prefix}:{cipher}:{version}:", cipher, int(version), raw


class Decryptor:
    """Opens the ciphertexts made for one audience, given the key material ``keys export`` wrote for it."""

    def __init__(self, key_material: bytes, audience: int) -> None:
        keyset = parse_keyset(key_material, "key material")
        expected = encrypt_kind(audience)
        doc: dict[str, Any] = json.loads(key_material)
        if keyset.kind != expected or doc.get("format") != EXPORT_FORMAT:
            raise KeyringError(f"key material is not an export of {expected}; "
                               f"fix: coloan-gw keys export --audience {opts.Audience.Name(audience)}")
        self._audience = opts.Audience.Name(audience)
        self._keys = {k.version: k.material for k in keyset.versions}
        self._aeads: dict[tuple[int, str], _Aead] = {}

    def _aead(self, version: int, cipher: str) -> _Aead:
        aead = self._aeads.get((version, cipher))
        if aead is None:
            aead = self._aeads[version, cipher] = _Aead(self._keys[version], cipher)
        return aead

    @overload
    def decrypt(self, ciphertext: str, message_type: str, field_path: str) -> str: ...
    @overload
    def decrypt(self, ciphertext: bytes, message_type: str, field_path: str) -> bytes: ...

    def decrypt(self, ciphertext: str | bytes, message_type: str, field_path: str) -> str | bytes:
        """The plaintext (str for a string field, bytes for a bytes field); DecryptError if it does not open."""
        try:
            text = ciphertext if isinstance(ciphertext, str) else ciphertext.decode("ascii")
            header, cipher, version, raw = _split(text)
            aead = self._aead(version, cipher)
            aad = associated_data(header, message_type, field_path, self._audience)
            plain = aead.open(raw[:NONCE], raw[NONCE:], aad)
            return plain.decode() if isinstance(ciphertext, str) else plain
        except (ValueError, KeyError, InvalidTag, UnicodeError, binascii.Error):
            raise DecryptError() from None
