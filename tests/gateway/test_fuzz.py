"""Fuzzing the raw request path of a running gateway: malformed, mutated and oversized inputs, wrong and huge
metadata. Every input is answered with a status, none is an unforeseen failure, and the gateway stays healthy."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from harness import Deployment
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway._workspace import Workspace
from gateway.fake import CoLendingFaker
from gateway.sdk import channel_credentials

pytestmark = pytest.mark.integration
ASSESS = "/coloan.v1.CreditService/AssessCredit"
FUZZ = settings(max_examples=250, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
CODES: Counter[str] = Counter()


@pytest.fixture(scope="module")
def dep(ws: Workspace) -> Iterator[Deployment]:
    deployment = Deployment(ws).start()
    yield deployment
    health = deployment.run(_health(deployment))
    deployment.stop()
    assert health == health_pb2.HealthCheckResponse.SERVING
    statuses = Counter(line["status"] for line in deployment.access_log())
    print(f"fuzz inputs answered: {sum(CODES.values())}, by status: {dict(CODES)}")
    assert statuses["INTERNAL"] == 0  # no input reached an unforeseen failure in the gateway


async def _health(dep: Deployment) -> int:
    async with grpc.aio.secure_channel(dep.target, channel_credentials(dep.credentials("ops"))) as ch:
        return int((await health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest())).status)


def _send(dep: Deployment, body: bytes, metadata: list[tuple[str, str]]) -> grpc.StatusCode:
    try:
        dep.raw(ASSESS, body, metadata, timeout=10)
        code = grpc.StatusCode.OK
    except grpc.aio.AioRpcError as exc:
        code = exc.code()
    CODES[code.name] += 1
    assert code not in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED)
    return code


@FUZZ
@given(body=st.binary(max_size=2_048))
def test_random_signed_bytes(dep: Deployment, body: bytes) -> None:
    code = _send(dep, body, dep.signed(ASSESS, body))
    assert code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION)


def _mutations(seed: int, n: int) -> Iterator[bytes]:
    rng, fake = random.Random(seed), CoLendingFaker(seed)
    for i in range(n):
        body = bytearray(fake.application().SerializeToString())
        kind = i % 4
        if kind == 0:
            del body[rng.randrange(len(body)):]
        elif kind == 1:
            for _ in range(rng.randint(1, 8)):
                body[rng.randrange(len(body))] = rng.randrange(256)
        elif kind == 2:
            at = rng.randrange(len(body))
            body[at:at] = rng.randbytes(rng.randint(1, 64))
        else:
            body += b"\x0a" + bytes([0xFF, 0xFF, 0x03]) + b"x" * 65_535  # an oversized unknown field
        yield bytes(body)


def test_truncated_and_mutated_valid_messages(dep: Deployment) -> None:
    seen = Counter(_send(dep, body, dep.signed(ASSESS, body)).name for body in _mutations(11, 600))
    assert set(seen) <= {"OK", "INVALID_ARGUMENT", "FAILED_PRECONDITION"}
    assert seen["INVALID_ARGUMENT"] > 0


@FUZZ
@given(headers=st.lists(st.tuples(st.sampled_from(["x-coloan-key-id", "x-coloan-timestamp", "x-coloan-nonce",
                                                   "x-coloan-signature", "x-coloan-idempotency-key"]),
                                  st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E),
                                          min_size=1, max_size=200)), max_size=6))
def test_wrong_metadata(dep: Deployment, headers: list[tuple[str, str]]) -> None:
    body = CoLendingFaker(3).application().SerializeToString()
    signed = dict(dep.signed(ASSESS, body))
    for name, value in headers:
        signed[name] = value.strip() or "x"
    code = _send(dep, body, list(signed.items()))
    assert code in (grpc.StatusCode.OK, grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.INVALID_ARGUMENT)


def test_huge_and_oversized_inputs(dep: Deployment) -> None:
    body = CoLendingFaker(4).application().SerializeToString()
    huge = [*dep.signed(ASSESS, body), ("x-filler", "v" * 40_000)]  # past gRPC's hard metadata limit
    assert _send(dep, body, huge) != grpc.StatusCode.OK
    oversized = b"\x0a" + b"\xff\xff\xff\x02" + b"a" * (5 << 20)
    assert _send(dep, oversized, dep.signed(ASSESS, oversized)) == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert _send(dep, body, dep.signed(ASSESS, body)) == grpc.StatusCode.OK  # still serving
