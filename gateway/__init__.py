"""coloan-gateway: the mTLS gRPC gateway that brokers co-lending calls between a platform and a bank."""

from __future__ import annotations

__all__: list[str] = []
