"""Inclusion proofs: a record's leaf, its audit path, and the signed checkpoint the path leads to.

A partner holding a record line, a proof and the gateway's public key can check,
offline and without trusting the gateway's operator, that the log committed to
exactly that record at that index.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gateway.audit._checkpoint import Checkpoint
from gateway.audit._errors import ProofError
from gateway.audit._merkle import inclusion_path, leaf_hash, verify_inclusion
from gateway.audit._writer import record_id
from gateway.signing import PublicKeySet

FORMAT = "coloan-audit-proof-v1"
_RECORD_ID = re.compile(r"(0|[1-9][0-9]{0,18})(?:-([0-9a-f]{8}))?")
_HEX = re.compile(r"[0-9a-f]{64}")


def parse_record_id(text: str) -> tuple[int, str | None]:
    """``"42"`` or ``"42-3f9a1c0e"`` as ``(index, leaf hash prefix or None)``."""
    match = _RECORD_ID.fullmatch(text)
    if match is None:
        raise ProofError("malformed", "a record id is <index> or <index>-<8 hex digits>")
    return int(match.group(1)), match.group(2)


@dataclass(frozen=True)
class InclusionProof:
    """Proof that the leaf ``leaf_hash`` is record ``index`` of the tree the ``checkpoint`` line signs."""

    record_id: str
    index: int
    tree_size: int
    leaf_hash: str
    path: tuple[str, ...]
    checkpoint: str

    def to_json(self) -> str:
        body = {"format": FORMAT, "record_id": self.record_id, "index": self.index, "tree_size": self.tree_size,
                "leaf_hash": self.leaf_hash, "path": list(self.path), "checkpoint": self.checkpoint}
        return json.dumps(body, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> InclusionProof:
        """Parse a proof file; ``ProofError('malformed')`` if any field is missing or of the wrong form."""
        try:
            body: Any = json.loads(text)
            proof = cls(body["record_id"], body["index"], body["tree_size"], body["leaf_hash"],
                        tuple(body["path"]), body["checkpoint"])
            ok = body["format"] == FORMAT and _well_formed(proof)
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            raise ProofError("malformed", f"not a {FORMAT} proof")
        return proof


def _well_formed(proof: InclusionProof) -> bool:
    hashes = [proof.leaf_hash, *proof.path]
    return (all(isinstance(h, str) and _HEX.fullmatch(h) for h in hashes)
            and all(isinstance(n, int) and not isinstance(n, bool) for n in (proof.index, proof.tree_size))
            and isinstance(proof.record_id, str) and isinstance(proof.checkpoint, str))


def build_proof(leaves: Sequence[bytes], index: int, checkpoint: Checkpoint) -> InclusionProof:
    """The proof of record ``index`` against ``checkpoint`` (whose size must cover it)."""
    if not 0 <= index < checkpoint.tree_size:
        raise ProofError("not_checkpointed", f"record {index} is not covered by the checkpoint "
                                             f"at size {checkpoint.tree_size}")
    path = inclusion_path(leaves, index, checkpoint.tree_size)
    leaf = leaves[index]
    return InclusionProof(record_id(index, leaf), index, checkpoint.tree_size, leaf.hex(),
                          tuple(h.hex() for h in path), checkpoint.line())


def verify_proof(proof: InclusionProof, record: bytes | str, keys: PublicKeySet) -> None:
    """Return if ``record`` (a record line as bytes, or a leaf hash as hex) is in the signed tree; raise otherwise.

    Checks, in order: the checkpoint's signature under ``keys``, that it signs the
    proof's tree size, that the record hashes to the proof's leaf, that the record
    id names that index and leaf, and that the path leads to the signed root.
    """
    checkpoint = Checkpoint.parse(proof.checkpoint)
    checkpoint.verify(keys)
    if checkpoint.tree_size != proof.tree_size:
        raise ProofError("size_mismatch", "the proof's tree size is not the checkpoint's")
    leaf = leaf_hash(record.rstrip(b"\n")) if isinstance(record, bytes) else _hex(record)
    if leaf.hex() != proof.leaf_hash:
        raise ProofError("leaf_mismatch", "the record does not hash to the proof's leaf")
    if proof.record_id != record_id(proof.index, leaf):
        raise ProofError("record_id_mismatch", "the record id does not name this index and leaf")
    verify_inclusion(proof.index, proof.tree_size, leaf, [bytes.fromhex(h) for h in proof.path], checkpoint.root)


def _hex(text: str) -> bytes:
    if _HEX.fullmatch(text) is None:
        raise ProofError("malformed", "a leaf hash is 64 lowercase hex digits")
    return bytes.fromhex(text)
