"""Keyed pseudonyms under the long-lived join key: opaque ``tok_…`` tokens (HMAC) and
format-preserving tokens for digit strings (FF1), both deterministic so a value links
across messages without being revealed.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as chmac

from coloan.policy.v1 import options_pb2 as opts
from masking._aead import derive
from masking._ff1 import FF1
from masking._keyring import Key

DIGITS = frozenset("0123456789")
SEPARATORS = frozenset(" -")
FF1_MIN_DIGITS = 6  # 10 ** 6, the smallest domain SP 800-38G allows


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    h = chmac.HMAC(key, hashes.SM3())
    h.update(data)
    return h.finalize()


_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_B32_PAIRS = tuple(a + b for a in _B32 for b in _B32)  # 10 bits at a time
_SHIFTS = tuple(range(110, -1, -10))


def base32_120(data: bytes) -> str:
    """Lower-case RFC 4648 base32 of 15 bytes (24 characters, no padding), without base64's slow path."""
    n = int.from_bytes(data, "big")
    return "".join([_B32_PAIRS[(n >> s) & 1023] for s in _SHIFTS])


@dataclass(frozen=True, slots=True, eq=False)
class OpaqueToken:
    """``tok_`` + 24 base32 characters (120 bits) of HMAC(sub-key of the join key, semantic type || value)."""

    key: bytes
    sm3: bool
    label: bytes

    def __call__(self, value: str | bytes) -> str | bytes:
        data = self.label + (value.encode() if isinstance(value, str) else value)
        mac = hmac_sm3(self.key, data) if self.sm3 else hmac.digest(self.key, data, "sha256")
        token = "tok_" + base32_120(mac[:15])
        return token if isinstance(value, str) else token.encode()


@dataclass(frozen=True, slots=True, eq=False)
class FpeToken:
    """FF1 over the digits of a value, leaving ``first`` and ``last`` digits and separators in place.

    The clear digits and the semantic type form the tweak. When the middle would be shorter
    than FF1 allows, fewer digits stay clear. Fail closed: a value with fewer than six digits,
    or with any character but digits, spaces and hyphens, is masked whole.
    """

    ff1: FF1
    first: int
    last: int
    label: bytes

    def __call__(self, value: str) -> str:
        if value.isascii() and value.isdigit():
            return self._digits(value)
        where = [i for i, c in enumerate(value) if c in DIGITS]
        if len(where) < FF1_MIN_DIGITS or any(c not in DIGITS and c not in SEPARATORS for c in value):
            return "*" * len(value)
        out = list(value)
        for i, d in zip(where, self._digits("".join(value[i] for i in where)), strict=True):
            out[i] = d
        return "".join(out)

    def _digits(self, ds: str) -> str:
        n = len(ds)
        if n < FF1_MIN_DIGITS:
            return "*" * n
        first, last = self.first, self.last
        short = FF1_MIN_DIGITS - (n - first - last)
        if short > 0:
            cut = min(first, short)
            first, last = first - cut, last - (short - cut)
        head, tail = ds[:first], ds[n - last:]
        tweak = self.label + head.encode() + b"\x00" + tail.encode()
        return head + self.ff1.encrypt(ds[first:n - last], tweak) + tail


def _label(semantic: int) -> bytes:
    return opts.SemanticType.Name(semantic).encode() + b"\x00"


class Tokenizers:
    """Token transforms under one version of the join key; sub-keys and FF1 contexts are made once."""

    def __init__(self, join: Key) -> None:
        self.key_id = join.key_id
        m = join.material
        self._hmac = {False: derive(m, "coloan token HMAC-SHA-256", 32), True: derive(m, "coloan token HMAC-SM3", 32)}
        self._ff1 = {"AES": FF1(derive(m, "coloan token FF1-AES-256", 32), 10, "AES"),
                     "SM4": FF1(derive(m, "coloan token FF1-SM4", 16), 10, "SM4")}

    def opaque(self, rule: opts.Token, semantic: int) -> OpaqueToken:
        sm3 = rule.hmac == opts.HMAC_SM3
        return OpaqueToken(self._hmac[sm3], sm3, _label(semantic))

    def fpe(self, rule: opts.Token, semantic: int) -> FpeToken:
        ff1 = self._ff1["SM4" if rule.cipher == opts.SM4 else "AES"]
        return FpeToken(ff1, rule.keep_first, rule.keep_last, _label(semantic))
