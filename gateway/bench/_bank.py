"""The bench's bank: one process serving the same minimal ``CreditService`` on two mTLS ports.

``plain`` serves any client of the PKI without a countersignature check (for the direct
and pass-through modes, where nothing is signed); ``gated`` is the SDK's gateway-only
server (countersignature and peer verified, response signed) for the full mode. The
servicer decides from plain fields only and decrypts nothing, so its own work is the
same in every mode. Run as ``python -m gateway.bench._bank WORKSPACE``; it prints
``ready <plain port> <gated port>`` and serves until SIGTERM.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from typing import Any

import grpc

from certs import PeerChecker
from coloan.v1 import credit_pb2 as c
from coloan.v1 import credit_pb2_grpc
from gateway._workspace import Workspace
from gateway.sdk import add_gateway_only_servicer, server_credentials

CREDIT = c.DESCRIPTOR.services_by_name["CreditService"]


class BenchBank(credit_pb2_grpc.CreditServiceServicer):
    """Decides from the score band and the amount: a constant, small amount of work per call."""

    async def AssessCredit(self, request: c.LoanApplication, context: Any) -> c.CreditDecision:
        approve = request.profile.platform_credit_score >= 520
        return c.CreditDecision(
            application_id=request.application_id, decision_id=f"DEC-{request.application_id}",
            decision=c.DECISION_APPROVE if approve else c.DECISION_DECLINE,
            credit_line_fen=request.requested_amount_fen if approve else 0, apr_bps=1_800 if approve else 0,
            bank_internal_score=537, model_version="bench-1", decided_at=request.submitted_at)


async def _server(ws: Workspace, gated: bool) -> tuple[grpc.aio.Server, int]:
    server = grpc.aio.server()
    if gated:
        add_gateway_only_servicer(server, BenchBank(), CREDIT, own_key=ws.signing_key("bank"),
                                  gateway_keys=ws.public_keys("gateway"), peers=PeerChecker(ws.pki_dir))
    else:
        credit_pb2_grpc.add_CreditServiceServicer_to_server(BenchBank(), server)  # type: ignore[no-untyped-call]
    port: int = server.add_secure_port("127.0.0.1:0", server_credentials(ws.pki_dir, "bank"))
    await server.start()
    return server, port


async def serve(ws: Workspace) -> None:
    """Both servers until SIGTERM or SIGINT."""
    (plain, plain_port), (gated, gated_port) = await _server(ws, False), await _server(ws, True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    print(f"ready {plain_port} {gated_port}", flush=True)
    await stop.wait()
    await asyncio.gather(plain.stop(0), gated.stop(0))


if __name__ == "__main__":
    asyncio.run(serve(Workspace(Path(sys.argv[1]))))
