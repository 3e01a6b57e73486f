"""Every security check of the gateway, each with its failing case, on a real deployment."""

from __future__ import annotations

import ssl
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from harness import Deployment, forged_leaf, rpc_error

from certs import FrozenClock, LeafProfile, Pki, Role
from coloan.v1 import credit_pb2 as c
from coloan.v1 import credit_pb2_grpc
from gateway._methods import compile_methods
from gateway._workspace import Workspace, create
from gateway.fake import CoLendingFaker
from gateway.signing import sign_request
from masking import shipped_services

pytestmark = pytest.mark.integration
ASSESS = "/coloan.v1.CreditService/AssessCredit"
METHODS = compile_methods(shipped_services())


@pytest.fixture(scope="module")
def faker() -> CoLendingFaker:
    return CoLendingFaker(7)


def _body(path: str, faker: CoLendingFaker) -> bytes:
    builders = {
        "AssessCredit": faker.application, "Drawdown": faker.drawdown, "ReportRepayment": faker.repayment,
        "GetLoan": lambda: c.GetLoanRequest(loan_id="LN-9"), "PublishLoanStatus": faker.loan_status,
        "PublishRiskAlert": faker.risk_alert,
    }
    return builders[path.rsplit("/", 1)[1]]().SerializeToString()


def _reason(err: grpc.aio.AioRpcError) -> str:
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    status = rpc_status.from_call(err)
    assert status is not None
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    return info.reason


ROLES = {"platform": "ROLE_PLATFORM", "bank": "ROLE_BANK", "ops": "ROLE_OPS"}


@pytest.mark.parametrize("party", sorted(ROLES))
@pytest.mark.parametrize("path", sorted(METHODS))
def test_authorization_matrix(dep: Deployment, faker: CoLendingFaker, party: str, path: str) -> None:
    body = _body(path, faker)
    meta = dep.signed(path, body, party=party, idempotency_key="idem-" + party)
    from coloan.policy.v1 import options_pb2 as opts

    allowed = getattr(opts, ROLES[party]) in METHODS[path].policy.allowed_roles
    if allowed:
        reply, trailers = dep.raw(path, body, meta, party=party)
        assert METHODS[path].response.FromString(reply) is not None
        assert any(k == "x-coloan-signature" for k, _ in trailers)
    else:
        err = rpc_error(lambda: dep.raw(path, body, meta, party=party))
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED
        assert _reason(err) == "ROLE_NOT_ALLOWED"


def _signed_error(dep: Deployment, body: bytes, meta: list[tuple[str, str]]) -> tuple[grpc.StatusCode, str]:
    err = rpc_error(lambda: dep.raw(ASSESS, body, meta))
    return err.code(), _reason(err)


def test_tampered_body(dep: Deployment, faker: CoLendingFaker) -> None:
    body = _body(ASSESS, faker)
    meta = dep.signed(ASSESS, body)
    tampered = body[:-1] + bytes([body[-1] ^ 0x01])
    assert _signed_error(dep, tampered, meta) == (grpc.StatusCode.UNAUTHENTICATED, "SIGNATURE_BAD_SIGNATURE")


def test_tampered_signature(dep: Deployment, faker: CoLendingFaker) -> None:
    body = _body(ASSESS, faker)
    meta = dict(dep.signed(ASSESS, body))
    sig = meta["x-coloan-signature"]
    meta["x-coloan-signature"] = ("A" if sig[0] != "A" else "B") + sig[1:]
    assert _signed_error(dep, body, list(meta.items())) == (grpc.StatusCode.UNAUTHENTICATED,
                                                            "SIGNATURE_BAD_SIGNATURE")


def test_missing_signature(dep: Deployment, faker: CoLendingFaker) -> None:
    code, reason = _signed_error(dep, _body(ASSESS, faker), [])
    assert (code, reason) == (grpc.StatusCode.UNAUTHENTICATED, "SIGNATURE_MISSING_SIGNATURE")


