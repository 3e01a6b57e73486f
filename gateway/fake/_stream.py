"""Streams of generated records, valid or broken on purpose, written as they are made."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from google.protobuf import json_format
from google.protobuf.message import Message

from gateway.fake._invalid import MUTATIONS, Mutation
from gateway.fake._records import CoLendingFaker

KINDS: dict[str, Callable[[CoLendingFaker], Message]] = {
    "applications": CoLendingFaker.application,
    "profiles": CoLendingFaker.profile,
    "decisions": CoLendingFaker.decision,
    "drawdowns": CoLendingFaker.drawdown,
    "disbursements": CoLendingFaker.disbursement,
    "repayments": CoLendingFaker.repayment,
    "loan-statuses": CoLendingFaker.loan_status,
    "risk-alerts": CoLendingFaker.risk_alert,
}


@dataclass(frozen=True)
class Generated:
    """One record and, when it was broken on purpose, the mutation that broke it."""

    index: int
    message: Message
    broken: Mutation | None

    def expectation(self) -> dict[str, object]:
        if self.broken is None:
            return {"index": self.index, "valid": True}
        return {"index": self.index, "valid": False, "rule": self.broken.rule, "field": self.broken.field}


def generate(kind: str, n: int, fake: CoLendingFaker, invalid_ratio: float = 0.0) -> Iterator[Generated]:
    """``n`` records of ``kind``; a share ``invalid_ratio`` of them each break exactly one rule."""
    build, mutations = KINDS[kind], MUTATIONS[kind]
    for i in range(n):
        message = build(fake)
        broken = fake.random.choice(mutations) if fake.random.random() < invalid_ratio else None
        if broken is not None:
            broken.apply(message, fake)
        yield Generated(i, message, broken)


def write_jsonl(message: Message, out: IO[bytes]) -> None:
    """One line of protobuf's JSON mapping, compact, UTF-8."""
    doc = json_format.MessageToDict(message, preserving_proto_field_name=True)
    out.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")


def write_delimited(message: Message, out: IO[bytes]) -> None:
    """Length-delimited binary: a base-128 varint length, then the deterministic serialization."""
    data = message.SerializeToString(deterministic=True)
    n, prefix = len(data), bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        prefix.append(low | (0x80 if n else 0))
        if not n:
            break
    out.write(bytes(prefix) + data)


def read_delimited(data: bytes) -> Iterator[bytes]:
    """The records of a length-delimited stream (the inverse of ``write_delimited``)."""
    pos = 0
    while pos < len(data):
        size = shift = 0
        while True:
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        yield data[pos:pos + size]
        pos += size


FORMATS: dict[str, Callable[[Message, IO[bytes]], None]] = {"jsonl": write_jsonl, "binary": write_delimited}
