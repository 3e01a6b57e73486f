"""``coloan-gw certs``: thin commands over the library, one error line, exit codes fit for cron and CI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from certs import FrozenClock, Pki
from gateway.cli import cli

Run = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run ``coloan-gw certs ARGS`` in ``tmp_path`` with the test clock."""
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["certs", *args], obj={"clock": clock}, catch_exceptions=False)

    return invoke


def test_init_then_status_on_a_fresh_machine_prints_healthy_certificates(tmp_path: Path, durable: None) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    exe = Path(sys.executable).with_name("coloan-gw")
    init = subprocess.run([exe, "certs", "init"], cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    status = subprocess.run([exe, "certs", "status"], cwd=tmp_path, capture_output=True, text=True, env=env,
                            check=False)
    assert (init.returncode, status.returncode) == (0, 0), init.stderr + status.stderr
    for name in ("gateway", "platform", "bank", "ops"):
        assert f"spiffe://coloan.local/{name}/{name}" in status.stdout
    assert status.stdout.count(" ok ") == 7
    assert (tmp_path / "var" / "pki" / "pki.json").exists()


def test_init_refuses_an_existing_pki_with_one_line(run: Run) -> None:
    assert run("init").exit_code == 0
    again = run("init")
    assert again.exit_code == 1
    assert again.stderr.strip().splitlines() == [
        "coloan-gw: error: var/pki already holds a PKI; pass --force to replace it (its keys are lost)"]
    assert run("init", "--force").exit_code == 0


def test_issue_prints_the_identity_and_where_the_files_are(run: Run) -> None:
    run("init")
    result = run("issue", "edge", "--role", "platform", "--dns", "edge.example", "--ip", "10.0.0.1", "--days", "7")
    assert result.exit_code == 0, result.output
    assert "issued edge: spiffe://coloan.local/platform/edge" in result.stdout
    assert "var/pki/leaves/edge/" in result.stdout


def test_choosing_ed25519_prints_the_grpc_caveat(run: Run) -> None:
    run("init")
    result = run("issue", "tool", "--role", "ops", "--algorithm", "ed25519")
    assert result.exit_code == 0
    assert "BoringSSL" in result.stderr


def test_a_bad_role_is_a_usage_error(run: Run) -> None:
    run("init")
    assert run("issue", "edge", "--role", "admin").exit_code == 2


def test_status_exits_1_when_a_leaf_is_due_for_renewal(run: Run, clock: FrozenClock) -> None:
    run("init")
    clock.advance(timedelta(days=21))
    run("crl")
    result = run("status")
    assert result.exit_code == 1
    assert "leaf bank: renew soon" in result.stderr


def test_status_exits_1_when_a_leaf_is_expired(run: Run, clock: FrozenClock) -> None:
    run("init")
    clock.advance(timedelta(days=31))
    result = run("list")
    assert result.exit_code == 1
    assert "leaf gateway: expired" in result.stderr


def test_status_exits_1_for_a_revoked_certificate_still_deployed(run: Run) -> None:
    run("init")
    assert run("revoke", "ops", "--reason", "keyCompromise").exit_code == 0
    result = run("status")
    assert result.exit_code == 1
    assert "leaf ops: revoked" in result.stderr


def test_verify_prints_ok_or_the_reason_it_fails(run: Run, tmp_path: Path) -> None:
    run("init")
    good = run("verify", "var/pki/leaves/bank/current/chain.pem")
    assert good.exit_code == 0
    assert "OK spiffe://coloan.local/bank/bank" in good.stdout
    (tmp_path / "bad.pem").write_text("not a certificate")
    bad = run("verify", "bad.pem")
    assert bad.exit_code == 1
    assert bad.stderr.startswith("coloan-gw: error: bad.pem: is not a valid PEM certificate")


def test_an_unknown_name_and_a_missing_pki_are_one_line_each(run: Run) -> None:
    missing = run("status", "--dir", "nowhere")
    assert missing.exit_code == 1
    assert "nowhere holds no PKI" in missing.stderr
    run("init")
    unknown = run("rotate", "nobody")
    assert unknown.exit_code == 1
    assert len(unknown.stderr.strip().splitlines()) == 1
    assert "no current certificate named 'nobody'" in unknown.stderr


def test_a_permission_error_names_the_file_and_the_fix(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    run("init")

    def denied(*_: object, **__: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "var/pki/leaves/bank")

    monkeypatch.setattr("tempfile.mkdtemp", denied)
    result = run("rotate", "bank")
    assert result.exit_code == 1
    assert result.stderr.strip() == ("coloan-gw: error: var/pki/leaves/bank: permission denied; run as the user "
                                     "that owns the PKI directory, or fix its owner and modes")


def test_the_dir_can_come_from_the_environment(run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COLOAN_PKI_DIR", str(tmp_path / "elsewhere"))
    assert run("init").exit_code == 0
    assert Pki(tmp_path / "elsewhere").status()
