"""Helpers of the masking tests: golden vectors, deterministic randomness, test-only schemas."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from google.protobuf import message_factory
from grpc_tools import protoc

from masking import Engine, Keyring, descriptor_set_services

VECTORS = Path(__file__).parent / "vectors"
PROTO_ROOT = Path(__file__).resolve().parents[2] / "proto"
TODAY = date(2026, 6, 1)

HEADER = """syntax = "proto3";
package masktest.v1;
import "coloan/policy/v1/options.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";
"""
SERVICE = """
service Svc {
  option (coloan.policy.v1.service) = {served_by: ROLE_BANK};
  rpc Call(Req) returns (Req) { option (coloan.policy.v1.method) = {allowed_roles: [ROLE_PLATFORM]}; }
}
"""


def vectors(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


def seeded(seed: int) -> Callable[[int], bytes]:
    """A deterministic stand-in for os.urandom."""
    return random.Random(seed).randbytes


class Schema:
    """A test schema compiled with protoc: its services and its message classes by short name."""

    def __init__(self, path: Path) -> None:
        self.services = descriptor_set_services(path.read_bytes())
        self.pool = self.services[0].file.pool

    def cls(self, name: str) -> Any:
        return message_factory.GetMessageClass(self.pool.FindMessageTypeByName(f"masktest.v1.{name}"))

    def engine(self, keyring: Keyring) -> Engine:
        return Engine(keyring, self.services, today=lambda: TODAY)


def compile_schema(body: str, tmp_path: Path) -> Schema:
    """Compile ``body`` (messages ``Req`` and others; a service on ``Req`` is added) into a Schema."""
    src = tmp_path / "masktest.proto"
    src.write_text(HEADER + body + SERVICE)
    out = tmp_path / "masktest.pb"
    include = resources.files("grpc_tools") / "_proto"
    args = ["protoc", f"-I{tmp_path}", f"-I{PROTO_ROOT}", f"-I{include}", "--include_imports",
            f"--descriptor_set_out={out}", str(src)]
    assert protoc.main(args) == 0, "test proto does not compile"
    return Schema(out)
