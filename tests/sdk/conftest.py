"""Fixtures of the SDK tests: a PKI made at test time, signing keys, a fake gateway and a bank upstream.

Everything runs for real on loopback: mTLS with certificates from ``certs.Pki``,
``grpc.aio`` servers on port 0, the signing protocol and masking engine as shipped.
Tests are plain functions that ``asyncio.run`` a scenario; servers start inside it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import message_factory

from certs import Pki
from coloan.policy.v1 import options_pb2 as opts
from coloan.v1 import credit_pb2, credit_pb2_grpc
from gateway.fake import CoLendingFaker
from gateway.sdk import (
    FieldDecryptor,
    PartnerChannel,
    SigningInterceptor,
    add_gateway_only_servicer,
    current_forward,
    secure_channel,
    server_credentials,
)
from gateway.signing import (
    PublicKeySet,
    RequestVerifier,
    ResponseVerifier,
    SignatureError,
    SigningKey,
    VerifiedForward,
    countersign,
    sign_request,
    sign_response,
)
from masking import Engine, Keyring

CREDIT = credit_pb2.DESCRIPTOR.services_by_name["CreditService"]
ASSESS = "/coloan.v1.CreditService/AssessCredit"
DRAWDOWN = "/coloan.v1.CreditService/Drawdown"
GET_LOAN = "/coloan.v1.CreditService/GetLoan"
TIMEOUT = 10.0


@dataclass
class World:
    """One co-lending deployment made at test time: a PKI directory, signing keys, a masking keyring."""

    pki: Path
    gateway_key: SigningKey
    platform_key: SigningKey
    bank_key: SigningKey
    keyring: Keyring
    fake: CoLendingFaker

    @property
    def gateway_keys(self) -> PublicKeySet:
        return PublicKeySet.of(self.gateway_key)

    def countersigned(self, method: str, body: bytes, *, key: SigningKey | None = None,
                      idempotency_key: str | None = None) -> tuple[tuple[str, str], ...]:
        """The metadata the gateway forwards ``body`` with: a platform request, verified, then countersigned."""
        signed = sign_request(self.platform_key, method, body, idempotency_key=idempotency_key)
        verified = RequestVerifier("platform", PublicKeySet.of(self.platform_key)).verify(method, body, signed)
        return tuple(countersign(key or self.gateway_key, body, verified).items())

    def bank_decryptor(self) -> FieldDecryptor:
        return FieldDecryptor(self.keyring.export(opts.BANK), opts.BANK)


@pytest.fixture
def world(tmp_path: Path, fake: CoLendingFaker) -> World:
    Pki.init(tmp_path / "pki")
    return World(
        pki=tmp_path / "pki",
        gateway_key=SigningKey.generate("gateway/1"),
        platform_key=SigningKey.generate("platform/1"),
        bank_key=SigningKey.generate("bank/1", "ed25519"),
        keyring=Keyring.ephemeral(),
        fake=fake,
    )


class BankService(credit_pb2_grpc.CreditServiceServicer):
    """The bank's servicer under test: records what reached it and who the gateway said called."""

    def __init__(self, world: World, *, delay_s: float = 0.0) -> None:
        self.world = world
        self.delay_s = delay_s
        self.requests: list[Any] = []
        self.forwards: list[VerifiedForward] = []
        self.decryptor = world.bank_decryptor()

    def _seen(self, request: Any) -> None:
        self.requests.append(request)
        self.forwards.append(current_forward())

    async def AssessCredit(self, request: Any, context: Any) -> Any:
        self._seen(request)
        await asyncio.sleep(self.delay_s)
        return self.world.fake.decision(request)

    async def Drawdown(self, request: Any, context: Any) -> Any:
        self._seen(self.decryptor.decrypt(request))
        return self.world.fake.disbursement(self.requests[-1])

    async def GetLoan(self, request: Any, context: Any) -> Any:
        self._seen(request)
        if request.loan_id == "missing":
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such loan")
        loan = credit_pb2.Loan(loan_id=request.loan_id, state=credit_pb2.LOAN_STATE_ACTIVE, apr_bps=1800)
        for seq in (7, 3, 11, 1, 5):
            loan.paid_fen[seq] = seq * 10_000
        return loan


@asynccontextmanager
async def serving(register: Callable[[grpc.aio.Server], None],
                  credentials: grpc.ServerCredentials) -> AsyncIterator[str]:
    """A ``grpc.aio`` server on 127.0.0.1, port 0; yields its target and stops it on exit."""
    server = grpc.aio.server()
    register(server)
    port = server.add_secure_port("127.0.0.1:0", credentials)
    await server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(None)


