"""FF1 format-preserving encryption (NIST SP 800-38G) over AES or SM4, for numeral strings.

The block cipher runs as a reusable ECB context per thread: FF1 only ever needs the
forward cipher on single blocks, and building a context per block would dominate.
"""

from __future__ import annotations

import threading
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
MIN_DOMAIN = 1_000_000  # SP 800-38G Rev. 1: radix ** minlen >= 10 ** 6


class FF1:
    """FF1 with one key and radix; ``cipher`` is ``"AES"`` (128/192/256-bit key) or ``"SM4"`` (128-bit)."""

    def __init__(self, key: bytes, radix: int = 10, cipher: str = "AES") -> None:
        if not 2 <= radix <= len(ALPHABET):
            raise ValueError("radix must be 2 to 36")
        algorithm = algorithms.SM4(key) if cipher == "SM4" else algorithms.AES(key)
        self._cipher = Cipher(algorithm, modes.ECB())  # noqa: S305 - single blocks for FF1's PRF
        self._local = threading.local()
        self.radix = radix

    def _block(self) -> Any:
        enc = getattr(self._local, "enc", None)
        if enc is None:
            enc = self._local.enc = self._cipher.encryptor()
        return enc

    def _num(self, s: str) -> int:
        return int(s, self.radix) if s else 0

    def _str(self, x: int, m: int) -> str:
        if self.radix == 10:
            return f"{x:0{m}d}"
        out = []
        for _ in range(m):
            x, r = divmod(x, self.radix)
            out.append(ALPHABET[r])
        return "".join(reversed(out))

    def _check(self, x: str) -> None:
        if self.radix ** len(x) < MIN_DOMAIN:
            raise ValueError("the numeral string is too short for FF1 (radix ** length < 1,000,000)")
        if any(c not in ALPHABET[: self.radix] for c in x):
            raise ValueError("the string has characters outside the radix")

    def encrypt(self, x: str, tweak: bytes = b"") -> str:
        """Encrypt the numeral string ``x`` (lower-case digits of the radix) under ``tweak``."""
        self._check(x)
        return _Rounds(self, len(x), tweak).run(x, decrypt=False)

    def decrypt(self, x: str, tweak: bytes = b"") -> str:
        self._check(x)
        return _Rounds(self, len(x), tweak).run(x, decrypt=True)


class _Rounds:
    """The per-call constants of FF1 (lengths, P and the tweak part of Q) and its ten Feistel rounds."""

    def __init__(self, ff1: FF1, n: int, tweak: bytes) -> None:
        self.ff1, self.enc = ff1, ff1._block()
        radix, t = ff1.radix, len(tweak)
        self.u, self.v = n // 2, n - n // 2
        self.b = ((radix**self.v - 1).bit_length() + 7) // 8
        self.d = 4 * ((self.b + 3) // 4) + 4
        p = bytes([1, 2, 1]) + radix.to_bytes(3, "big") + bytes([10, self.u % 256]) + n.to_bytes(4, "big")
        p += t.to_bytes(4, "big")
        q_head = tweak + bytes((-t - self.b - 1) % 16)
        tail = (self.b + 1 + 15) // 16 * 16
        self.q_tail = q_head[len(q_head) + self.b + 1 - tail:] if tail > self.b + 1 else b""
        self.y0 = self._cbc(0, p + q_head[: len(q_head) + self.b + 1 - tail])

    def _cbc(self, y: int, data: bytes) -> int:
        update = self.enc.update
        for j in range(0, len(data), 16):
            y = int.from_bytes(update((y ^ int.from_bytes(data[j:j + 16], "big")).to_bytes(16, "big")), "big")
        return y

    def _y(self, i: int, half: str) -> int:
        r = self._cbc(self.y0, self.q_tail + bytes([i]) + self.ff1._num(half).to_bytes(self.b, "big"))
        s = r.to_bytes(16, "big")
        for j in range(1, (self.d + 15) // 16):
            s += self.enc.update((r ^ j).to_bytes(16, "big"))
        return int.from_bytes(s[: self.d], "big")

    def run(self, x: str, decrypt: bool) -> str:
        if len(self.q_tail) + 1 + self.b == 16 and self.d <= 16:
            return self._run_one_block(x, decrypt)
        ff1, radix = self.ff1, self.ff1.radix
        a, b = x[: self.u], x[self.u:]
        for i in (range(9, -1, -1) if decrypt else range(10)):
            m = self.u if i % 2 == 0 else self.v
            if decrypt:
                c = (ff1._num(b) - self._y(i, a)) % radix**m
                a, b = ff1._str(c, m), a
            else:
                c = (ff1._num(a) + self._y(i, b)) % radix**m
                a, b = b, ff1._str(c, m)
        return a + b

    def _run_one_block(self, x: str, decrypt: bool) -> str:
        """The same rounds when Q's varying part and S each fit one block (every card-sized input)."""
        ff1, radix, update = self.ff1, self.ff1.radix, self.enc.update
        head = (int.from_bytes(self.q_tail, "big") << 8 * (self.b + 1)) ^ self.y0
        shift_i, shift_s = 8 * self.b, 8 * (16 - self.d)
        mods = {self.u: radix**self.u, self.v: radix**self.v}
        a, b = x[: self.u], x[self.u:]
        for i in (range(9, -1, -1) if decrypt else range(10)):
            m = self.u if i % 2 == 0 else self.v
            num = ff1._num(a if decrypt else b)
            block = (head ^ (i << shift_i) ^ num).to_bytes(16, "big")
            y = int.from_bytes(update(block), "big") >> shift_s
            if decrypt:
                a, b = ff1._str((ff1._num(b) - y) % mods[m], m), a
            else:
                a, b = b, ff1._str((ff1._num(a) + y) % mods[m], m)
        return a + b
