"""Compile small test-only protos into descriptor sets, as a partner's build would."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
from grpc_tools import protoc

PROTO_ROOT = Path(__file__).resolve().parents[2] / "proto"

HEADER = """syntax = "proto3";
package lintcase.v1;
import "coloan/policy/v1/options.proto";
"""

SERVICE = """
service Svc {
  option (coloan.policy.v1.service) = {served_by: ROLE_BANK};
  rpc Call(Req) returns (Resp) { option (coloan.policy.v1.method) = {allowed_roles: [ROLE_PLATFORM]}; }
}
message Resp {}
"""


@pytest.fixture
def descriptor_set(tmp_path: Path) -> Callable[[str], Path]:
    """Compile ``body`` (messages, plus the default service unless it declares one) to a descriptor set."""

    def build(body: str) -> Path:
        src = tmp_path / "lintcase.proto"
        src.write_text(HEADER + body + ("" if "service " in body else SERVICE))
        out = tmp_path / "lintcase.pb"
        include = resources.files("grpc_tools") / "_proto"
        args = ["protoc", f"-I{tmp_path}", f"-I{PROTO_ROOT}", f"-I{include}", "--include_imports",
                f"--descriptor_set_out={out}", str(src)]
        assert protoc.main(args) == 0, "test proto does not compile"
        return out

    return build
