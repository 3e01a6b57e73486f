"""Inclusion proofs: every record proves against the signed checkpoint, and every alteration is refused."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.audit import InclusionProof, ProofError, prove, verify_proof
from gateway.cli import cli
from gateway.signing import PublicKeySet, SigningKey

from .conftest import KEY, KEYS, fill, lines

SEGMENT = "records-000000000000.jsonl"


@pytest.fixture
def logged(tmp_path: Path) -> Path:
    directory = tmp_path / "audit"
    fill(directory, 13, checkpoint_every=5)
    return directory


@pytest.fixture
def proof_of_6(logged: Path) -> tuple[InclusionProof, bytes]:
    return prove(logged, "6")


def test_every_record_proves_against_the_latest_checkpoint(logged: Path) -> None:
    for index, line in enumerate(lines(logged)):
        proof, stored = prove(logged, str(index))
        assert stored + b"\n" == line and proof.tree_size == 13
        verify_proof(proof, line, KEYS)
        verify_proof(proof, proof.leaf_hash, KEYS)


def test_a_record_id_with_its_hash_prefix_pins_the_content(logged: Path,
                                                          proof_of_6: tuple[InclusionProof, bytes]) -> None:
    proof, _ = proof_of_6
    assert prove(logged, proof.record_id)[0] == proof
    wrong = f"6-{'0' if proof.leaf_hash[0] != '0' else '1'}{proof.leaf_hash[1:8]}"
    with pytest.raises(ProofError, match="unknown_record"):
        prove(logged, wrong)


@pytest.mark.parametrize("record_id", ["13", "-1", "6-xyz", "06"])
def test_a_record_that_is_not_there_or_a_malformed_id_is_refused(logged: Path, record_id: str) -> None:
    with pytest.raises(ProofError):
        prove(logged, record_id)


def test_a_log_that_no_longer_matches_its_checkpoint_gives_no_proof(logged: Path) -> None:
    segment = logged / SEGMENT
    segment.write_bytes(segment.read_bytes().replace(b'"n":2,', b'"n":9,'))
    with pytest.raises(ProofError, match="log_mismatch"):
        prove(logged, "6")


def _flip(hex_text: str) -> str:
    return ("1" if hex_text[0] == "0" else "0") + hex_text[1:]


def test_each_alteration_of_a_proof_or_its_record_is_refused(proof_of_6: tuple[InclusionProof, bytes]) -> None:
    proof, line = proof_of_6
    body, sig = proof.checkpoint.rsplit(" ", 1)
    altered = {
        "leaf_mismatch": (proof, line.replace(b'"n":6', b'"n":7')),
        "root_mismatch": (dataclasses.replace(proof, path=(_flip(proof.path[0]), *proof.path[1:])), line),
        "bad_path": (dataclasses.replace(proof, path=proof.path[:-1]), line),
        "record_id_mismatch": (dataclasses.replace(proof, index=7), line),
        "size_mismatch": (dataclasses.replace(proof, tree_size=12), line),
        "bad_signature": (dataclasses.replace(proof, checkpoint=f"{body} {'B' if sig[0] == 'A' else 'A'}{sig[1:]}"),
                          line),
    }
    verify_proof(proof, line, KEYS)
    for reason, (bad, record) in altered.items():
        with pytest.raises(ProofError) as info:
            verify_proof(bad, record, KEYS)
        assert info.value.reason == reason


def test_a_proof_under_an_untrusted_key_is_refused(proof_of_6: tuple[InclusionProof, bytes]) -> None:
    proof, line = proof_of_6
    with pytest.raises(ProofError) as info:
        verify_proof(proof, line, PublicKeySet.of(SigningKey.generate("gateway/other-1")))
    assert info.value.reason == "unknown_key"
    with pytest.raises(ProofError) as again:
        verify_proof(proof, line, PublicKeySet.of(SigningKey.generate(KEY.key_id)))
    assert again.value.reason == "bad_signature"


@pytest.mark.parametrize("text", ["", "{}", '{"format": "coloan-audit-proof-v1"}', "[1]"])
def test_a_malformed_proof_file_is_refused(text: str) -> None:
    with pytest.raises(ProofError, match="malformed"):
        InclusionProof.from_json(text)


def test_a_proof_with_a_non_hex_path_is_refused(proof_of_6: tuple[InclusionProof, bytes]) -> None:
    body = json.loads(proof_of_6[0].to_json())
    body["path"][0] = "zz" * 32
    with pytest.raises(ProofError, match="malformed"):
        InclusionProof.from_json(json.dumps(body))


def test_the_cli_proves_and_a_partner_verifies_the_proof(logged: Path, tmp_path: Path) -> None:
    runner, pem = CliRunner(), tmp_path / "gateway.pub.pem"
    pem.write_bytes(KEY.public_pem())
    (tmp_path / "gateway.kid").write_text(KEY.key_id + "\n")
    proof, record = tmp_path / "proof.json", tmp_path / "record.json"
    made = runner.invoke(cli, ["audit", "prove", str(logged), "6", "-o", str(proof), "--record-out", str(record)])
    assert made.exit_code == 0, made.output
    checked = runner.invoke(cli, ["audit", "verify-proof", str(proof), "--record", str(record), "--keys", str(pem)])
    assert checked.exit_code == 0 and checked.output.startswith("ok: record 6-")
    record.write_bytes(record.read_bytes().replace(b'"n":6', b'"n":5'))
    refused = runner.invoke(cli, ["audit", "verify-proof", str(proof), "--record", str(record), "--keys", str(pem)])
    assert refused.exit_code == 1
    assert refused.output.strip().splitlines() == [
        "coloan-gw: error: leaf_mismatch: the record does not hash to the proof's leaf"]


def test_the_cli_prints_the_proof_as_json_without_an_output_file(logged: Path) -> None:
    result = CliRunner().invoke(cli, ["audit", "prove", str(logged), "3"])
    assert result.exit_code == 0 and InclusionProof.from_json(result.output).index == 3


def test_verify_proof_needs_exactly_one_of_record_and_leaf_hash(proof_of_6: tuple[InclusionProof, bytes],
                                                                 tmp_path: Path) -> None:
    proof_file, pem = tmp_path / "proof.json", tmp_path / "k.pem"
    proof_file.write_text(proof_of_6[0].to_json())
    pem.write_bytes(KEY.public_pem())
    result = CliRunner().invoke(cli, ["audit", "verify-proof", str(proof_file), "--keys", f"{KEY.key_id}={pem}"])
    assert result.exit_code == 2 and "exactly one of --record FILE and --leaf-hash HEX" in result.output
    by_hash = CliRunner().invoke(cli, ["audit", "verify-proof", str(proof_file), "--leaf-hash",
                                       proof_of_6[0].leaf_hash, "--keys", f"{KEY.key_id}={pem}"])
    assert by_hash.exit_code == 0
