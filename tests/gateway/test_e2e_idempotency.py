"""Idempotent drawdowns through the gateway: a retry is answered from the store, a reused key with other bytes is
refused, concurrent duplicates reach the bank once."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from harness import Deployment, rpc_error

from coloan.v1 import credit_pb2 as c
from coloan.v1 import credit_pb2_grpc
from gateway._workspace import Workspace, create
from gateway.fake import CoLendingFaker
from gateway.sdk import PartnerChannel, SigningInterceptor, idempotency_metadata

pytestmark = pytest.mark.integration


def _drawdowns(dep: Deployment) -> int:
    return sum(1 for name, _ in dep.bank.seen.received if name == "Drawdown")


def test_a_retry_is_answered_from_the_store(dep: Deployment) -> None:
    request = CoLendingFaker(1).drawdown()
    before = _drawdowns(dep)
    first = dep.call("platform", credit_pb2_grpc.CreditServiceStub, "Drawdown", request,
                     metadata=idempotency_metadata("retry-1"))
    again = dep.call("platform", credit_pb2_grpc.CreditServiceStub, "Drawdown", request,
                     metadata=idempotency_metadata("retry-1"))
    assert again == first
    assert _drawdowns(dep) == before + 1
    assert [line["idempotency"] for line in dep.access_log()[-2:]] == ["first", "replayed"]


def test_the_same_key_with_other_bytes_is_refused(dep: Deployment) -> None:
    fake = CoLendingFaker(2)
    dep.call("platform", credit_pb2_grpc.CreditServiceStub, "Drawdown", fake.drawdown(),
             metadata=idempotency_metadata("reused-1"))
    err = rpc_error(lambda: dep.call("platform", credit_pb2_grpc.CreditServiceStub, "Drawdown", fake.drawdown(),
                                     metadata=idempotency_metadata("reused-1")))
    assert err.code() == grpc.StatusCode.ALREADY_EXISTS


def test_concurrent_duplicates_forward_exactly_once(dep: Deployment, ws: Workspace) -> None:
    request = CoLendingFaker(5).drawdown()
    before = _drawdowns(dep)

    async def fire(n: int) -> list[c.Disbursement]:
        signer = SigningInterceptor(ws.signing_key("platform"), ws.public_keys("gateway"))
        async with PartnerChannel(ws.pki_dir, "platform", dep.target, interceptors=[signer]) as ch:
            stub = ch.stub(credit_pb2_grpc.CreditServiceStub)
            return list(await asyncio.gather(*(stub.Drawdown(request, metadata=idempotency_metadata("burst-1"),
                                                             timeout=20) for _ in range(n))))

    replies = dep.run(fire(8))
    assert _drawdowns(dep) == before + 1
    assert all(r == replies[0] for r in replies)


def test_two_replicas_sharing_redis_disburse_once(tmp_path_factory: pytest.TempPathFactory,
                                                  redis_url: str) -> None:
    ws = create(tmp_path_factory.mktemp("replicas") / "ws")
    dep = Deployment(ws, replicas=2, state=redis_url).start()
    request = CoLendingFaker(6).drawdown()

    async def one(port: int) -> c.Disbursement:
        signer = SigningInterceptor(ws.signing_key("platform"), ws.public_keys("gateway"))
        async with PartnerChannel(ws.pki_dir, "platform", f"127.0.0.1:{port}", interceptors=[signer]) as ch:
            return await ch.stub(credit_pb2_grpc.CreditServiceStub).Drawdown(
                request, metadata=idempotency_metadata("two-replicas-1"), timeout=20)

    async def both() -> list[c.Disbursement]:
        return list(await asyncio.gather(*(one(port) for port in dep.ports * 3)))

    try:
        replies = dep.run(both())
    finally:
        dep.stop()
    assert _drawdowns(dep) == 1  # six concurrent calls at two replicas: exactly one disbursement
    assert all(r == replies[0] for r in replies)


def test_a_nonce_seen_by_one_replica_is_refused_by_the_other(tmp_path_factory: pytest.TempPathFactory,
                                                             redis_url: str) -> None:
    ws = create(tmp_path_factory.mktemp("replay2") / "ws")
    dep = Deployment(ws, replicas=2, state=redis_url).start()
    path = "/coloan.v1.CreditService/AssessCredit"
    body = CoLendingFaker(7).application().SerializeToString()
    meta = dep.signed(path, body)
    try:
        dep.raw(path, body, meta)
        dep.port = dep.ports[1]
        err = rpc_error(lambda: dep.raw(path, body, meta))
    finally:
        dep.stop()
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
