"""The gateway as an operator runs it: health and reflection for tools, graceful drain on SIGTERM."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from harness import SLOW_AMOUNT_FEN, Deployment
from loopback import free_port

from coloan.v1 import credit_pb2_grpc
from gateway._workspace import Workspace
from gateway.fake import CoLendingFaker
from gateway.sdk import PartnerChannel, SigningInterceptor, channel_credentials

pytestmark = pytest.mark.integration


def test_health_reports_serving_for_the_gateway_and_each_service(dep: Deployment) -> None:
    async def check() -> list[int]:
        async with grpc.aio.secure_channel(dep.target, channel_credentials(dep.credentials("ops"))) as ch:
            stub = health_pb2_grpc.HealthStub(ch)
            return [(await stub.Check(health_pb2.HealthCheckRequest(service=name))).status
                    for name in ("", "coloan.v1.CreditService", "coloan.v1.LoanEventService")]

    assert dep.run(check()) == [health_pb2.HealthCheckResponse.SERVING] * 3


def test_reflection_lists_the_brokered_services(dep: Deployment) -> None:
    async def services() -> set[str]:
        async with grpc.aio.secure_channel(dep.target, channel_credentials(dep.credentials("ops"))) as ch:
            stub = reflection_pb2_grpc.ServerReflectionStub(ch)
            request = reflection_pb2.ServerReflectionRequest(list_services="")
            async for reply in stub.ServerReflectionInfo(iter([request])):
                return {s.name for s in reply.list_services_response.service}
        return set()

    assert {"coloan.v1.CreditService", "coloan.v1.LoanEventService", "grpc.health.v1.Health"} <= dep.run(services())


def test_sigterm_drains_in_flight_calls_and_exits_0(dep: Deployment, ws: Workspace) -> None:
    port = free_port()
    config = ws.root / "serve.toml"
    text = re.sub(r'listen = ".*"', f'listen = "127.0.0.1:{port}"', ws.config.read_text())
    config.write_text(text + '\n[audit]\ndir = "audit-serve"\n')  # its own log: the deployment's is in use
    proc = subprocess.Popen([sys.executable, "-m", "gateway.cli", "serve", "--config", str(config), "--grace", "10"],
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        assert "serving 6 methods" in proc.stderr.readline()
        app = CoLendingFaker(5).application()
        app.requested_amount_fen = SLOW_AMOUNT_FEN  # the test bank takes 3 s

        async def slow_call_with_sigterm() -> object:
            signer = SigningInterceptor(ws.signing_key("platform"), ws.public_keys("gateway"))
            async with PartnerChannel(ws.pki_dir, "platform", f"127.0.0.1:{port}", interceptors=[signer]) as ch:
                call = asyncio.ensure_future(ch.stub(credit_pb2_grpc.CreditServiceStub).AssessCredit(app, timeout=20))
                await asyncio.sleep(1.0)
                proc.send_signal(signal.SIGTERM)
                return await call

        decision = dep.run(slow_call_with_sigterm())
        assert decision.application_id == app.application_id  # type: ignore[attr-defined]
        assert proc.wait(timeout=20) == 0
        assert "draining" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


def test_serve_refuses_to_start_on_a_missing_keyring(ws: Workspace, tmp_path: Path) -> None:
    config = ws.root / "nokeys.toml"
    config.write_text(ws.config.read_text().replace('keys_dir = "keys"', 'keys_dir = "empty-keys"'))
    (ws.root / "empty-keys").mkdir(exist_ok=True)
    result = subprocess.run([sys.executable, "-m", "gateway.cli", "serve", "--config", str(config)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("coloan-gw: error: ")
    assert result.stderr.count("\n") == 1
