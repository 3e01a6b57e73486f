"""The rotation runbook of docs/pki.md, followed step by step: every ``$ coloan-gw`` line, in order."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509

from certs import FrozenClock, PeerChecker, PeerRejected, Pki
from gateway.cli import cli

DOC = Path(__file__).resolve().parents[2] / "docs" / "pki.md"


def runbook_steps() -> list[tuple[list[str], int]]:
    """The commands of the Runbook section with the exit code each one is documented to give."""
    section = DOC.read_text().split("\n## Runbook", 1)[1]
    steps = []
    for line in re.findall(r"^\$ (coloan-gw .+)$", section, flags=re.MULTILINE):
        command, _, comment = line.partition("#")
        expected = int(comment.split("exit", 1)[1]) if "exit" in comment else 0
        steps.append((shlex.split(command)[1:], expected))
    return steps


def test_the_runbook_covers_every_operation() -> None:
    commands = {" ".join(args[:3]) for args, _ in runbook_steps()}
    for needed in ("certs init --trust-domain", "certs rotate bank", "certs revoke bank", "certs ca rotate",
                   "certs ca activate", "certs ca retire", "certs status", "certs crl", "certs rollback bank",
                   "certs verify var/pki/leaves"):
        assert any(c.startswith(needed) for c in commands), needed


def test_following_the_runbook_works_and_each_step_exits_as_documented(
        tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    leaked: bytes | None = None
    for args, expected in runbook_steps():
        result = runner.invoke(cli, args, obj={"clock": clock}, catch_exceptions=False)
        assert result.exit_code == expected, f"{shlex.join(args)} -> {result.exit_code}\n{result.output}"
        if args[1] == "revoke":
            leaked = (tmp_path / "var/pki/leaves/bank/current/cert.pem").read_bytes()
    pki = Pki(tmp_path / "var" / "pki", clock=clock)
    assert all(row.healthy for row in pki.status())
    assert leaked is not None
    with pytest.raises(PeerRejected):
        PeerChecker(pki.layout.root, clock=clock).check(leaked)
    roots = x509.load_pem_x509_certificates(pki.layout.bundle.read_bytes())
    assert [r.subject.rfc4514_string() for r in roots] == ["CN=coloan.local Root CA root-2,O=coloan.local"]
