"""Proofs from a log directory at rest (``coloan-gw audit prove``), without opening it for writing."""

from __future__ import annotations

from pathlib import Path

from gateway.audit._checkpoint import Checkpoint
from gateway.audit._errors import ProofError
from gateway.audit._merkle import leaf_hash, root_of
from gateway.audit._proof import InclusionProof, build_proof, parse_record_id
from gateway.audit._segments import CHECKPOINTS, raw_lines, split_lines


def latest_checkpoint(directory: Path) -> Checkpoint:
    """The last complete line of the checkpoints file (its signature is the verifier's to check)."""
    path = directory / CHECKPOINTS
    lines, _ = split_lines(path.read_bytes()) if path.exists() else ([], b"")
    if not lines:
        raise ProofError("no_checkpoint", f"{path}: no checkpoint to prove against")
    return Checkpoint.parse(lines[-1].decode("ascii", "replace"))


def prove(directory: Path, record: str) -> tuple[InclusionProof, bytes]:
    """The inclusion proof of ``record`` (``"<index>"`` or ``"<index>-<hash prefix>"``) and its record line."""
    index, prefix = parse_record_id(record)
    checkpoint = latest_checkpoint(directory)
    lines = [raw.data for raw in raw_lines(directory) if not raw.torn]
    leaves = [leaf_hash(line) for line in lines]
    if checkpoint.tree_size > len(leaves) or root_of(leaves, 0, checkpoint.tree_size) != checkpoint.root:
        raise ProofError("log_mismatch", f"{directory}: the records do not match the latest checkpoint; "
                                         f"run `coloan-gw audit verify {directory}`")
    if index >= checkpoint.tree_size:
        raise ProofError("not_checkpointed", f"record {index} is not covered by the latest checkpoint "
                                             f"(size {checkpoint.tree_size}); retry after the next one")
    if prefix is not None and not leaves[index].hex().startswith(prefix):
        raise ProofError("unknown_record", f"record {index} has a different hash than {record}")
    return build_proof(leaves, index, checkpoint), lines[index]
