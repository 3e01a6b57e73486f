"""The gateway's tamper-evident audit log: one record per call written before forwarding, searchable by keyed
hash, verifiable offline; a log that cannot be written refuses calls (UNAVAILABLE) and recovers by itself; a
gateway killed with SIGKILL under load restarts with a log that verifies and holds every call a client saw succeed."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
from harness import Deployment, rpc_error
from loopback import free_port

from coloan.v1 import credit_pb2_grpc
from gateway._workspace import create
from gateway.audit import load_search_key, search, verify_log
from gateway.fake import CoLendingFaker
from gateway.sdk import PartnerChannel, SigningInterceptor

pytestmark = pytest.mark.integration


def _segments(directory: Path) -> list[Path]:
    return sorted(directory.glob("records-*.jsonl"))


def _records(directory: Path) -> list[dict[str, object]]:
    return [json.loads(line)["record"] for seg in _segments(directory) for line in seg.read_text().splitlines()]


def test_every_call_has_one_record_searchable_and_verifiable(tmp_path_factory: pytest.TempPathFactory) -> None:
    ws = create(tmp_path_factory.mktemp("audit") / "ws")
    dep = Deployment(ws).start()
    fake = CoLendingFaker(12)
    apps = [fake.application() for _ in range(4)]
    try:
        for app in apps:
            dep.call("platform", credit_pb2_grpc.CreditServiceStub, "AssessCredit", app)
        bad = fake.application()
        bad.profile.mobile = "12" + bad.profile.mobile[2:]
        rpc_error(lambda: dep.call("platform", credit_pb2_grpc.CreditServiceStub, "AssessCredit", bad))
    finally:
        dep.stop()  # closing writes the final signed checkpoint
    records = _records(ws.audit_dir)
    assert [r["phase"] for r in records] == ["forward"] * 4 + ["refused"]
    assert [r["request_id"] for r in records] == [line["request_id"] for line in dep.access_log()]
    assert all(r["category"] == "AUDIT_CREDIT_ASSESSMENT" for r in records[:4])
    assert records[0]["digests"]["forwarded"] and records[0]["keys"]["caller"]
    report = verify_log(ws.audit_dir, ws.public_keys("gateway"))
    assert report.ok
    assert report.verified == report.records == 5
    key = load_search_key(ws.audit_search_key)
    found = list(search(ws.audit_dir, key, "profile.resident_id", apps[2].profile.resident_id))
    assert [json.loads(line)["record"]["request_id"] for _, line in found] == [records[2]["request_id"]]
    text = "".join(seg.read_text() for seg in _segments(ws.audit_dir))
    for app in apps:
        p = app.profile
        for value in (p.resident_id, p.mobile, p.full_name, p.email, p.residential_address.street, p.device_id):
            assert value not in text


def test_an_unwritable_log_refuses_calls_and_service_resumes(tmp_path_factory: pytest.TempPathFactory) -> None:
    if shutil.which("chattr") is None:
        pytest.fail("chattr (e2fsprogs) is needed to make the log unwritable for root")
    ws = create(tmp_path_factory.mktemp("audit-fail") / "ws")
    dep = Deployment(ws).start()
    fake = CoLendingFaker(13)
    try:
        dep.call("platform", credit_pb2_grpc.CreditServiceStub, "AssessCredit", fake.application())
        segment = _segments(ws.audit_dir)[-1]
        subprocess.run(["chattr", "+i", str(segment)], check=True)
        try:
            before = len(dep.bank.seen.received)
            err = rpc_error(lambda: dep.call("platform", credit_pb2_grpc.CreditServiceStub, "AssessCredit",
                                             fake.application()))
            assert err.code() == grpc.StatusCode.UNAVAILABLE
            assert len(dep.bank.seen.received) == before  # nothing unaudited was forwarded
        finally:
            subprocess.run(["chattr", "-i", str(segment)], check=True)
        dep.call("platform", credit_pb2_grpc.CreditServiceStub, "AssessCredit", fake.application())
    finally:
        dep.stop()
    assert verify_log(ws.audit_dir, ws.public_keys("gateway")).ok


def _start(config: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-m", "gateway.cli", "serve", "--config", str(config)],
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    assert "serving" in proc.stderr.readline()
    return proc


def test_sigkill_under_load_loses_no_acknowledged_record(tmp_path_factory: pytest.TempPathFactory) -> None:
    ws = create(tmp_path_factory.mktemp("audit-crash") / "ws")
    dep = Deployment(ws).start()  # its bank and platform serve the gateway process below
    port = free_port()
    config = ws.root / "crash.toml"
    config.write_text(re.sub(r'listen = ".*"', f'listen = "127.0.0.1:{port}"', ws.config.read_text())
                      + '\n[audit]\ndir = "audit-crash"\n')
    acknowledged: list[str] = []

    async def load(stop: asyncio.Event) -> None:
        signer = SigningInterceptor(ws.signing_key("platform"), ws.public_keys("gateway"))
        async with PartnerChannel(ws.pki_dir, "platform", f"127.0.0.1:{port}", interceptors=[signer]) as ch:
            stub, fake = ch.stub(credit_pb2_grpc.CreditServiceStub), CoLendingFaker(14)

            async def worker() -> None:
                while not stop.is_set() and len(acknowledged) < 2_000:
                    try:
                        call = stub.AssessCredit(fake.application(), timeout=5)
                        await call
                        trailers = dict(await call.trailing_metadata() or ())
                        acknowledged.append(str(trailers["x-coloan-audit-id"]))
                    except grpc.aio.AioRpcError:
                        return  # the gateway died under us

            await asyncio.gather(*(worker() for _ in range(4)))

    proc = _start(config)
    try:
        running = asyncio.run_coroutine_threadsafe(load(asyncio.Event()), dep._loop)
        give_up = time.monotonic() + 60
        while len(acknowledged) < 40 and not running.done() and time.monotonic() < give_up:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        running.result(30)
    finally:
        if proc.poll() is None:
            proc.kill()
        if proc.stderr is not None:
            proc.stderr.close()
    restarted = _start(config)  # recovery: a torn tail is cut, a checkpoint is written for what survived
    restarted.send_signal(signal.SIGTERM)
    assert restarted.wait(30) == 0
    if restarted.stderr is not None:
        restarted.stderr.close()
    dep.stop()
    audit_dir = ws.root / "audit-crash"
    report = verify_log(audit_dir, ws.public_keys("gateway"))
    assert report.ok, report.findings
    ids = {f"{json.loads(line)['index']}" for seg in _segments(audit_dir) for line in seg.read_text().splitlines()}
    assert len(acknowledged) >= 40
    missing = [a for a in acknowledged if a.split("-")[0] not in ids]
    assert missing == []
    print(f"SIGKILL after {len(acknowledged)} acknowledged calls: {report.records} records, none lost")
