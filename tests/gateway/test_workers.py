"""``coloan-gw serve --workers N``: several processes on one port, sharing state, stopped together."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from harness import Deployment
from loopback import free_port

from coloan.v1 import credit_pb2_grpc
from gateway._workspace import Workspace
from gateway.cli import cli
from gateway.fake import CoLendingFaker

pytestmark = pytest.mark.integration


def _config(ws: Workspace, listen: str, state: str = "sqlite:///workers.db") -> Path:
    path = ws.root / "workers.toml"
    text = re.sub(r'listen = ".*"', f'listen = "{listen}"', ws.config.read_text())
    text = re.sub(r'state = ".*"', f'state = "{state}"', text).replace("logs/access.jsonl", "logs/workers.jsonl")
    path.write_text(text + '\n[audit]\ndir = "audit-workers"\n')
    return path


def test_workers_share_one_port_and_stop_together(dep: Deployment, ws: Workspace) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gateway.cli", "serve", "--config",
                             str(_config(ws, f"127.0.0.1:{port}")), "--workers", "2", "--grace", "5"],
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        assert all("serving" in proc.stderr.readline() for _ in range(2))
        target, fake = dep.port, CoLendingFaker(8)
        dep.port = port  # the harness's clients now call the workers
        try:
            for _ in range(30):  # a new connection per call; the kernel spreads them over the workers
                dep.call("platform", credit_pb2_grpc.CreditServiceStub, "AssessCredit", fake.application())
        finally:
            dep.port = target
        import json

        lines = [json.loads(line) for line in (ws.root / "logs" / "workers.jsonl").read_text().splitlines()]
        assert len(lines) == 30
        assert all(line["status"] == "OK" for line in lines)
        assert len({line["worker"] for line in lines}) == 2
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


@pytest.mark.parametrize(("listen", "state", "problem"), [
    ("127.0.0.1:0", "sqlite:///w.db", "--workers needs a fixed port"),
    ("127.0.0.1:7999", "memory:", "workers must share replay and idempotency state"),
])
def test_workers_refuse_what_cannot_be_shared(ws: Workspace, listen: str, state: str, problem: str) -> None:
    result = CliRunner().invoke(cli, ["serve", "--config", str(_config(ws, listen, state)), "--workers", "2"])
    assert result.exit_code == 1
    assert problem in result.stderr
