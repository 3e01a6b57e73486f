"""Wire formats of the values that go into a signature input, each checked strictly.

Every format excludes LF and non-ASCII, so a signature input (one field per line)
has exactly one parse. A value that does not fit raises ``FieldError`` naming the
field, never echoing the value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets

_KEY_ID = re.compile(r"[A-Za-z0-9._/-]{1,64}")
_METHOD = re.compile(r"/[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/[A-Za-z_][A-Za-z0-9_]*")
_TIMESTAMP = re.compile(r"0|[1-9][0-9]{0,15}")
_NONCE = re.compile(r"[A-Za-z0-9_-]{21}[AQgw]")
_TOKEN = re.compile(r"[!-~](?:[ -~]{0,126}[!-~])?")
_DIGEST = re.compile(r"[0-9a-f]{64}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")

SIGNATURE_BYTES = 64
NONCE_BYTES = 16


class FieldError(ValueError):
    """A value does not have its field's wire format; the message names the field only."""

    def __init__(self, field: str) -> None:
        self.field = field
        super().__init__(f"{field} is malformed")


def _check(pattern: re.Pattern[str], value: object, field: str) -> str:
    if not isinstance(value, str) or pattern.fullmatch(value) is None:
        raise FieldError(field)
    return value


def check_key_id(value: object, field: str = "key id") -> str:
    """1–64 characters of ``[A-Za-z0-9._/-]``, e.g. ``platform/20260601-1``."""
    return _check(_KEY_ID, value, field)


def check_method(value: object) -> str:
    """A gRPC method path, ``/package.Service/Method``."""
    return _check(_METHOD, value, "method")


def check_nonce(value: object, field: str = "nonce") -> str:
    """16 bytes as canonical unpadded base64url: 22 characters, the last one of ``AQgw``."""
    return _check(_NONCE, value, field)


def check_token(value: object, field: str) -> str:
    """1–128 printable ASCII characters, no space at either end (RFC 9113 forbids it in a header value)."""
    return _check(_TOKEN, value, field)


def check_digest(value: object, field: str) -> str:
    """A SHA-256 (or HMAC-SHA-256) value as 64 lowercase hex digits."""
    return _check(_DIGEST, value, field)


def parse_timestamp(value: object, field: str = "timestamp") -> int:
    """Unix milliseconds as a decimal without sign or leading zeros, at most 16 digits."""
    return int(_check(_TIMESTAMP, value, field))


def format_timestamp(ms: int, field: str = "timestamp") -> str:
    """The wire form of ``ms``; refuses what ``parse_timestamp`` would refuse."""
    if isinstance(ms, bool) or not isinstance(ms, int) or not 0 <= ms < 10**16:
        raise FieldError(field)
    return str(ms)


def b64url(data: bytes) -> str:
    """Unpadded base64url (RFC 4648 §5)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_signature(value: object, field: str) -> bytes:
    """The 64 signature bytes of canonical unpadded base64url; anything else is malformed."""
    text = _check(_BASE64URL, value, field)
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise FieldError(field) from None
    if len(raw) != SIGNATURE_BYTES or b64url(raw) != text:
        raise FieldError(field)
    return raw


def new_nonce() -> str:
    """A fresh nonce: 16 bytes from the OS CSPRNG."""
    return b64url(secrets.token_bytes(NONCE_BYTES))


def sha256_hex(data: bytes) -> str:
    """Lowercase hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()
