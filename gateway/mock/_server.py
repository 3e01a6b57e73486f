"""Mock partner processes: a servicer behind the gateway-only gate, mTLS with the partner's certificate, health.

``BankApp`` and ``PlatformApp`` are what ``coloan-gw mock-bank`` and ``mock-platform``
run; tests start them in-process the same way.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol

import grpc
from google.protobuf.descriptor import ServiceDescriptor
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio

from certs import PeerChecker
from coloan.v1 import credit_pb2, events_pb2
from gateway.errors import StartupError
from gateway.mock._bank import MockBank
from gateway.mock._book import LoanBook
from gateway.mock._config import MockConfig
from gateway.mock._events import BorrowerTokens, GatewaySink, Publisher
from gateway.mock._platform import EventLedger, MockPlatform
from gateway.sdk import (
    FieldDecryptor,
    PartnerChannel,
    SigningInterceptor,
    add_gateway_only_servicer,
    server_credentials,
)

CREDIT = credit_pb2.DESCRIPTOR.services_by_name["CreditService"]
EVENTS = events_pb2.DESCRIPTOR.services_by_name["LoanEventService"]
Say = Callable[[str], None]


class MockServer:
    """One partner's upstream server; create it inside the event loop that will run it."""

    def __init__(self, config: MockConfig, servicer: object, service: ServiceDescriptor) -> None:
        self._config, self._service = config, service.full_name
        self._server = grpc.aio.server()
        add_gateway_only_servicer(self._server, servicer, service, own_key=config.own_key(),
                                  gateway_keys=config.gateway_public_keys(), peers=PeerChecker(config.pki_dir))
        self.health = health_aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self._server)

    async def start(self) -> int:
        port: int = self._server.add_secure_port(self._config.listen,
                                                 server_credentials(self._config.pki_dir, self._config.name))
        if port == 0:
            raise StartupError(f"{self._config.source}: mock.listen: cannot bind {self._config.listen}; "
                               "fix: choose a free address")
        await self._server.start()
        for name in ("", self._service):
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        return port

    async def stop(self, grace: float) -> None:
        await self.health.enter_graceful_shutdown()
        await self._server.stop(grace)


class MockApp(Protocol):
    """A mock partner as a process runs it."""

    service: str

    async def start(self) -> int: ...

    async def stop(self, grace: float) -> None: ...

    def stats(self) -> dict[str, Any]: ...


def gateway_channel(config: MockConfig) -> PartnerChannel:
    """The partner's SDK channel to the gateway: its certificate, its signing key, the gateway's keys."""
    signer = SigningInterceptor(config.own_key(), config.gateway_public_keys())
    return PartnerChannel(config.pki_dir, config.name, config.gateway, interceptors=[signer])


class BankApp:
    """The mock bank: ``CreditService`` behind the gateway, publishing events to the platform through it."""

    service = CREDIT.full_name

    def __init__(self, config: MockConfig, *, say: Say = lambda _: None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        if config.token_key is None:
            raise StartupError(f"{config.source}: mock.token_key: a bank needs one; fix: point it at a key file")
        self.channel = gateway_channel(config)
        self.publisher = Publisher(GatewaySink(self.channel), report=say)
        self.book = LoanBook(now)
        decryptor = FieldDecryptor(config.key_material.read_bytes(), config.audience)
        self.bank = MockBank(self.book, decryptor, BorrowerTokens(config.token_key.read_bytes()), self.publisher,
                             apr_cap_bps=config.apr_cap_bps, now=now)
        self.server = MockServer(config, self.bank, CREDIT)

    async def start(self) -> int:
        self.publisher.start()
        return await self.server.start()

    async def stop(self, grace: float) -> None:
        await self.server.stop(grace)
        await self.publisher.close()
        await self.channel.close()

    def stats(self) -> dict[str, Any]:
        return {"served": dict(self.bank.served), "loans": len(self.book),
                "events_delivered": dict(self.publisher.delivered), "events_failed": dict(self.publisher.failed)}


class PlatformApp:
    """The mock platform: ``LoanEventService`` behind the gateway, recording every event it receives."""

    service = EVENTS.full_name

    def __init__(self, config: MockConfig) -> None:
        self.ledger = EventLedger(config.record)
        self.platform = MockPlatform(self.ledger)
        self.server = MockServer(config, self.platform, EVENTS)

    async def start(self) -> int:
        return await self.server.start()

    async def stop(self, grace: float) -> None:
        await self.server.stop(grace)
        self.ledger.close()

    def stats(self) -> dict[str, Any]:
        return {"received": dict(self.ledger.received), "duplicates": self.ledger.duplicates}


async def run(app: MockApp, name: str, grace: float, say: Say,
              work: Callable[[], Awaitable[int]] | None = None) -> int:
    """Serve until SIGTERM/SIGINT (or until ``work`` returns its exit code), then stop and report the stats."""
    stop, loop = asyncio.Event(), asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    port = await app.start()
    say(f"coloan-gw {name}: serving {app.service} on port {port}")
    code = 0
    try:
        if work is None:
            await stop.wait()
        else:
            code = await _until(work(), stop)
    finally:
        await app.stop(grace)
        say(f"coloan-gw {name}: stats {json.dumps(app.stats(), sort_keys=True)}")
    return code


async def _until(work: Awaitable[int], stop: asyncio.Event) -> int:
    """``work``'s result, or 130 if a signal came first (the work is cancelled)."""
    task, stopped = asyncio.ensure_future(work), asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    for pending in (task, stopped):
        pending.cancel()
    await asyncio.gather(task, stopped, return_exceptions=True)
    return task.result() if task in done else 130
