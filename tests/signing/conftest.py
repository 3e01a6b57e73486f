"""Fixtures of the signing tests: fixed time, keys of both algorithms, a signed request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest

from gateway.signing import (
    Algorithm,
    ManualClock,
    MemoryNonceStore,
    PublicKeySet,
    RequestVerifier,
    SigningKey,
    sign_request,
)

NOW_MS = 1_780_000_000_000
WINDOW_MS = 60_000
METHOD = "/coloan.v1.CreditService/AssessCredit"
DRAWDOWN = "/coloan.v1.CreditService/Drawdown"
BODY = b"\n\x0bAPP-0000001\x12\x8a\x01" + bytes(range(256)) * 8
ALGORITHMS: tuple[Algorithm, ...] = ("ed25519", "ecdsa-p256")


@pytest.fixture
def clock() -> ManualClock:
    """Stopped at ``NOW_MS``; tests move it explicitly."""
    return ManualClock(NOW_MS)


@pytest.fixture
def store(clock: ManualClock) -> MemoryNonceStore:
    return MemoryNonceStore(clock=clock)


@pytest.fixture(params=ALGORITHMS)
def algorithm(request: pytest.FixtureRequest) -> Algorithm:
    return cast(Algorithm, request.param)


@pytest.fixture
def partner_key(algorithm: Algorithm) -> SigningKey:
    return SigningKey.generate("platform/20260601-1", algorithm)


@pytest.fixture
def gateway_key(algorithm: Algorithm) -> SigningKey:
    return SigningKey.generate("gateway/20260601-1", algorithm)


@pytest.fixture
def verifier(partner_key: SigningKey, clock: ManualClock, store: MemoryNonceStore) -> RequestVerifier:
    """The gateway's verifier for the platform, trusting ``partner_key`` only."""
    return RequestVerifier("platform", PublicKeySet.of(partner_key), window_ms=WINDOW_MS, replay=store, clock=clock)


@pytest.fixture
def sign(partner_key: SigningKey) -> Callable[..., dict[str, str]]:
    """``sign(body=BODY, method=METHOD, **kwargs)`` signs at ``NOW_MS`` with ``partner_key``."""

    def _sign(body: bytes = BODY, method: str = METHOD, **kwargs: Any) -> dict[str, str]:
        kwargs.setdefault("now_ms", NOW_MS)
        return sign_request(partner_key, method, body, **kwargs)

    return _sign