def test_unknown_key_id(dep: Deployment, faker: CoLendingFaker, ws: Workspace) -> None:
    from gateway.signing import SigningKey

    body = _body(ASSESS, faker)
    meta = list(sign_request(SigningKey.generate("platform/unregistered-1"), ASSESS, body).items())
    assert _signed_error(dep, body, meta) == (grpc.StatusCode.UNAUTHENTICATED, "SIGNATURE_UNKNOWN_KEY")


def test_signature_by_another_partners_key(dep: Deployment, faker: CoLendingFaker) -> None:
    body = _body(ASSESS, faker)
    meta = dep.signed(ASSESS, body, party="bank")  # bank's key, platform's certificate
    assert _signed_error(dep, body, meta)[0] == grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize(("shift_s", "reason"), [(-120, "SIGNATURE_STALE_TIMESTAMP"),
                                                 (120, "SIGNATURE_FUTURE_TIMESTAMP")])
def test_timestamps_outside_the_window(dep: Deployment, faker: CoLendingFaker, shift_s: int, reason: str) -> None:
    body = _body(ASSESS, faker)
    meta = dep.signed(ASSESS, body, now_ms=int((time.time() + shift_s) * 1000))
    assert _signed_error(dep, body, meta) == (grpc.StatusCode.UNAUTHENTICATED, reason)


def test_replayed_nonce(dep: Deployment, faker: CoLendingFaker) -> None:
    body = _body(ASSESS, faker)
    meta = dep.signed(ASSESS, body)
    dep.raw(ASSESS, body, meta)
    assert _signed_error(dep, body, meta) == (grpc.StatusCode.UNAUTHENTICATED, "SIGNATURE_REPLAYED_NONCE")
    assert dep.access_log()[-1]["replay"] == "replayed"


def test_no_client_certificate_fails_the_handshake(dep: Deployment, faker: CoLendingFaker) -> None:
    bundle = dep.credentials("platform").trust_bundle_pem
    err = rpc_error(lambda: dep.raw(ASSESS, _body(ASSESS, faker), [],
                                    credentials=grpc.ssl_channel_credentials(bundle), timeout=5))
    assert err.code() == grpc.StatusCode.UNAVAILABLE


def test_certificate_from_another_ca_fails_the_handshake(dep: Deployment, faker: CoLendingFaker,
                                                         tmp_path: Path) -> None:
    other = Pki.init(tmp_path / "other")
    from certs import load_credentials

    foreign = load_credentials(other.layout.root, "platform")
    creds = grpc.ssl_channel_credentials(dep.credentials("platform").trust_bundle_pem, foreign.key_pem,
                                         foreign.chain_pem)
    err = rpc_error(lambda: dep.raw(ASSESS, _body(ASSESS, faker), [], credentials=creds, timeout=5))
    assert err.code() == grpc.StatusCode.UNAVAILABLE


def test_expired_certificate_fails_the_handshake(dep: Deployment, ws: Workspace, faker: CoLendingFaker) -> None:
    past = Pki(ws.pki_dir, clock=FrozenClock(datetime.now(UTC) - timedelta(days=10)))
    issued = past.issue(LeafProfile("expired-platform", Role.PLATFORM, days=1))
    creds = grpc.ssl_channel_credentials(dep.credentials("platform").trust_bundle_pem,
                                         issued_key(ws, issued.name), issued_chain(ws, issued.name))
    err = rpc_error(lambda: dep.raw(ASSESS, _body(ASSESS, faker), [], credentials=creds, timeout=5))
    assert err.code() == grpc.StatusCode.UNAVAILABLE


def issued_key(ws: Workspace, name: str) -> bytes:
    from certs import load_credentials

    return load_credentials(ws.pki_dir, name).key_pem


def issued_chain(ws: Workspace, name: str) -> bytes:
    from certs import load_credentials

    return load_credentials(ws.pki_dir, name).chain_pem


