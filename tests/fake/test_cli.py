"""``coloan-gw fake``: reproducible output, clear errors, nothing half-written."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from google.protobuf import json_format

from coloan.v1 import credit_pb2 as c
from gateway.cli import cli
from gateway.fake import read_delimited
from gateway.validation import Validator

AS_OF = "2026-06-01"


def _run(*args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(cli, ["fake", *args])
    return result.exit_code, result.stdout_bytes, result.stderr


def test_applications_are_byte_identical_across_runs_and_all_validate() -> None:
    code, first, _ = _run("applications", "-n", "1000", "--seed", "7", "--as-of", AS_OF)
    assert code == 0
    assert _run("applications", "-n", "1000", "--seed", "7", "--as-of", AS_OF)[1] == first
    lines = first.decode().splitlines()
    assert len(lines) == 1000
    validator, now = Validator(), datetime(2026, 6, 1, tzinfo=UTC)
    for line in lines:
        assert validator.errors(json_format.Parse(line, c.LoanApplication()), now=now) == []


def test_binary_output_is_length_delimited(tmp_path: Path) -> None:
    out = tmp_path / "apps.bin"
    assert _run("applications", "-n", "5", "--format", "binary", "-o", str(out))[0] == 0
    records = [c.LoanApplication.FromString(b) for b in read_delimited(out.read_bytes())]
    assert len(records) == 5 and all(r.profile.resident_id for r in records)


def test_invalid_ratio_writes_expectations_beside_the_output(tmp_path: Path) -> None:
    out = tmp_path / "apps.jsonl"
    code, _, _ = _run("applications", "-n", "50", "--seed", "3", "--invalid-ratio", "0.5", "-o", str(out),
                      "--as-of", AS_OF)
    assert code == 0
    expect = [json.loads(line) for line in (tmp_path / "apps.jsonl.expect.jsonl").read_text().splitlines()]
    assert [e["index"] for e in expect] == list(range(50))
    assert any(not e["valid"] for e in expect) and all("rule" in e for e in expect if not e["valid"])


def test_negative_count_is_a_usage_error() -> None:
    code, _, err = _run("applications", "-n", "-1")
    assert code == 2 and "-n" in err


def test_unknown_format_and_kind_are_usage_errors() -> None:
    assert _run("applications", "--format", "xml")[0] == 2
    assert _run("borrowers")[0] == 2


def test_invalid_ratio_on_stdout_needs_somewhere_to_say_which_rule() -> None:
    code, _, err = _run("applications", "--invalid-ratio", "0.2")
    assert code == 2 and "--expect" in err


def test_unwritable_output_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "apps.jsonl"
    code, _, err = _run("applications", "-n", "3", "-o", str(target))
    assert code == 1
    assert err == f"coloan-gw: error: {target}: No such file or directory\n"
    assert not target.parent.exists()


def test_bad_as_of_is_a_usage_error() -> None:
    code, _, err = _run("applications", "--as-of", "yesterday")
    assert code == 2 and "ISO date" in err
