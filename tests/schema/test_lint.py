"""``coloan-gw schema lint``: passes on the shipped schemas, and names field and fix for each defect."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli import cli
from masking import descriptor_set_services, lint, shipped_services


def test_shipped_schemas_pass_and_every_field_is_explained() -> None:
    assert lint(shipped_services()) == []
    result = CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["schema", "lint"])
    assert result.exit_code == 0, result.output
    assert "coloan.v1.BorrowerProfile.resident_id" in result.output
    assert "ok: 2 services" in result.output


CASES = {
    "unclassified string": (
        "message Req { string note = 1; int64 amount = 2; }",
        "lintcase.v1.Req.note: string/bytes field has no data class"),
    "unclassified bytes in a nested message": (
        "message Inner { bytes blob = 1; } message Req { Inner inner = 1; }",
        "lintcase.v1.Inner.blob: string/bytes field has no data class"),
    "C3 released": (
        """message Req { string otp = 1 [(coloan.policy.v1.field) = {data_class: C3 semantic: SECRET
           rules: [{audience: BANK keep: {}}]}]; }""",
        "lintcase.v1.Req.otp: C3 data must never leave"),
    "C2 kept for LOG": (
        """message Req { string mobile = 1 [(coloan.policy.v1.field) = {data_class: C2 semantic: MOBILE
           rules: [{audience: LOG keep: {}}]}]; }""",
        "lintcase.v1.Req.mobile: C2 field kept in clear for LOG"),
    "unknown semantic type": (
        "message Req { string x = 1 [(coloan.policy.v1.field) = {data_class: C1}]; }",
        "lintcase.v1.Req.x: unknown semantic type 0"),
    "duplicate audience": (
        """message Req { string x = 1 [(coloan.policy.v1.field) = {data_class: C1 semantic: FREE_TEXT
           rules: [{audience: BANK keep: {}}, {audience: BANK drop: {}}]}]; }""",
        "lintcase.v1.Req.x: audience BANK has more than one rule"),
    "mask on a number": (
        """message Req { int64 x = 1 [(coloan.policy.v1.field) = {data_class: C1 semantic: MONEY
           rules: [{audience: BANK mask: {keep_first: 1}}]}]; }""",
        "lintcase.v1.Req.x: mask applies to string and bytes fields only"),
    "generalize without kind": (
        """message Req { int64 x = 1 [(coloan.policy.v1.field) = {data_class: C1 semantic: MONEY
           rules: [{audience: LOG generalize: {}}]}]; }""",
        "lintcase.v1.Req.x: generalize needs a known kind"),
    "rule without action": (
        """message Req { string x = 1 [(coloan.policy.v1.field) = {data_class: C1 semantic: FREE_TEXT
           rules: [{audience: BANK}]}]; }""",
        "lintcase.v1.Req.x: a rule has no action"),
    "method without roles": (
        """message Req {} message Resp {}
           service Svc { option (coloan.policy.v1.service) = {served_by: ROLE_BANK}; rpc Call(Req) returns (Resp); }""",
        "lintcase.v1.Svc.Call: method allows no caller role"),
    "service without served_by": (
        """message Req {} message Resp {}
           service Svc { rpc Call(Req) returns (Resp) {
             option (coloan.policy.v1.method) = {allowed_roles: [ROLE_PLATFORM]}; } }""",
        "lintcase.v1.Svc: service has no served_by role"),
    "Any": (
        'import "google/protobuf/any.proto"; message Req { google.protobuf.Any payload = 1; }',
        "lintcase.v1.Req.payload: google.protobuf.Any cannot be classified"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_defect_is_named_with_its_field_and_fix(case: str, descriptor_set: Callable[[str], Path]) -> None:
    body, expected = CASES[case]
    problems = lint(descriptor_set_services(descriptor_set(body).read_bytes()))
    assert len(problems) == 1, problems
    assert str(problems[0]).startswith(expected)
    assert "fix: " in str(problems[0])


def test_cli_exits_1_with_one_line_per_problem(descriptor_set: Callable[[str], Path]) -> None:
    path = descriptor_set("message Req { string a = 1; bytes b = 2; }")
    result = CliRunner().invoke(cli, ["schema", "lint", "-q", "--descriptor-set", str(path)])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert errors == [
        "error: lintcase.v1.Req.a: string/bytes field has no data class; fix: annotate it with "
        "[(coloan.policy.v1.field) = {data_class: ... semantic: ...}]",
        "error: lintcase.v1.Req.b: string/bytes field has no data class; fix: annotate it with "
        "[(coloan.policy.v1.field) = {data_class: ... semantic: ...}]",
    ]


def test_cli_reports_an_unreadable_descriptor_set_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_bytes(b"\xff\xff not a descriptor set")
    result = CliRunner().invoke(cli, ["schema", "lint", "--descriptor-set", str(bad)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "not a FileDescriptorSet" in result.output
