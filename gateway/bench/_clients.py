"""The platform's client in each mode, as one awaitable ``AssessCredit`` call.

``direct`` and ``passthrough``: a plain stub on an mTLS channel with the platform's
certificate; nothing is signed, since nothing on that path verifies. ``full`` and
``full-noaudit``: the partner SDK as a platform engineer uses it (``PartnerChannel`` and
``SigningInterceptor``: sign each request, verify each response).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import grpc

from certs import load_credentials
from coloan.v1 import credit_pb2 as c
from coloan.v1 import credit_pb2_grpc
from gateway._workspace import Workspace
from gateway.bench._model import SIGNED_MODES
from gateway.sdk import PartnerChannel, SigningInterceptor, channel_credentials

Assess = Callable[[c.LoanApplication], Awaitable[Any]]
TIMEOUT_S = 30.0


@asynccontextmanager
async def _plain(ws: Workspace, target: str) -> AsyncIterator[Assess]:
    creds = channel_credentials(load_credentials(ws.pki_dir, "platform"))
    async with grpc.aio.secure_channel(target, creds) as channel:
        stub = credit_pb2_grpc.CreditServiceStub(channel)  # type: ignore[no-untyped-call]
        yield lambda app: stub.AssessCredit(app, timeout=TIMEOUT_S)


@asynccontextmanager
async def _sdk(ws: Workspace, target: str) -> AsyncIterator[Assess]:
    signer = SigningInterceptor(ws.signing_key("platform"), ws.public_keys("gateway"))
    async with PartnerChannel(ws.pki_dir, "platform", target, interceptors=[signer]) as channel:
        stub = channel.stub(credit_pb2_grpc.CreditServiceStub)
        yield lambda app: stub.AssessCredit(app, timeout=TIMEOUT_S)


def client(ws: Workspace, mode: str, target: str) -> Any:
    """``async with client(...) as assess``: ``await assess(application)`` makes one call."""
    return _sdk(ws, target) if mode in SIGNED_MODES else _plain(ws, target)
