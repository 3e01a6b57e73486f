"""A real deployment on loopback for the gateway's integration tests: a test bank and a test platform
built with the partner SDK, the gateway in front of them, all over mTLS with certificates made at test time.

Everything runs on one event loop in a background thread, so a module can share one deployment
and tests stay plain functions: ``deployment.run(coroutine)``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import threading
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from google.protobuf.message import Message

from certs import Credentials, PeerChecker, Pki
from coloan.v1 import credit_pb2 as c
from coloan.v1 import credit_pb2_grpc, events_pb2, events_pb2_grpc
from gateway import _config
from gateway._server import Gateway
from gateway._workspace import Workspace, write_config
from gateway.sdk import (
    PartnerChannel,
    SigningInterceptor,
    add_gateway_only_servicer,
    channel_credentials,
    current_forward,
    server_credentials,
)
from gateway.signing import sign_request

T = TypeVar("T")
CREDIT = c.DESCRIPTOR.services_by_name["CreditService"]
EVENTS = events_pb2.DESCRIPTOR.services_by_name["LoanEventService"]
SLOW_AMOUNT_FEN = 424_242_00  # a request with this amount makes the test bank sleep past deadlines


@dataclass
class Recorder:
    """What a test partner received, as parsed messages, in order."""

    received: list[tuple[str, Message]] = field(default_factory=list)
    callers: list[str] = field(default_factory=list)

    def record(self, name: str, request: Message) -> None:
        self.received.append((name, request))
        self.callers.append(current_forward().caller)


class Bank(credit_pb2_grpc.CreditServiceServicer):
    """A minimal bank: approves with a fixed internal score, echoes drawdowns, knows every loan."""

    def __init__(self) -> None:
        self.seen = Recorder()

    async def AssessCredit(self, request: c.LoanApplication, context: Any) -> c.CreditDecision:
        self.seen.record("AssessCredit", request)
        if request.requested_amount_fen == SLOW_AMOUNT_FEN:
            await asyncio.sleep(3)
        return c.CreditDecision(application_id=request.application_id, decision_id="DEC-1",
                                decision=c.DECISION_APPROVE, credit_line_fen=request.requested_amount_fen,
                                apr_bps=1_800, bank_internal_score=537, model_version="test-1",
                                decided_at=request.submitted_at)

    async def Drawdown(self, request: c.DrawdownRequest, context: Any) -> c.Disbursement:
        self.seen.record("Drawdown", request)
        platform = request.amount_fen * request.platform_share_bps // 10_000
        return c.Disbursement(loan_id="LN-1", application_id=request.application_id,
                              contract=c.EContract(contract_id="ECT-1", sha256=b"\x01" * 32),
                              principal_fen=request.amount_fen, bank_share_fen=request.amount_fen - platform,
                              platform_share_fen=platform, apr_bps=1_800, disbursement_card="6222020200112345678")

    async def ReportRepayment(self, request: c.RepaymentNotice, context: Any) -> c.RepaymentAck:
        self.seen.record("ReportRepayment", request)
        return c.RepaymentAck(loan_id=request.loan_id, state=c.LOAN_STATE_ACTIVE, outstanding_principal_fen=1)

    async def GetLoan(self, request: c.GetLoanRequest, context: Any) -> c.Loan:
        self.seen.record("GetLoan", request)
        if request.loan_id == "missing":
            await context.abort(grpc.StatusCode.NOT_FOUND, "no loan LN-secret-internal-detail")
        return c.Loan(loan_id=request.loan_id, state=c.LOAN_STATE_ACTIVE, principal_fen=100, paid_fen={1: 50})


class Platform(events_pb2_grpc.LoanEventServiceServicer):
    def __init__(self) -> None:
        self.seen = Recorder()

    async def PublishLoanStatus(self, request: events_pb2.LoanStatusUpdate, context: Any) -> events_pb2.EventAck:
        self.seen.record("PublishLoanStatus", request)
        return events_pb2.EventAck(event_id=request.event_id, accepted=True)

    async def PublishRiskAlert(self, request: events_pb2.RiskAlert, context: Any) -> events_pb2.EventAck:
        self.seen.record("PublishRiskAlert", request)
        return events_pb2.EventAck(event_id=request.alert_id, accepted=True)


def _identity(data: bytes) -> bytes:
    return data


class Deployment:
    """Test bank, test platform and gateway on 127.0.0.1, sharing one workspace."""

    def __init__(self, ws: Workspace, *, bank_up: bool = True, replicas: int = 1,
                 state: str = "sqlite:///state.db") -> None:
        self.ws, self.bank, self.platform = ws, Bank(), Platform()
        self._bank_up, self._replicas, self._state = bank_up, replicas, state
        self.gateways: list[Gateway] = []
        self.ports: list[int] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._servers: list[grpc.aio.Server] = []
        self.gateway: Gateway | None = None
        self.port = 0

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self) -> Deployment:
        self._thread.start()
        self.run(self._start())
        return self

    async def _partner(self, name: str, servicer: object, service: Any) -> str:
        if name == "bank" and not self._bank_up:
            with socket.socket() as probe:  # a port nobody listens on: connections are refused
                probe.bind(("127.0.0.1", 0))
                return f"127.0.0.1:{probe.getsockname()[1]}"
        server = grpc.aio.server()
        add_gateway_only_servicer(server, servicer, service, own_key=self.ws.signing_key(name),
                                  gateway_keys=self.ws.public_keys("gateway"), peers=PeerChecker(self.ws.pki_dir))
        port = server.add_secure_port("127.0.0.1:0", server_credentials(self.ws.pki_dir, name))
        await server.start()
        self._servers.append(server)
        return f"127.0.0.1:{port}"

    async def _start(self) -> None:
        upstreams = {"bank": await self._partner("bank", self.bank, CREDIT),
                     "platform": await self._partner("platform", self.platform, EVENTS)}
        config = write_config(self.ws, listen="127.0.0.1:0", upstreams=upstreams, state=self._state)
        for n in range(self._replicas):  # replicas share the config (the state store), each its own audit log
            gateway = Gateway(_config.load(config), worker=n if self._replicas > 1 else None)
            self.ports.append(await gateway.start())
            self.gateways.append(gateway)
        self.gateway, self.port = self.gateways[0], self.ports[0]

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        async def down() -> None:
            for gateway in self.gateways:
                await gateway.stop(0)
            for server in self._servers:
                await server.stop(0)
        self.run(down())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self._loop.close()

    # --- clients ---------------------------------------------------------------------------------

    def call(self, party: str, stub_class: Callable[[Any], Any], method: str, request: Message,
             metadata: Sequence[tuple[str, str]] = (), timeout: float = 10) -> Any:
        """One call with the SDK (signing interceptor, rotating mTLS channel) as ``party``."""
        async def go() -> Any:
            signer = SigningInterceptor(self.ws.signing_key(party), self.ws.public_keys("gateway"))
            async with PartnerChannel(self.ws.pki_dir, party, self.target, interceptors=[signer]) as channel:
                return await getattr(channel.stub(stub_class), method)(request, metadata=tuple(metadata),
                                                                       timeout=timeout)
        return self.run(go())

    def raw(self, path: str, body: bytes, metadata: Sequence[tuple[str, str]], *, party: str = "platform",
            credentials: grpc.ChannelCredentials | None = None, timeout: float = 10) -> tuple[bytes, Any]:
        """Send exact bytes with exact metadata; returns (response bytes, trailing metadata)."""
        async def go() -> tuple[bytes, Any]:
            creds = credentials or channel_credentials(self.credentials(party))
            async with grpc.aio.secure_channel(self.target, creds) as channel:
                rpc = channel.unary_unary(path, request_serializer=_identity, response_deserializer=_identity)
                call = rpc(body, metadata=tuple(metadata), timeout=timeout)
                return await call, await call.trailing_metadata()
        return self.run(go())

    def signed(self, path: str, body: bytes, *, party: str = "platform", **kw: Any) -> list[tuple[str, str]]:
        return list(sign_request(self.ws.signing_key(party), path, body, **kw).items())

    def credentials(self, party: str) -> Credentials:
        from certs import load_credentials
        return load_credentials(self.ws.pki_dir, party)

    def access_log(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.ws.access_log.read_text().splitlines()]


def rpc_error(fn: Callable[[], Awaitable[Any] | Any]) -> grpc.aio.AioRpcError:
    """The AioRpcError raised by ``fn`` (fails the test if it returns)."""
    try:
        fn()
    except grpc.aio.AioRpcError as exc:
        return exc
    raise AssertionError("the call succeeded")


def forged_leaf(ws: Workspace, uris: Sequence[str], *, days: int = 30) -> tuple[bytes, bytes]:
    """A client certificate signed by the workspace's issuing CA, built by hand to break the profile."""
    layout = Pki(ws.pki_dir).layout
    issuer_dir = layout.ca_dir(json.loads(layout.manifest.read_text())["issuing"])
    issuer = x509.load_pem_x509_certificate((issuer_dir / "cert.pem").read_bytes())
    issuer_key = serialization.load_pem_private_key((issuer_dir / "key.pem").read_bytes(), None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC) - timedelta(minutes=5)
    sans = [x509.UniformResourceIdentifier(u) for u in uris] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "forged")]))
        .issuer_name(issuer.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    chain = cert.public_bytes(serialization.Encoding.PEM) + issuer.public_bytes(serialization.Encoding.PEM)
    return chain, key_pem
