"""``audit verify`` detects each tampering, says where, and exits 1; an intact log passes with exit 0."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.audit import Checkpoint, VerifyReport, verify_log
from gateway.cli import cli
from gateway.signing import PublicKeySet, SigningKey

from .conftest import KEY, KEYS, fill, lines, open_log, record

SEGMENT = "records-000000000000.jsonl"


@pytest.fixture
def tampered(tmp_path: Path) -> Path:
    """A log of 40 records checkpointed every 8 (sizes 0, 8, ..., 40), to be edited by each test."""
    directory = tmp_path / "audit"
    fill(directory, 40, checkpoint_every=8)
    return directory


def _edit(directory: Path, change: Callable[[list[bytes]], list[bytes]]) -> None:
    (directory / SEGMENT).write_bytes(b"".join(change(lines(directory))))


def _errors(report: VerifyReport) -> list[str]:
    return [str(f) for f in report.findings if f.severity == "error"]


def _cli(directory: Path, tmp_path: Path, *extra: str) -> tuple[int, list[str]]:
    pem = tmp_path / "gateway.pub.pem"
    pem.write_bytes(KEY.public_pem())
    result = CliRunner().invoke(cli, ["audit", "verify", str(directory), "--keys", f"{KEY.key_id}={pem}", *extra])
    return result.exit_code, result.output.splitlines()


def test_an_intact_log_verifies_through_its_last_checkpoint(tampered: Path, tmp_path: Path) -> None:
    report = verify_log(tampered, KEYS)
    assert report.ok and report.findings == () and report.records == report.verified == 40
    code, out = _cli(tampered, tmp_path)
    assert code == 0 and out[-1].startswith("ok: 40 records, 6 checkpoints; signed through size 40, root ")


def test_a_one_byte_change_inside_a_record_is_located(tampered: Path) -> None:
    _edit(tampered, lambda ls: [*ls[:13], ls[13].replace(b'"n":13', b'"n":93'), *ls[14:]])
    errors = _errors(verify_log(tampered, KEYS))
    assert errors[0] == (f"error: {SEGMENT} line 14: record 13 was modified: record 14 chains to a different hash")
    assert errors[1].startswith("error: checkpoints line 3: the signed root at size 16 does not match the records "
                                "(and 3 later checkpoints)")


def test_a_change_that_breaks_the_json_is_located(tampered: Path) -> None:
    _edit(tampered, lambda ls: [*ls[:5], ls[5].replace(b'"status"', b'"status '), *ls[6:]])
    errors = _errors(verify_log(tampered, KEYS))
    assert errors[0] == f"error: {SEGMENT} line 6: not a canonical record line: the record was modified"


def test_a_change_to_the_last_record_is_caught_by_the_signed_root(tampered: Path) -> None:
    _edit(tampered, lambda ls: [*ls[:39], ls[39].replace(b'"n":39', b'"n":38')])
    errors = _errors(verify_log(tampered, KEYS))
    assert errors == ["error: checkpoints line 6: the signed root at size 40 does not match the records; "
                      "a record in 32..39 was modified"]


def test_a_deleted_line_is_located(tampered: Path) -> None:
    _edit(tampered, lambda ls: ls[:20] + ls[21:])
    errors = _errors(verify_log(tampered, KEYS))
    assert errors[0] == f"error: {SEGMENT} line 21: record 20 missing before this line: deleted"
    assert any("covers 40 records but only 39 are present: 1 records are missing" in e for e in errors)


def test_an_inserted_line_is_located(tampered: Path) -> None:
    _edit(tampered, lambda ls: [*ls[:30], ls[12], *ls[30:]])
    errors = _errors(verify_log(tampered, KEYS))
    assert errors[0] == f"error: {SEGMENT} line 31: repeats record 12: a line was inserted"
    assert any("the signed root at size 32 does not match" in e for e in errors)


def test_a_forged_line_with_a_fresh_index_is_located(tampered: Path) -> None:
    forged = json.dumps({"index": 40, "logged_ms": 1, "prev": "0" * 64, "record": record(40)},
                        separators=(",", ":"), sort_keys=True).encode() + b"\n"
    _edit(tampered, lambda ls: [*ls[:3], forged, *ls[3:]])
    errors = _errors(verify_log(tampered, KEYS))
    assert errors[0] == (f"error: {SEGMENT} line 4: record 40 where record 3 belongs: records were reordered or a "
                         "line inserted")


def test_two_swapped_lines_are_located(tampered: Path) -> None:
    _edit(tampered, lambda ls: [*ls[:9], ls[10], ls[9], *ls[11:]])
    errors = _errors(verify_log(tampered, KEYS))
    assert errors[:2] == [
        f"error: {SEGMENT} line 10: record 10 where record 9 belongs: records were reordered or a line inserted",
        f"error: {SEGMENT} line 11: record 9 comes after record 10: records were reordered"]
    assert any("the signed root at size 16 does not match" in e for e in errors)


def test_a_cut_tail_is_reported_with_the_missing_range(tampered: Path, tmp_path: Path) -> None:
    _edit(tampered, lambda ls: ls[:35])
    errors = _errors(verify_log(tampered, KEYS))
    assert errors == ["error: checkpoints line 6: covers 40 records but only 35 are present: records 35..39 "
                      "were cut from the tail"]
    code, out = _cli(tampered, tmp_path)
    assert code == 1 and out[-1] == "FAILED: 35 records, 6 checkpoints; 1 problems"


def test_a_tail_cut_with_its_checkpoints_is_caught_by_a_checkpoint_held_elsewhere(tampered: Path,
                                                                                   tmp_path: Path) -> None:
    proof = tmp_path / "proof.json"
    with open_log(tampered) as log:
        proof.write_text(log.prove(38).to_json())
    _edit(tampered, lambda ls: ls[:32])
    checkpoints = tampered / "checkpoints"
    checkpoints.write_text("".join(checkpoints.read_text().splitlines(keepends=True)[:5]))
    assert verify_log(tampered, KEYS).ok  # consistent on its own: only an outside copy can tell
    code, out = _cli(tampered, tmp_path, "--checkpoint", str(proof))
    assert code == 1 and "proof.json line 1: covers 40 records but only 32 are present" in out[0]


def test_a_forged_checkpoint_signature_is_refused(tampered: Path) -> None:
    checkpoints = tampered / "checkpoints"
    text = checkpoints.read_text().splitlines()
    body, sig = text[3].rsplit(" ", 1)
    text[3] = f"{body} {'A' if sig[0] != 'A' else 'B'}{sig[1:]}"
    checkpoints.write_text("\n".join(text) + "\n")
    errors = _errors(verify_log(tampered, KEYS))
    assert errors == ["error: checkpoints line 4: the signature does not verify: forged or altered checkpoint"]


def test_a_checkpoint_signed_by_another_key_is_refused(tampered: Path) -> None:
    intruder = SigningKey.generate(KEY.key_id)
    root = bytes.fromhex(verify_log(tampered, KEYS).root or "")
    with (tampered / "checkpoints").open("a") as f:
        f.write(Checkpoint.sign(intruder, 40, root, 1).line() + "\n")
    assert _errors(verify_log(tampered, KEYS)) == [
        "error: checkpoints line 7: the signature does not verify: forged or altered checkpoint"]
    other = SigningKey.generate("gateway/other-1")
    assert verify_log(tampered, PublicKeySet.of(other)).findings[0].message.startswith("signed by a key not among")


def test_a_missing_checkpoints_file_fails_verification(tampered: Path, tmp_path: Path) -> None:
    (tampered / "checkpoints").unlink()
    errors = _errors(verify_log(tampered, KEYS))
    assert errors[0] == "error: checkpoints: missing: none of the 40 records can be verified"
    assert _cli(tampered, tmp_path)[0] == 1


def test_records_after_the_last_checkpoint_are_a_warning_unless_strict(tmp_path: Path) -> None:
    directory = tmp_path / "audit"
    with open_log(directory, checkpoint_every=8) as log:
        for i in range(11):
            log.append(record(i))
        snapshot = {p.name: p.read_bytes() for p in directory.iterdir() if p.name != "lock"}
    for name, data in snapshot.items():  # the directory as a crash would have left it: before the final checkpoint
        (directory / name).write_bytes(data)
    report = verify_log(directory, KEYS)
    assert report.ok and [str(f) for f in report.findings] == [
        "warning: records: unverified: 3 records after the last checkpoint (size 8)"]
    assert _cli(directory, tmp_path)[0] == 0
    assert _cli(directory, tmp_path, "--strict")[0] == 1


def test_a_torn_final_line_is_a_warning(tampered: Path) -> None:
    with (tampered / SEGMENT).open("ab") as f:
        f.write(b'{"index":40,"log')
    report = verify_log(tampered, KEYS)
    assert report.ok and report.findings[0].message.startswith("torn final line (16 bytes, no newline)")
