"""The deliberately bad calls the demo sends, each with the refusal it must meet.

Every one is a real call over loopback with real certificates and signatures: a
client certificate from a foreign PKI, a tampered signature, a replayed request, a
record breaking exactly one validation rule, a profile without consent, a caller in
the wrong role, and a direct call to the bank that bypasses the gateway.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import grpc
from google.protobuf.message import Message

from certs import Credentials, Pki, load_credentials
from coloan.v1 import credit_pb2_grpc, events_pb2_grpc
from gateway.demo._workspace import Deployment
from gateway.fake import MUTATIONS, CoLendingFaker
from gateway.mock import OK, Outcome, outcome
from gateway.sdk import PartnerChannel, channel_credentials
from gateway.signing import METADATA_PREFIX, sign_request

ASSESS = "/coloan.v1.CreditService/AssessCredit"
SIGNATURE = f"{METADATA_PREFIX}signature"


@dataclass(frozen=True)
class Expect:
    """The refusal a bad call must meet: a status code, and the reason or a phrase of the message."""

    code: str
    reason: str | None = None
    mentions: str | None = None

    def met(self, got: Outcome) -> bool:
        said = " ".join((got.message, *got.violations))
        return got.code == self.code and (self.reason is None or got.reason == self.reason) and \
            (self.mentions is None or self.mentions in said)

    def __str__(self) -> str:
        return " ".join(x for x in (self.code, self.reason, self.mentions and f"({self.mentions})") if x)


@dataclass(frozen=True)
class Result:
    name: str
    expected: Expect
    got: Outcome

    @property
    def ok(self) -> bool:
        return self.expected.met(self.got)


class Caller:
    """What the bad calls are made with: the deployment, the platform's SDK channel, generated records."""

    def __init__(self, dep: Deployment, platform: PartnerChannel, faker: CoLendingFaker) -> None:
        self.dep, self.platform, self.faker = dep, platform, faker

    def credentials(self, name: str) -> Credentials:
        return load_credentials(self.dep.ws.pki_dir, name)

    def signed(self, path: str, body: bytes) -> list[tuple[str, str]]:
        return list(sign_request(self.dep.ws.signing_key("platform"), path, body).items())

    async def raw(self, target: str, path: str, body: bytes, metadata: Sequence[tuple[str, str]],
                  credentials: grpc.ChannelCredentials | None = None) -> Outcome:
        """Exact bytes and metadata over mTLS (the platform's certificate unless told otherwise)."""
        creds = credentials or channel_credentials(self.credentials("platform"))
        async with grpc.aio.secure_channel(target, creds) as channel:
            rpc = channel.unary_unary(path, request_serializer=_same, response_deserializer=_same)
            try:
                await rpc(body, metadata=tuple(metadata), timeout=5)
            except grpc.aio.AioRpcError as exc:
                return outcome(exc)
        return OK

    async def sdk(self, call: Callable[[], Awaitable[Message]]) -> Outcome:
        try:
            await call()
        except grpc.aio.AioRpcError as exc:
            return outcome(exc)
        return OK


def _same(data: bytes) -> bytes:
    return data


async def foreign_certificate(c: Caller) -> Outcome:
    """A client certificate from another CA: the gateway refuses the TLS handshake."""
    foreign = Pki.init(c.dep.ws.root / "foreign-pki", trust_domain="elsewhere.example")
    theirs = load_credentials(foreign.layout.root, "platform")
    creds = grpc.ssl_channel_credentials(c.credentials("platform").trust_bundle_pem, theirs.key_pem, theirs.chain_pem)
    body = c.faker.application().SerializeToString()
    return await c.raw(c.dep.gateway, ASSESS, body, c.signed(ASSESS, body), creds)


async def tampered_signature(c: Caller) -> Outcome:
    body = c.faker.application().SerializeToString()
    metadata = [(k, _flip(v) if k == SIGNATURE else v) for k, v in c.signed(ASSESS, body)]
    return await c.raw(c.dep.gateway, ASSESS, body, metadata)


def _flip(text: str) -> str:
    i = len(text) // 2
    return text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1:]


async def replayed_request(c: Caller) -> Outcome:
    """The same signed bytes twice: the first is served, the second refused."""
    body = c.faker.application().SerializeToString()
    metadata = c.signed(ASSESS, body)
    first = await c.raw(c.dep.gateway, ASSESS, body, metadata)
    if not first.ok:
        return Outcome(first.code, first.reason, message="the original call was refused")
    return await c.raw(c.dep.gateway, ASSESS, body, metadata)


def broken(c: Caller, rule: str) -> Message:
    """A generated application that breaks exactly ``rule`` of its profile."""
    app = c.faker.application()
    mutation = next(m for m in MUTATIONS["applications"] if m.rule == rule and m.field.startswith("profile."))
    mutation.apply(app, c.faker)
    return app


async def invalid_record(c: Caller) -> Outcome:
    app = broken(c, "resident_id.checksum")
    return await c.sdk(lambda: c.platform.stub(credit_pb2_grpc.CreditServiceStub).AssessCredit(app, timeout=5))


async def missing_consent(c: Caller) -> Outcome:
    app = broken(c, "consent.required")
    return await c.sdk(lambda: c.platform.stub(credit_pb2_grpc.CreditServiceStub).AssessCredit(app, timeout=5))


async def wrong_role(c: Caller) -> Outcome:
    """The platform publishing a loan status, which only the bank may."""
    event = c.faker.loan_status()
    stub = c.platform.stub(events_pb2_grpc.LoanEventServiceStub)
    return await c.sdk(lambda: stub.PublishLoanStatus(event, timeout=5))


async def bypass_gateway(c: Caller) -> Outcome:
    """A signed application sent straight to the bank: it serves the gateway only."""
    body = c.faker.application().SerializeToString()
    return await c.raw(c.dep.bank, ASSESS, body, c.signed(ASSESS, body))


BadCall = tuple[str, Expect, Callable[[Caller], Awaitable[Outcome]]]
BAD_CALLS: tuple[BadCall, ...] = (
    ("client certificate from a foreign CA", Expect("UNAVAILABLE"), foreign_certificate),
    ("tampered signature", Expect("UNAUTHENTICATED", "SIGNATURE_BAD_SIGNATURE"), tampered_signature),
    ("replayed request", Expect("UNAUTHENTICATED", "SIGNATURE_REPLAYED_NONCE"), replayed_request),
    ("invalid record (resident id check character)",
     Expect("INVALID_ARGUMENT", "VALIDATION_FAILED", "[resident_id.checksum]"), invalid_record),
    ("profile without consent", Expect("FAILED_PRECONDITION", "CONSENT_MISSING"), missing_consent),
    ("platform calling a bank-only method", Expect("PERMISSION_DENIED", "ROLE_NOT_ALLOWED"), wrong_role),
    ("direct call to the bank, bypassing the gateway", Expect("UNAUTHENTICATED", mentions="not_gateway"),
     bypass_gateway),
)


async def send_bad_calls(c: Caller) -> list[Result]:
    """Every bad call, one after the other, with what came back."""
    return [Result(name, expect, await call(c)) for name, expect, call in BAD_CALLS]
