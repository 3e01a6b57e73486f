"""Hot rotation under load: certificates, the CA, signing keys and masking keys change while calls flow,
and not one call fails; a certificate revoked mid-run is refused within seconds, without a restart."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter

import grpc
import pytest
from harness import Deployment

from certs import Pki
from coloan.v1 import credit_pb2 as c
from coloan.v1 import credit_pb2_grpc
from gateway._workspace import Workspace, create
from gateway.errors import StartupError
from gateway.fake import CoLendingFaker
from gateway.sdk import PartnerChannel, SigningInterceptor
from gateway.signing import SigningKey
from masking import Keyring

pytestmark = pytest.mark.integration


class Load:
    """Bounded concurrent AssessCredit calls as the platform, with a signing key that can be swapped."""

    def __init__(self, dep: Deployment, ws: Workspace, workers: int = 3) -> None:
        self.dep, self.ws, self.workers = dep, ws, workers
        self.key = ws.signing_key("platform")
        self.outcomes: Counter[str] = Counter()
        self.stop = threading.Event()
        self.step = "warm-up"

    async def _worker(self, seed: int) -> None:
        fake = CoLendingFaker(seed)
        while not self.stop.is_set() and sum(self.outcomes.values()) < 5_000:
            signer = SigningInterceptor(self.key, self.ws.public_keys("gateway"))
            async with PartnerChannel(self.ws.pki_dir, "platform", self.dep.target, interceptors=[signer]) as ch:
                stub = ch.stub(credit_pb2_grpc.CreditServiceStub)
                for _ in range(10):
                    try:
                        await stub.AssessCredit(fake.application(), timeout=10)
                        self.outcomes["OK"] += 1
                    except grpc.aio.AioRpcError as exc:
                        self.outcomes[f"{exc.code().name} {self.step}"] += 1

    async def run(self) -> None:
        await asyncio.gather(*(self._worker(i) for i in range(self.workers)))


def _settle(load: Load, calls: int = 15) -> None:
    """Wait until ``calls`` more calls completed (bounded), so each rotation meets live traffic."""
    target, deadline = sum(load.outcomes.values()) + calls, time.monotonic() + 30
    while sum(load.outcomes.values()) < target and time.monotonic() < deadline:
        time.sleep(0.05)


def _rotate_platform_signing_key(dep: Deployment, ws: Workspace, load: Load) -> None:
    new = SigningKey.generate("platform/rotated-2")
    (ws.signing_dir / "platform-2.pub.pem").write_bytes(new.public_pem())
    old_line = f'"{ws.key_id("platform")}" = "signing/platform.pub.pem"'
    text = ws.config.read_text()
    ws.config.write_text(text.replace(old_line, old_line + '\n"platform/rotated-2" = "signing/platform-2.pub.pem"'))
    _reload(dep)  # both keys valid
    load.key = new  # the partner switches; its open channels finish their batch with the old key
    _settle(load, calls=load.workers * 10 + 10)
    ws.config.write_text(text.replace(old_line, '"platform/rotated-2" = "signing/platform-2.pub.pem"'))
    _reload(dep)  # the old key is retired


def _reload(dep: Deployment) -> None:
    async def reload() -> None:
        assert dep.gateway is not None
        dep.gateway.reload()
    dep.run(reload())


def test_rotations_under_load_fail_no_call(tmp_path_factory: pytest.TempPathFactory) -> None:
    ws = create(tmp_path_factory.mktemp("hot") / "ws")
    dep = Deployment(ws).start()
    load = Load(dep, ws)
    running = asyncio.run_coroutine_threadsafe(load.run(), dep._loop)
    try:
        pki = Pki(ws.pki_dir)
        steps = [
            ("gateway certificate", lambda: pki.rotate("gateway")),
            ("platform certificate", lambda: pki.rotate("platform")),
            ("bank certificate", lambda: pki.rotate("bank")),
            ("CA rollover: new root published", pki.ca_rotate),
            ("CA rollover: leaves re-issued", pki.ca_activate),
            ("platform signing key", lambda: _rotate_platform_signing_key(dep, ws, load)),
            ("masking key for the bank", lambda: (Keyring.load(ws.keys_dir).rotate("encrypt-bank"), _reload(dep))),
        ]
        _settle(load)
        for name, step in steps:
            load.step = name
            step()
            _settle(load)
    finally:
        load.stop.set()
        running.result(60)
        dep.stop()
    print(f"calls during {len(steps)} rotations: {dict(load.outcomes)}")
    assert load.outcomes["OK"] >= 100
    assert dict(load.outcomes) == {"OK": load.outcomes["OK"]}


def test_reload_applies_keys_but_refuses_identity_changes(tmp_path_factory: pytest.TempPathFactory) -> None:
    ws = create(tmp_path_factory.mktemp("reload") / "ws")
    dep = Deployment(ws).start()
    try:
        assert dep.gateway is not None
        before = dep.gateway.stages
        _reload(dep)
        assert dep.gateway.stages is not before
        ws.config.write_text(ws.config.read_text().replace("spiffe://coloan.local/bank/bank",
                                                           "spiffe://coloan.local/bank/other"))
        with pytest.raises(StartupError, match="restart"):
            _reload(dep)
        assert dep.gateway.config.partner("bank").spiffe_id == "spiffe://coloan.local/bank/bank"
    finally:
        dep.stop()


def test_revoked_mid_run_is_refused_within_seconds(tmp_path_factory: pytest.TempPathFactory) -> None:
    ws = create(tmp_path_factory.mktemp("revload") / "ws")
    dep = Deployment(ws).start()

    async def calls_until_refused() -> tuple[int, float, grpc.StatusCode]:
        signer = SigningInterceptor(ws.signing_key("ops"), ws.public_keys("gateway"))
        async with PartnerChannel(ws.pki_dir, "ops", dep.target, interceptors=[signer]) as ch:
            stub = ch.stub(credit_pb2_grpc.CreditServiceStub)
            await stub.GetLoan(c.GetLoanRequest(loan_id="LN-1"), timeout=10)
            Pki(ws.pki_dir).revoke("ops", reason="keyCompromise")
            revoked_at = time.monotonic()
            for n in range(1, 200):
                try:
                    await stub.GetLoan(c.GetLoanRequest(loan_id="LN-1"), timeout=10)
                except grpc.aio.AioRpcError as exc:
                    return n, time.monotonic() - revoked_at, exc.code()
                await asyncio.sleep(0.05)
        raise AssertionError("a revoked certificate was never refused")

    try:
        attempts, seconds, code = dep.run(calls_until_refused())
    finally:
        dep.stop()
    assert code == grpc.StatusCode.UNAUTHENTICATED
    assert attempts >= 1
    print(f"revoked certificate refused after {attempts} call(s), {seconds:.3f} s")
