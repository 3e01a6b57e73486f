"""``coloan-gw keys`` and ``coloan-gw mask``: what testers and the security team run."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from google.protobuf import json_format

from coloan.policy.v1 import options_pb2 as opts
from coloan.v1 import credit_pb2
from gateway.cli import cli
from gateway.fake import CoLendingFaker
from masking import Decryptor


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    result = CliRunner().invoke(cli, ["keys", "init", "--dir", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.output
    return tmp_path / "keys"


def _lines(n: int) -> list[str]:
    f = CoLendingFaker(11)
    return [json.dumps(json_format.MessageToDict(f.application()), ensure_ascii=False) for _ in range(n)]


def test_keys_init_rotate_list_export(keys: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    assert "created: join, encrypt-bank" not in runner.invoke(cli, ["keys", "init", "--dir", str(keys)]).output
    rotated = runner.invoke(cli, ["keys", "rotate", "encrypt-bank", "--dir", str(keys)])
    assert rotated.exit_code == 0 and "version 2 is active; kept for decryption: 1" in rotated.output
    listed = runner.invoke(cli, ["keys", "list", "--dir", str(keys)], terminal_width=200)
    assert "encrypt-bank" in listed.output and "1, 2" in listed.output
    out = tmp_path / "bank.key"
    exported = runner.invoke(cli, ["keys", "export", "--audience", "BANK", "-o", str(out), "--dir", str(keys)])
    assert exported.exit_code == 0, exported.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    Decryptor(out.read_bytes(), opts.BANK)


def test_keys_list_without_a_keyring_is_one_error_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["keys", "list", "--dir", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.output.startswith("coloan-gw: error: keyring ") and result.output.count("\n") == 1


def test_mask_transforms_each_line_for_the_audience_and_bank_can_decrypt(keys: Path, tmp_path: Path) -> None:
    lines = _lines(3)
    result = CliRunner().invoke(cli, ["mask", "--type", "coloan.v1.LoanApplication", "--audience", "BANK",
                                      "--keys", str(keys)], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = result.output.splitlines()
    assert len(out) == 3
    original = json_format.Parse(lines[0], credit_pb2.LoanApplication())
    masked = json_format.Parse(out[0], credit_pb2.LoanApplication())
    runner = CliRunner()
    runner.invoke(cli, ["keys", "export", "--audience", "BANK", "-o", str(tmp_path / "k"), "--dir", str(keys)])
    d = Decryptor((tmp_path / "k").read_bytes(), opts.BANK)
    assert d.decrypt(masked.profile.mobile, "coloan.v1.LoanApplication", "profile.mobile") == original.profile.mobile
    assert original.profile.resident_id not in out[0]


def test_a_bad_line_is_named_never_echoed_and_earlier_lines_are_complete(keys: Path) -> None:
    secret = "13812345678"
    good = _lines(2)
    bad = json.dumps({"profile": {"mobile": secret, "no_such_field": secret}})
    result = CliRunner().invoke(cli, ["mask", "--type", "coloan.v1.LoanApplication", "--audience", "LOG",
                                      "--keys", str(keys)], input="\n".join([*good, bad, good[0]]) + "\n")
    assert result.exit_code == 1
    assert "coloan-gw: error: line 3: not a coloan.v1.LoanApplication record" in result.output
    assert secret not in result.output
    written = [line for line in result.stdout.splitlines() if not line.startswith("coloan-gw:")]
    assert len(written) == 2 and all(json.loads(w) for w in written)


def test_mask_without_keys_names_the_keyring(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["mask", "--type", "coloan.v1.LoanApplication", "--audience", "LOG",
                                      "--keys", str(tmp_path / "none")], input="")
    assert result.exit_code == 1 and "does not exist; fix: coloan-gw keys init" in result.output


def test_mask_an_unknown_type_is_one_error_line(keys: Path) -> None:
    result = CliRunner().invoke(cli, ["mask", "--type", "coloan.v1.Nope", "--audience", "LOG", "--keys", str(keys)])
    assert result.exit_code == 1 and "coloan.v1.Nope: no such message type" in result.output


def test_explain_shows_every_shipped_plan_without_reading_records(keys: Path) -> None:
    result = CliRunner().invoke(cli, ["mask", "--explain", "--keys", str(keys)], terminal_width=200)
    assert result.exit_code == 0, result.output
    for name in ("coloan.v1.LoanApplication → LOG", "coloan.v1.RiskAlert → PLATFORM", "coloan.v1.Loan → BANK"):
        assert name in result.output
    assert "profile.residential_address.street" in result.output and "encrypt-bank:1" in result.output


def test_explain_one_plan(keys: Path) -> None:
    result = CliRunner().invoke(cli, ["mask", "--explain", "--type", "coloan.v1.DrawdownRequest", "--audience",
                                      "LOG", "--keys", str(keys)], terminal_width=200)
    assert result.exit_code == 0
    assert "token fpe 6+4" in result.output and "→ BANK" not in result.output
