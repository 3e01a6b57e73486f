"""Crash safety: SIGKILL a process appending under load; reopening cuts any torn tail, verify passes, and
every record the process had acknowledged is there with the same hash."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from gateway.audit import verify_log

from .conftest import KEY, KEYS, open_log

CHILD = Path(__file__).parent / "crash_writer.py"
ACK = re.compile(r"([0-9]+) ([0-9a-f]{64})")


def _acknowledged(line: str, acks: dict[int, str]) -> None:
    """Record an ``<index> <leaf hash>`` line; anything else the child prints (a log line) is not an ack."""
    match = ACK.fullmatch(line.strip())
    if match:
        acks[int(match.group(1))] = match.group(2)


def _run_and_kill(directory: Path, key_file: Path, acknowledged: int) -> dict[int, str]:
    """Start the writer, SIGKILL it once it has acknowledged ``acknowledged`` records; returns them all."""
    child = subprocess.Popen([sys.executable, str(CHILD), str(directory), str(key_file)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(60, child.kill)  # bound: a child that stops printing cannot hang the test
    watchdog.start()
    acks: dict[int, str] = {}
    try:
        assert child.stdout is not None
        for line in child.stdout:
            _acknowledged(line, acks)
            if len(acks) >= acknowledged:
                child.send_signal(signal.SIGKILL)
                break
        child.wait(timeout=30)
        rest, errors = child.communicate(timeout=30)
    finally:
        watchdog.cancel()
    for line in rest.splitlines():  # printed before the kill landed: acknowledged too
        _acknowledged(line, acks)
    assert child.returncode == -signal.SIGKILL, errors
    return acks


@pytest.mark.parametrize("acknowledged", [37, 700])
def test_a_killed_writer_loses_no_acknowledged_record_and_its_log_verifies(tmp_path: Path, acknowledged: int) -> None:
    key_file, directory = tmp_path / "gateway.key.pem", tmp_path / "audit"
    key_file.write_bytes(KEY.private_pem())
    acks = _run_and_kill(directory, key_file, acknowledged)
    assert len(acks) >= acknowledged
    before = verify_log(directory, KEYS)
    assert before.ok, [str(f) for f in before.findings]  # a torn tail or unverified records are warnings only
    with open_log(directory) as log:
        leaves = log._writer.state.leaves
        assert log.size >= max(acks) + 1
        assert all(leaves[index].hex() == leaf for index, leaf in acks.items())
    after = verify_log(directory, KEYS)
    assert after.ok and after.findings == () and after.verified == after.records == log.size