def test_two_uri_sans_are_refused(dep: Deployment, ws: Workspace, faker: CoLendingFaker) -> None:
    chain, key = forged_leaf(ws, ["spiffe://coloan.local/platform/platform", "spiffe://coloan.local/bank/bank"])
    creds = grpc.ssl_channel_credentials(dep.credentials("platform").trust_bundle_pem, key, chain)
    body = _body(ASSESS, faker)
    err = rpc_error(lambda: dep.raw(ASSESS, body, dep.signed(ASSESS, body), credentials=creds))
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    assert _reason(err) == "PEER_MULTIPLE_URI_SANS"


def test_unregistered_spiffe_id_is_refused(dep: Deployment, ws: Workspace, faker: CoLendingFaker) -> None:
    Pki(ws.pki_dir).issue(LeafProfile("intruder", Role.PLATFORM))
    creds = grpc.ssl_channel_credentials(dep.credentials("platform").trust_bundle_pem,
                                         issued_key(ws, "intruder"), issued_chain(ws, "intruder"))
    body = _body(ASSESS, faker)
    err = rpc_error(lambda: dep.raw(ASSESS, body, dep.signed(ASSESS, body), credentials=creds))
    assert (err.code(), _reason(err)) == (grpc.StatusCode.UNAUTHENTICATED, "UNKNOWN_PARTNER")


def _served_serial(port: int, creds_dir: Path, ws: Workspace) -> int:
    """The serial of the certificate the gateway presents in a fresh TLS handshake."""
    from certs import load_credentials

    client = load_credentials(ws.pki_dir, "ops")
    (creds_dir / "c.pem").write_bytes(client.chain_pem)
    (creds_dir / "k.pem").write_bytes(client.key_pem)
    (creds_dir / "ca.pem").write_bytes(client.trust_bundle_pem)
    ctx = ssl.create_default_context(cafile=str(creds_dir / "ca.pem"))
    ctx.load_cert_chain(str(creds_dir / "c.pem"), str(creds_dir / "k.pem"))
    ctx.set_alpn_protocols(["h2"])
    import socket

    with socket.create_connection(("127.0.0.1", port)) as sock, \
            ctx.wrap_socket(sock, server_hostname="localhost") as tls:
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der).serial_number


def test_server_certificate_rotates_without_restart(tmp_path_factory: pytest.TempPathFactory,
                                                    faker: CoLendingFaker, tmp_path: Path) -> None:
    ws = create(tmp_path_factory.mktemp("rot") / "ws")
    dep = Deployment(ws).start()
    try:
        before = _served_serial(dep.port, tmp_path, ws)

        async def two_calls_on_one_channel() -> tuple[object, object]:
            from gateway.sdk import PartnerChannel, SigningInterceptor

            signer = SigningInterceptor(ws.signing_key("platform"), ws.public_keys("gateway"))
            async with PartnerChannel(ws.pki_dir, "platform", dep.target, interceptors=[signer]) as ch:
                stub = ch.stub(credit_pb2_grpc.CreditServiceStub)
                first = await stub.AssessCredit(faker.application())
                Pki(ws.pki_dir).rotate("gateway")
                second = await stub.AssessCredit(faker.application())  # the existing connection keeps working
                return first, second

        first, second = dep.run(two_calls_on_one_channel())
        assert first is not None
        assert second is not None
        after = _served_serial(dep.port, tmp_path, ws)
        assert after != before  # the next handshake presents the rotated certificate
        assert dep.call("platform", credit_pb2_grpc.CreditServiceStub, "AssessCredit", faker.application())
    finally:
        dep.stop()


def test_revoked_partner_is_refused_without_restart(tmp_path_factory: pytest.TempPathFactory,
                                                    faker: CoLendingFaker) -> None:
    ws = create(tmp_path_factory.mktemp("rev") / "ws")
    dep = Deployment(ws).start()
    try:
        assert dep.call("platform", credit_pb2_grpc.CreditServiceStub, "AssessCredit", faker.application())
        Pki(ws.pki_dir).revoke("platform", reason="keyCompromise")
        err = rpc_error(lambda: dep.call("platform", credit_pb2_grpc.CreditServiceStub, "AssessCredit",
                                         faker.application()))
        assert err.code() == grpc.StatusCode.UNAUTHENTICATED
        assert _reason(err) == "PEER_REVOKED"
    finally:
        dep.stop()
