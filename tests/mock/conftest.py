"""Fixtures of the mock partner tests: a workspace made at test time and the three servers on loopback.

``loopback`` starts the real gateway, the mock bank and the mock platform in the test's
event loop (mTLS, signatures, masking as shipped) on free ports; tests ``asyncio.run``
a scenario inside it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from loopback import free_port

from coloan.v1 import credit_pb2_grpc
from gateway import _config
from gateway._server import Gateway
from gateway._workspace import Workspace, create
from gateway._workspace import write_config as write_gateway_config
from gateway.mock import BankApp, MockConfig, PlatformApp, gateway_channel, load, write_config
from gateway.sdk import PartnerChannel


def free_address() -> str:
    return f"127.0.0.1:{free_port()}"


@dataclass(frozen=True)
class Configs:
    ws: Workspace
    bank: MockConfig
    platform: MockConfig


@pytest.fixture(scope="module")
def configs(tmp_path_factory: pytest.TempPathFactory) -> Configs:
    ws = create(tmp_path_factory.mktemp("mock") / "ws")
    gateway, bank, platform = free_address(), free_address(), free_address()
    write_gateway_config(ws, listen=gateway, upstreams={"bank": bank, "platform": platform})
    return Configs(ws, load(write_config(ws, "bank", listen=bank, gateway=gateway)),
                   load(write_config(ws, "platform", listen=platform, gateway=gateway)))


@dataclass(frozen=True)
class Loopback:
    """The running deployment: the apps (to look inside), and the platform's SDK channel to the gateway."""

    configs: Configs
    bank: BankApp
    platform: PlatformApp
    channel: PartnerChannel

    def credit(self) -> credit_pb2_grpc.CreditServiceStub:
        return self.channel.stub(credit_pb2_grpc.CreditServiceStub)


@asynccontextmanager
async def loopback(configs: Configs) -> AsyncIterator[Loopback]:
    """Gateway, bank and platform serving on their configured addresses until the block ends."""
    gateway = Gateway(_config.load(configs.ws.config))
    bank, platform = BankApp(configs.bank), PlatformApp(configs.platform)
    await gateway.start()
    await platform.start()
    await bank.start()
    try:
        async with gateway_channel(configs.platform) as channel:
            yield Loopback(configs, bank, platform, channel)
    finally:
        await bank.stop(0)
        await gateway.stop(0)
        await platform.stop(0)


def ledger_path(configs: Configs) -> Path:
    assert configs.platform.record is not None
    return configs.platform.record
