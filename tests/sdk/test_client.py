"""The client side: requests signed over the bytes sent, responses verified, idempotency keys bound."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from coloan.v1 import credit_pb2, credit_pb2_grpc
from gateway.sdk import RequestNotSigned, ResponseNotVerified, idempotency_metadata

from .conftest import TIMEOUT, World, deployment


def test_signed_call_round_trips_through_the_gateway_and_its_response_verifies(world: World) -> None:
    async def scenario() -> None:
        async with deployment(world) as (channel, gateway, bank):
            stub = channel.stub(credit_pb2_grpc.CreditServiceStub)
            application = world.fake.application()
            decision = await stub.AssessCredit(application, timeout=TIMEOUT)
            assert decision.application_id == application.application_id
            assert gateway.calls == 1 and gateway.idempotency_keys == [None]
            assert bank.forwards[0].caller == "platform"

    asyncio.run(scenario())


def test_idempotency_key_from_call_metadata_is_signed_and_reaches_the_upstream(world: World) -> None:
    async def scenario() -> None:
        async with deployment(world) as (channel, gateway, bank):
            stub = credit_pb2_grpc.CreditServiceStub(channel)
            request = world.fake.drawdown()
            await stub.Drawdown(request, metadata=idempotency_metadata("dd-42"), timeout=TIMEOUT)
            assert gateway.idempotency_keys == ["dd-42"]
            assert bank.forwards[0].idempotency_key == "dd-42"

    asyncio.run(scenario())


def test_response_with_a_map_verifies_over_its_deterministic_serialization(world: World) -> None:
    async def scenario() -> None:
        async with deployment(world) as (channel, _, _):
            loan = await channel.stub(credit_pb2_grpc.CreditServiceStub).GetLoan(
                credit_pb2.GetLoanRequest(loan_id="L-1"), timeout=TIMEOUT)
            assert dict(loan.paid_fen) == {1: 10_000, 3: 30_000, 5: 50_000, 7: 70_000, 11: 110_000}

    asyncio.run(scenario())


def test_error_status_from_upstream_reaches_the_caller_as_an_rpc_error(world: World) -> None:
    async def scenario() -> None:
        async with deployment(world) as (channel, _, _):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await channel.stub(credit_pb2_grpc.CreditServiceStub).GetLoan(
                    credit_pb2.GetLoanRequest(loan_id="missing"), timeout=TIMEOUT)
            assert caught.value.code() == grpc.StatusCode.NOT_FOUND

    asyncio.run(scenario())


@pytest.mark.parametrize(("tamper", "reason"), [
    ("body", "bad_signature"),
    ("drop", "missing_signature"),
    ("unknown_key", "unknown_key"),
    ("stale", "stale_timestamp"),
])
def test_client_refuses_a_response_whose_gateway_signature_fails(world: World, tamper: str, reason: str) -> None:
    async def scenario() -> None:
        async with deployment(world, tamper=tamper) as (channel, gateway, _):
            stub = channel.stub(credit_pb2_grpc.CreditServiceStub)
            with pytest.raises(ResponseNotVerified) as caught:
                await stub.AssessCredit(world.fake.application(), timeout=TIMEOUT)
            assert caught.value.reason == reason
            assert caught.value.method == "/coloan.v1.CreditService/AssessCredit"
            assert gateway.calls == 1

    asyncio.run(scenario())


def test_required_idempotency_key_missing_sends_nothing(world: World) -> None:
    async def scenario() -> None:
        async with deployment(world) as (channel, gateway, _):
            with pytest.raises(RequestNotSigned) as caught:
                await channel.stub(credit_pb2_grpc.CreditServiceStub).Drawdown(world.fake.drawdown(), timeout=TIMEOUT)
            assert caught.value.reason == "idempotency_key_missing"
            assert gateway.calls == 0

    asyncio.run(scenario())


@pytest.mark.parametrize(("metadata", "reason"), [
    ((("x-coloan-nonce", "AAAAAAAAAAAAAAAAAAAAAA"),), "reserved_header"),
    ((("x-coloan-idempotency-key", " padded "),), "idempotency_key_malformed"),
    ((("x-coloan-idempotency-key", "a"), ("x-coloan-idempotency-key", "b")), "idempotency_key_malformed"),
])
def test_caller_cannot_write_protocol_headers(world: World, metadata: tuple[tuple[str, str], ...],
                                              reason: str) -> None:
    async def scenario() -> None:
        async with deployment(world) as (channel, gateway, _):
            with pytest.raises(RequestNotSigned) as caught:
                await channel.stub(credit_pb2_grpc.CreditServiceStub).AssessCredit(
                    world.fake.application(), metadata=metadata, timeout=TIMEOUT)
            assert caught.value.reason == reason
            assert " padded " not in str(caught.value)
            assert gateway.calls == 0

    asyncio.run(scenario())
