"""``coloan-gw demo`` for real: three child processes on loopback, a short run, its summary and exit code."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from gateway.demo._children import coloan_gw

pytestmark = pytest.mark.integration


def demo(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"COLUMNS": "160", "NO_COLOR": "1"}
    return subprocess.run([*coloan_gw(), "demo", *args], capture_output=True, text=True, timeout=timeout, env=env,
                          check=False)


def access_log(root: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (root / "logs" / "access.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One short run that keeps its workspace."""
    root = tmp_path_factory.mktemp("demo") / "demo"
    return root, demo("-n", "10", "--dir", str(root), "--seed", "3", "--keep")


def test_short_demo_runs_end_to_end_and_summarizes(kept: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    root, done = kept
    out = done.stdout
    assert done.returncode == 0, out[-3000:] + done.stderr[-2000:]
    for row in (
        "Journeys", "applications", "checks on the responses that held",
        "CreditService/AssessCredit", "CreditService/Drawdown", "CreditService/ReportRepayment",
        "CreditService/GetLoan", "LoanEventService/PublishLoanStatus",
        "Fields desensitized", "BANK", "PLATFORM", "encrypt",
        "Signatures verified", "gateway countersignatures",
        "client certificate from a foreign CA", "SIGNATURE_BAD_SIGNATURE", "SIGNATURE_REPLAYED_NONCE",
        "VALIDATION_FAILED", "CONSENT_MISSING", "ROLE_NOT_ALLOWED", "not_gateway",
        "Refused calls by reason", "signature_replayed_nonce",
        f"logs: {root.resolve() / 'logs'}", "every expected outcome happened",
    ):
        assert row in out, row
    assert "✗" not in out
    assert out.strip().splitlines()[-1].startswith("every expected outcome happened in ")
    logs = root / "logs"
    assert {r["caller"] for r in access_log(root)} == {"platform", "bank"}
    assert "stats" in (logs / "bank.log").read_text() and "stats" in (logs / "platform.log").read_text()


def test_kept_workspace_is_recreated_by_the_next_run_then_tidied(
        kept: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    root, _ = kept
    assert {"pki", "keys", "signing", "gateway.toml", "bank.toml", "platform.toml"} <= {p.name for p in root.iterdir()}
    before = access_log(root)
    again = demo("-n", "1", "--dir", str(root))
    assert again.returncode == 0, again.stdout[-2000:]
    assert sorted(p.name for p in root.iterdir()) == [".coloan-demo", "audit", "logs"]  # keys and certificates removed
    after = access_log(root)
    assert len(after) < len(before)  # a fresh log, not appended to
    assert not {r["cert_sha256"] for r in before} & {r["cert_sha256"] for r in after}  # a fresh PKI


def test_demo_refuses_a_directory_that_is_not_its_own(tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("do not delete")
    done = demo("--dir", str(precious), timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"coloan-gw: error: {precious}: exists and is not a demo workspace; "
        "fix: give --dir a new or empty directory"]
    assert (precious / "thesis.tex").read_text() == "do not delete"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def _started(out: Path, timeout_s: float) -> list[int]:
    """The child pids the demo printed, once all three are started and journeys are under way."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = out.read_text() if out.exists() else ""
        pids = [int(line.split("(pid ")[1].split(")")[0]) for line in text.splitlines() if "(pid " in line]
        if len(pids) == 3 and "driving" in text:
            return pids
        time.sleep(0.1)
    raise AssertionError(f"the demo did not get under way: {out.read_text()[-2000:]}")


def _gone(pids: list[int], timeout_s: float) -> list[int]:
    """The pids still alive once all are gone or ``timeout_s`` has passed."""
    deadline = time.monotonic() + timeout_s
    while (alive := [pid for pid in pids if _alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def _start_long_demo(tmp_path: Path) -> tuple[subprocess.Popen[str], list[int]]:
    out = tmp_path / "out.txt"
    with out.open("w") as sink:
        process = subprocess.Popen([*coloan_gw(), "demo", "-n", "5000", "--dir", str(tmp_path / "demo")],
                                   stdout=sink, stderr=subprocess.PIPE, text=True)
    try:
        return process, _started(out, 60)
    except BaseException:
        _end(process, [])
        raise


def _end(process: subprocess.Popen[str], children: list[int]) -> None:
    """Leave nothing running whatever the test did: the demo first (it stops its children), then any child."""
    if process.poll() is None:
        process.terminate()
    try:
        process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
    for pid in _gone(children, 10):
        os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_demo_stops_every_process_it_started(tmp_path: Path, sig: signal.Signals) -> None:
    process, children = _start_long_demo(tmp_path)
    try:
        assert all(_alive(pid) for pid in children)
        process.send_signal(sig)
        _, err = process.communicate(timeout=60)
    finally:
        _end(process, children)
    assert process.returncode == 130
    assert "interrupted; every process it started has been stopped" in err
    assert not [pid for pid in children if _alive(pid)]
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == [".coloan-demo", "audit", "logs"]


def test_children_of_a_killed_demo_stop_too(tmp_path: Path) -> None:
    """``kill -9`` leaves the demo no chance to stop them; the kernel tells them (Linux)."""
    process, children = _start_long_demo(tmp_path)
    try:
        process.kill()
        process.communicate(timeout=30)
        left = _gone(children, 30)
    finally:
        _end(process, children)
    assert left == []
