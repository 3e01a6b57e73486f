"""Signed checkpoints: one text line stating a tree size, its root, when, and who signed it.

    coloan-audit-v1 <tree_size> <root_hex> <unix_ms> <key_id> <sig_b64url>

The signature (64 bytes, base64url without padding) covers the UTF-8 bytes of the
line before `` <sig_b64url>``. The first token differs from every signature input of
``docs/PROTOCOL.md``, so a checkpoint can never pass for a request or a countersignature
signed with the same key.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from gateway.audit._errors import ProofError
from gateway.signing import PublicKeySet, SignatureError, SigningKey

MAGIC = "coloan-audit-v1"
_LINE = re.compile(
    MAGIC + r" (0|[1-9][0-9]{0,18}) ([0-9a-f]{64}) (0|[1-9][0-9]{0,15}) ([A-Za-z0-9._/-]{1,64}) ([A-Za-z0-9_-]{86})"
)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement that the log had ``tree_size`` records with ``root`` at ``time_ms``."""

    tree_size: int
    root: bytes
    time_ms: int
    key_id: str
    signature: bytes

    @classmethod
    def sign(cls, key: SigningKey, tree_size: int, root: bytes, time_ms: int) -> Checkpoint:
        body = _body(tree_size, root, time_ms, key.key_id)
        return cls(tree_size, root, time_ms, key.key_id, key.sign(body.encode("ascii")))

    @classmethod
    def parse(cls, line: str) -> Checkpoint:
        """Parse one checkpoint line (without newline); ``ProofError('malformed')`` unless it is exact."""
        match = _LINE.fullmatch(line)
        if match is None:
            raise ProofError("malformed", "not a coloan-audit-v1 checkpoint line")
        size, root, time_ms, key_id, sig = match.groups()
        signature = _unb64url(sig)
        return cls(int(size), bytes.fromhex(root), int(time_ms), key_id, signature)

    def body(self) -> str:
        """The signed text: the line before the signature."""
        return _body(self.tree_size, self.root, self.time_ms, self.key_id)

    def line(self) -> str:
        return f"{self.body()} {b64url(self.signature)}"

    def verify(self, keys: PublicKeySet) -> None:
        """Return if a trusted key signed this checkpoint; ``ProofError`` (unknown_key, bad_signature) otherwise."""
        try:
            keys.verify(self.key_id, self.signature, self.body().encode("ascii"))
        except SignatureError as exc:
            raise ProofError(exc.reason, f"checkpoint at size {self.tree_size} signed by {self.key_id}") from None


def _body(tree_size: int, root: bytes, time_ms: int, key_id: str) -> str:
    return f"{MAGIC} {tree_size} {root.hex()} {time_ms} {key_id}"


def _unb64url(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "==")
    except (binascii.Error, ValueError):
        raise ProofError("malformed", "signature is not base64url") from None
    if len(raw) != 64 or b64url(raw) != text:
        raise ProofError("malformed", "signature is not 64 bytes of canonical base64url")
    return raw
