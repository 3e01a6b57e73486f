"""The tamper-evident audit log: one record per call in an RFC 6962 Merkle tree, with signed checkpoints.

On disk (``docs/audit.md`` specifies every byte): segments of canonical JSON record
lines, leaf ``SHA-256(0x00 || line)``, node ``SHA-256(0x01 || left || right)``, and a
checkpoints file of lines ``coloan-audit-v1 <size> <root> <unix_ms> <key_id> <sig>``.

Writing (one process per directory)::

    AuditLog(directory, signing_key, search_key, *, checkpoint_every=256, checkpoint_seconds=5.0,
             fsync="batch", clock=None, disk=None)
        .append(record, *, deadline_s=5.0) -> AuditReceipt(record_id, index, leaf_hash)
        await .append_async(record, *, deadline_s) -> AuditReceipt     # group commit in a writer thread
        .searchable({path: value}) -> {"search": {path: "hmac-sha256:..."}}
        .checkpoint() -> Checkpoint   .prove(index) -> InclusionProof   .recovery   .close()

The record of a call (the access-log fields, masking decisions, body digests, key ids)::

    call_record(call, code, reason, policy_version, *, phase, gateway_key_id=None) -> dict

Reading, offline::

    verify_log(directory, keys, *, witnesses=()) -> VerifyReport(records, checkpoints, verified, root, findings)
    prove(directory, record_id) -> (InclusionProof, record line)
    verify_proof(proof, record_line_or_leaf_hash_hex, keys) -> None, or raises ProofError
    search(directory, search_key, field_path, value) -> iterator of (record id, record line)
    search_hash(search_key, field_path, value)   create_search_key(path)   load_search_key(path)

Seams: ``Disk.append(fd, data, *, sync)`` (``OsDisk``; fake ``FaultyDisk``) and the
signing package's ``Clock``.

Errors::

    AuditError
    ├── AuditUnavailable   per call: not durable within the deadline → UNAVAILABLE (also a CallError)
    ├── AuditLogError      start-up: the directory cannot be opened or contradicts its checkpoints
    ├── SearchKeyError     start-up: the search key file is unusable
    └── ProofError         a proof, its record or its checkpoint does not verify; ``.reason``
"""

from __future__ import annotations

from gateway.audit._call_record import call_record
from gateway.audit._checkpoint import Checkpoint
from gateway.audit._disk import Disk, FaultyDisk, OsDisk
from gateway.audit._errors import AuditError, AuditLogError, AuditUnavailable, ProofError, SearchKeyError
from gateway.audit._log import AuditLog
from gateway.audit._proof import InclusionProof, verify_proof
from gateway.audit._read import prove
from gateway.audit._recover import Recovery
from gateway.audit._search import create_search_key, load_search_key, search, search_hash, searchable
from gateway.audit._verify import Finding, VerifyReport, verify_log
from gateway.audit._writer import AuditReceipt, FsyncPolicy

__all__ = [
    "AuditError",
    "AuditLog",
    "AuditLogError",
    "AuditReceipt",
    "AuditUnavailable",
    "Checkpoint",
    "Disk",
    "FaultyDisk",
    "Finding",
    "FsyncPolicy",
    "InclusionProof",
    "OsDisk",
    "ProofError",
    "Recovery",
    "SearchKeyError",
    "VerifyReport",
    "call_record",
    "create_search_key",
    "load_search_key",
    "prove",
    "search",
    "search_hash",
    "searchable",
    "verify_log",
    "verify_proof",
]
