"""Rotation: the partner's channel is rebuilt when its certificate changes on disk; servers follow theirs."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from cryptography import x509

from certs import CredentialSource, Layout, Pki
from coloan.v1 import credit_pb2, credit_pb2_grpc

from .conftest import ASSESS, TIMEOUT, BankService, World, bank_upstream, deployment


def serial(pem: bytes) -> int:
    return x509.load_pem_x509_certificate(pem).serial_number


def current_serial(world: World, name: str) -> int:
    return serial(CredentialSource(world.pki, name).current().chain_pem)


def test_channel_is_rebuilt_after_client_certificate_rotation_and_calls_keep_working(world: World) -> None:
    async def scenario() -> None:
        async with deployment(world) as (channel, gateway, _):
            stub = channel.stub(credit_pb2_grpc.CreditServiceStub)
            await stub.AssessCredit(world.fake.application(), timeout=TIMEOUT)
            before = channel.version
            Pki(world.pki).rotate("platform")
            await stub.AssessCredit(world.fake.application(), timeout=TIMEOUT)
            await stub.AssessCredit(world.fake.application(), timeout=TIMEOUT)
            assert channel.rebuilds == 1 and channel.version != before
            assert [serial(p) for p in gateway.peer_certs][1:] == [current_serial(world, "platform")] * 2
            assert serial(gateway.peer_certs[0]) != serial(gateway.peer_certs[1])

    asyncio.run(scenario())


def test_stub_made_directly_over_the_partner_channel_follows_rotation(world: World) -> None:
    async def scenario() -> None:
        async with deployment(world) as (channel, gateway, _):
            stub = credit_pb2_grpc.CreditServiceStub(channel)
            await stub.GetLoan(credit_pb2.GetLoanRequest(loan_id="L-1"), timeout=TIMEOUT)
            Pki(world.pki).rotate("platform")
            await stub.GetLoan(credit_pb2.GetLoanRequest(loan_id="L-2"), timeout=TIMEOUT)
            assert channel.rebuilds == 1
            assert serial(gateway.peer_certs[1]) == current_serial(world, "platform")

    asyncio.run(scenario())


def test_call_in_flight_on_the_old_channel_finishes_after_rotation(world: World) -> None:
    async def scenario() -> None:
        async with deployment(world, delay_s=0.5) as (channel, _, bank):
            stub = channel.stub(credit_pb2_grpc.CreditServiceStub)
            slow = asyncio.ensure_future(stub.AssessCredit(world.fake.application(), timeout=TIMEOUT))
            while not bank.requests:
                await asyncio.sleep(0.01)
            Pki(world.pki).rotate("platform")
            await stub.GetLoan(credit_pb2.GetLoanRequest(loan_id="L-1"), timeout=TIMEOUT)
            assert channel.rebuilds == 1
            decision = await slow
            assert decision.application_id == bank.requests[0].application_id

    asyncio.run(scenario())


def test_retired_channel_is_closed_after_its_grace_period(world: World) -> None:
    async def scenario() -> None:
        async with deployment(world, grace_s=0.05) as (channel, _, _):
            old = channel.channel()
            Pki(world.pki).rotate("platform")
            assert channel.channel() is not old
            await asyncio.sleep(0.3)
            with pytest.raises(grpc.aio.UsageError):
                await old.unary_unary(ASSESS)(credit_pb2.LoanApplication(), timeout=TIMEOUT)

    asyncio.run(scenario())


def test_upstream_server_follows_a_ca_rollover_on_disk(world: World) -> None:
    service = BankService(world)
    body = world.fake.application().SerializeToString()

    async def scenario() -> None:
        async with bank_upstream(world, service) as target:
            Pki(world.pki).ca_rotate()
            rollover = Pki(world.pki).ca_activate()  # leaves re-issued from the new CA
            new_root = (Layout(world.pki).ca_dir(rollover.root) / "cert.pem").read_bytes()
            gateway = CredentialSource(world.pki, "gateway").current()
            assert new_root in gateway.trust_bundle_pem and gateway.trust_bundle_pem != new_root
            credentials = grpc.ssl_channel_credentials(new_root, gateway.key_pem, gateway.chain_pem)
            async with grpc.aio.secure_channel(target, credentials) as channel:
                await channel.unary_unary(ASSESS)(body, metadata=world.countersigned(ASSESS, body), timeout=TIMEOUT)

    asyncio.run(scenario())
    assert len(service.requests) == 1
