"""The on-disk format byte for byte: the implementation reproduces tests/audit/vectors/log.json exactly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.audit import AuditLog, Checkpoint, InclusionProof, ProofError, search_hash, verify_proof
from gateway.audit._records import canonical, envelope, parse
from gateway.signing import ManualClock, PublicKeySet, SigningKey

HERE = Path(__file__).parent / "vectors"
V: dict[str, Any] = json.loads((HERE / "log.json").read_text(encoding="utf-8"))
KEY = SigningKey.from_pem(V["key_id"], V["private_key_pem"].encode())
KEYS = PublicKeySet.from_pem({V["key_id"]: V["public_key_pem"].encode()})


def _write_vector_log(directory: Path) -> None:
    clock = ManualClock(V["t0_ms"])
    with AuditLog(directory, KEY, bytes.fromhex(V["search_key_hex"]), clock=clock) as log:
        for record in V["records"]:
            clock.advance(1000)
            log.append(record)
        clock.advance(1000)
        log.checkpoint()


def test_the_generator_and_the_vector_file_agree() -> None:
    subprocess.run([sys.executable, str(HERE / "gen_log_vectors.py"), "--check"], check=True)


def test_record_lines_and_checkpoints_are_byte_exact(tmp_path: Path) -> None:
    _write_vector_log(tmp_path)
    expected = "".join(f"{line}\n" for line in V["lines"]).encode("utf-8")
    assert (tmp_path / "records-000000000000.jsonl").read_bytes() == expected
    assert (tmp_path / "checkpoints").read_text(encoding="ascii").splitlines() == V["checkpoints"]


def test_receipts_carry_the_vector_leaf_hashes(tmp_path: Path) -> None:
    with AuditLog(tmp_path, KEY, b"", clock=ManualClock(V["t0_ms"] + 1000)) as log:
        receipts = [log.append(r) for r in V["records"][:1]]
    assert receipts[0].leaf_hash == V["leaf_hashes"][0]
    assert receipts[0].record_id == f"0-{V['leaf_hashes'][0][:8]}"


def test_the_vector_proof_verifies_and_its_altered_forms_do_not(tmp_path: Path) -> None:
    _write_vector_log(tmp_path)
    with AuditLog(tmp_path, KEY, b"") as log:
        proof = log.prove(1)
    assert list(proof.path) == V["inclusion_1_of_3"] and proof.checkpoint == V["checkpoints"][1]
    line = V["lines"][1].encode("utf-8")
    verify_proof(proof, line, KEYS)
    with pytest.raises(ProofError, match="leaf_mismatch"):
        verify_proof(proof, line.replace(b"311", b"312"), KEYS)


def test_checkpoint_lines_round_trip_and_the_signature_covers_every_field() -> None:
    line = V["checkpoints"][1]
    checkpoint = Checkpoint.parse(line)
    assert checkpoint.line() == line and checkpoint.tree_size == 3 and checkpoint.root.hex() == V["root"]
    checkpoint.verify(KEYS)
    body, sig = line.rsplit(" ", 1)
    magic, size, root, ms, key_id = body.split(" ")
    forged = [f"{magic} 4 {root} {ms} {key_id} {sig}", f"{magic} {size} {'0' * 64} {ms} {key_id} {sig}",
              f"{magic} {size} {root} {int(ms) + 1} {key_id} {sig}"]
    for text in forged:
        with pytest.raises(ProofError, match="bad_signature"):
            Checkpoint.parse(text).verify(KEYS)
    with pytest.raises(ProofError, match="unknown_key"):
        Checkpoint.parse(f"{magic} {size} {root} {ms} gateway/other {sig}").verify(KEYS)


@pytest.mark.parametrize("text", ["", "coloan-audit-v2 0 " + "0" * 64 + " 0 k " + "A" * 86,
                                  "coloan-audit-v1 01 " + "0" * 64 + " 0 k " + "A" * 86,
                                  "coloan-audit-v1 0 " + "0" * 64 + " 0 k " + "A" * 85 + "B",
                                  "coloan-audit-v1 0 " + "0" * 64 + " 0 k  " + "A" * 86])
def test_malformed_checkpoint_lines_are_refused(text: str) -> None:
    with pytest.raises(ProofError, match="malformed"):
        Checkpoint.parse(text)


def test_search_hashes_are_the_vector_ones_and_separated_by_field() -> None:
    key = bytes.fromhex(V["search_key_hex"])
    for case in V["search"]:
        assert search_hash(key, case["field"], case["value"]) == case["hash"]
    resident, mobile = V["search"][0], V["search"][1]
    assert resident["value"] == mobile["value"] and resident["hash"] != mobile["hash"]


def test_a_proof_file_round_trips_as_json() -> None:
    proof = InclusionProof("1-5476dab2", 1, 3, V["leaf_hashes"][1], tuple(V["inclusion_1_of_3"]), V["checkpoints"][1])
    assert InclusionProof.from_json(proof.to_json()) == proof


_scalar = st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False, allow_infinity=False)
_json = st.recursive(_scalar,
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                     max_leaves=8)


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.text(), _json, max_size=5), st.integers(0, 2**40), st.integers(0, 2**45))
def test_an_envelope_is_the_canonical_json_of_its_fields_and_parses_back(
        record: dict[str, Any], index: int, ms: int) -> None:
    line = envelope(index, ms, "ab" * 32, canonical(record))
    assert line == canonical({"index": index, "logged_ms": ms, "prev": "ab" * 32, "record": record})
    assert b"\n" not in line
    assert parse(line).record == record