@asynccontextmanager
async def bank_upstream(world: World, service: BankService, **kwargs: Any) -> AsyncIterator[str]:
    """The bank's upstream server built with the SDK: gateway-only, mTLS as ``bank``."""

    def register(server: grpc.aio.Server) -> None:
        add_gateway_only_servicer(server, service, CREDIT, own_key=world.bank_key, gateway_keys=world.gateway_keys,
                                  **kwargs)

    async with serving(register, server_credentials(world.pki, "bank")) as target:
        yield target


@dataclass
class FakeGateway:
    """The gateway's data path reduced to what the SDK meets, forwarding CreditService to the bank.

    Verifies the platform's signature over the raw bytes, masks for the bank, countersigns,
    forwards, verifies the bank's response signature and signs the response itself.
    ``tamper`` breaks that last step: ``"body"``, ``"drop"``, ``"unknown_key"`` or ``"stale"``.
    """

    world: World
    upstream: grpc.aio.Channel
    tamper: str | None = None
    calls: int = 0
    peer_certs: list[bytes] = field(default_factory=list)
    idempotency_keys: list[str | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.requests = RequestVerifier("platform", PublicKeySet.of(self.world.platform_key))
        self.responses = ResponseVerifier(PublicKeySet.of(self.world.bank_key))
        self.engine = Engine(self.world.keyring)

    def register(self, server: grpc.aio.Server) -> None:
        handlers = {m.name: grpc.unary_unary_rpc_method_handler(self._handler(m)) for m in CREDIT.methods}
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(CREDIT.full_name, handlers),))

    def _handler(self, method: Any) -> Callable[[bytes, Any], Any]:
        path = f"/{CREDIT.full_name}/{method.name}"
        input_class = message_factory.GetMessageClass(method.input_type)

        async def handle(body: bytes, context: Any) -> bytes:
            self.calls += 1
            self.peer_certs.append(context.auth_context()["x509_pem_cert"][0])
            try:
                verified = self.requests.verify(path, body, context.invocation_metadata())
            except SignatureError as exc:
                await context.abort(grpc.StatusCode.UNAUTHENTICATED, exc.reason)
            self.idempotency_keys.append(verified.idempotency_key)
            masked, _ = self.engine.plan(method.input_type, opts.BANK).masked(input_class.FromString(body))
            forwarded = masked.SerializeToString(deterministic=True)
            call = self.upstream.unary_unary(path)(forwarded, metadata=countersign(self.world.gateway_key, forwarded,
                                                                                    verified).items(), timeout=TIMEOUT)
            try:
                out = await call
            except grpc.aio.AioRpcError as exc:
                await context.abort(exc.code(), "upstream refused")
            self.responses.verify(path, verified.nonce, out, await call.trailing_metadata())
            return self._respond(context, path, verified.nonce, out)

        return handle

    def _respond(self, context: Any, path: str, nonce: str, out: bytes) -> bytes:
        key = SigningKey.generate("gateway/9") if self.tamper == "unknown_key" else self.world.gateway_key
        now_ms = time.time_ns() // 1_000_000 - (120_000 if self.tamper == "stale" else 0)
        if self.tamper != "drop":
            context.set_trailing_metadata(tuple(sign_response(key, path, nonce, out, now_ms=now_ms).items()))
        return out + b"\x20\x01" if self.tamper == "body" else out


@asynccontextmanager
async def fake_gateway(world: World, upstream_target: str, *, tamper: str | None = None) -> AsyncIterator[
        tuple[str, FakeGateway]]:
    """The fake gateway, serving mTLS as ``gateway`` and calling the bank over mTLS as ``gateway``."""
    upstream = secure_channel(world.pki, "gateway", upstream_target)
    gateway = FakeGateway(world, upstream, tamper)
    try:
        async with serving(gateway.register, server_credentials(world.pki, "gateway")) as target:
            yield target, gateway
    finally:
        await upstream.close()


def platform_channel(world: World, target: str, **kwargs: Any) -> PartnerChannel:
    """The platform's channel to the gateway, signing with the platform key and verifying the gateway's."""
    signer = SigningInterceptor(world.platform_key, world.gateway_keys, require_idempotency={DRAWDOWN})
    return PartnerChannel(world.pki, "platform", target, interceptors=[signer], **kwargs)


@asynccontextmanager
async def deployment(world: World, *, tamper: str | None = None, delay_s: float = 0.0,
                     grace_s: float = 5.0) -> AsyncIterator[
        tuple[PartnerChannel, FakeGateway, BankService]]:
    """Platform → fake gateway → bank upstream, all running; yields the platform's channel and both servers' state."""
    service = BankService(world, delay_s=delay_s)
    async with (
        bank_upstream(world, service) as bank,
        fake_gateway(world, bank, tamper=tamper) as (target, gateway),
        platform_channel(world, target, grace_s=grace_s) as channel,
    ):
        yield channel, gateway, service
