"""The upstream helper: only what the gateway countersigned reaches the servicer, and its response is signed."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import grpc
import pytest

from certs import CredentialSource, PeerChecker, Pki
from coloan.v1 import credit_pb2
from gateway.sdk import current_forward, secure_channel
from gateway.signing import PublicKeySet, ResponseVerifier, SigningKey

from .conftest import ASSESS, GET_LOAN, TIMEOUT, BankService, World, bank_upstream


async def direct_call(world: World, target: str, method: str, body: bytes, metadata: Any = (),
                      as_name: str = "platform") -> tuple[bytes, Any]:
    """Call the bank upstream directly (not through the gateway) with mTLS as ``as_name``; raw bytes both ways."""
    async with secure_channel(world.pki, as_name, target) as channel:
        call = channel.unary_unary(method)(body, metadata=metadata, timeout=TIMEOUT)
        out = await call
        return out, await call.trailing_metadata()


def refused(world: World, method: str, body: bytes, metadata: Any, as_name: str = "gateway",
            **kwargs: Any) -> tuple[grpc.aio.AioRpcError, BankService]:
    """Run one direct call expected to be refused; the error and the servicer's record."""
    service = BankService(world)

    async def scenario() -> grpc.aio.AioRpcError:
        async with bank_upstream(world, service, **kwargs) as target:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await direct_call(world, target, method, body, metadata, as_name)
            return caught.value

    return asyncio.run(scenario()), service


def test_countersigned_call_reaches_servicer_and_its_response_signature_verifies(world: World) -> None:
    service = BankService(world)
    application = world.fake.application()
    body = application.SerializeToString()

    async def scenario() -> None:
        async with bank_upstream(world, service) as target:
            headers = world.countersigned(ASSESS, body, idempotency_key="as-1")
            out, trailers = await direct_call(world, target, ASSESS, body, headers, as_name="gateway")
            nonce = dict(headers)["x-coloan-nonce"]
            ResponseVerifier(PublicKeySet.of(world.bank_key)).verify(ASSESS, nonce, out, trailers)
            assert credit_pb2.CreditDecision.FromString(out).application_id == application.application_id

    asyncio.run(scenario())
    assert service.requests == [application]
    assert service.forwards[0].caller == "platform" and service.forwards[0].idempotency_key == "as-1"


def test_call_without_countersignature_is_refused_before_the_servicer(world: World) -> None:
    error, service = refused(world, ASSESS, world.fake.application().SerializeToString(), (), as_name="platform")
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error.details() == "gateway countersignature refused: missing_signature"
    assert service.requests == []


def test_countersignature_by_an_untrusted_key_is_refused(world: World) -> None:
    body = world.fake.application().SerializeToString()
    headers = world.countersigned(ASSESS, body, key=SigningKey.generate("rogue/1"))
    error, service = refused(world, ASSESS, body, headers)
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error.details() == "gateway countersignature refused: unknown_key"
    assert service.requests == []


def test_body_changed_after_countersigning_is_refused(world: World) -> None:
    body = world.fake.application().SerializeToString()
    headers = world.countersigned(ASSESS, body)
    error, service = refused(world, ASSESS, body + b"\x20\x01", headers)
    assert error.details() == "gateway countersignature refused: bad_signature"
    assert service.requests == []


def test_countersignature_for_another_method_is_refused(world: World) -> None:
    body = credit_pb2.GetLoanRequest(loan_id="L-1").SerializeToString()
    error, service = refused(world, GET_LOAN, body, world.countersigned(ASSESS, body))
    assert error.details() == "gateway countersignature refused: bad_signature"
    assert service.requests == []


def test_replayed_countersigned_call_is_refused_and_served_once(world: World) -> None:
    service = BankService(world)
    body = credit_pb2.GetLoanRequest(loan_id="L-1").SerializeToString()
    headers = world.countersigned(GET_LOAN, body)

    async def scenario() -> grpc.aio.AioRpcError:
        async with bank_upstream(world, service) as target:
            await direct_call(world, target, GET_LOAN, body, headers, as_name="gateway")
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await direct_call(world, target, GET_LOAN, body, headers, as_name="gateway")
            return caught.value

    error = asyncio.run(scenario())
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error.details() == "gateway countersignature refused: replayed_nonce"
    assert len(service.requests) == 1


def test_countersigned_body_that_does_not_parse_is_invalid_argument(world: World) -> None:
    body = b"\xff\xff\xff"
    error, service = refused(world, ASSESS, body, world.countersigned(ASSESS, body))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert service.requests == []


def test_peer_check_refuses_a_countersigned_call_from_a_certificate_that_is_not_the_gateways(world: World) -> None:
    body = world.fake.application().SerializeToString()
    headers = world.countersigned(ASSESS, body)
    error, service = refused(world, ASSESS, body, headers, as_name="bank", peers=PeerChecker(world.pki))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error.details() == "peer certificate refused: not_gateway"
    assert service.requests == []


def test_peer_check_refuses_a_revoked_gateway_certificate(world: World) -> None:
    Pki(world.pki).revoke("gateway", reason="keyCompromise")
    body = world.fake.application().SerializeToString()
    error, service = refused(world, ASSESS, body, world.countersigned(ASSESS, body), peers=PeerChecker(world.pki))
    assert error.details() == "peer certificate refused: revoked"
    assert service.requests == []


def test_current_forward_outside_a_served_call_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        current_forward()


async def call_with(target: str, credentials: grpc.ChannelCredentials, body: bytes, metadata: Any) -> None:
    async with grpc.aio.secure_channel(target, credentials) as channel:
        await channel.unary_unary(ASSESS)(body, metadata=metadata, timeout=TIMEOUT)


def test_server_credentials_refuse_a_client_without_a_certificate(world: World) -> None:
    service = BankService(world)
    body = world.fake.application().SerializeToString()
    trust = CredentialSource(world.pki, "gateway").current().trust_bundle_pem

    async def scenario() -> grpc.aio.AioRpcError:
        async with bank_upstream(world, service) as target:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await call_with(target, grpc.ssl_channel_credentials(trust), body, world.countersigned(ASSESS, body))
            return caught.value

    assert asyncio.run(scenario()).code() == grpc.StatusCode.UNAVAILABLE
    assert service.requests == []


def test_server_credentials_refuse_a_client_certificate_from_another_ca(world: World, tmp_path: Path) -> None:
    service = BankService(world)
    body = world.fake.application().SerializeToString()
    Pki.init(tmp_path / "other")
    stranger = CredentialSource(tmp_path / "other", "gateway").current()
    trust = CredentialSource(world.pki, "gateway").current().trust_bundle_pem

    async def scenario() -> grpc.aio.AioRpcError:
        async with bank_upstream(world, service) as target:
            credentials = grpc.ssl_channel_credentials(trust, stranger.key_pem, stranger.chain_pem)
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await call_with(target, credentials, body, world.countersigned(ASSESS, body))
            return caught.value

    assert asyncio.run(scenario()).code() == grpc.StatusCode.UNAVAILABLE
    assert service.requests == []
