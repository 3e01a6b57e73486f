"""Compiling and applying plans: nesting, repetition, maps, oneofs, well-known types, fail closed, receipts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from masking_support import Schema

from coloan.policy.v1 import options_pb2 as opts
from coloan.v1 import borrower_pb2, credit_pb2
from masking import Decision, Decryptor, Engine, Keyring, MessageError, Plan, Receipt, SchemaError

F = "(coloan.policy.v1.field)"
BODY = f"""
message Leaf {{
  string mobile = 1 [{F} = {{data_class: C2 semantic: MOBILE
    rules: [{{audience: BANK encrypt: {{}}}}, {{audience: PLATFORM keep: {{}}}},
            {{audience: LOG mask: {{preset: MASK_MOBILE}}}}]}}];
}}
message Tree {{
  string label = 1 [{F} = {{data_class: C2 semantic: FREE_TEXT rules: [{{audience: BANK keep: {{}}}}]}}];
  repeated Tree children = 2;
}}
message Req {{
  repeated string names = 1 [{F} = {{data_class: C2 semantic: PERSON_NAME
    rules: [{{audience: BANK keep: {{}}}}, {{audience: LOG mask: {{preset: MASK_NAME}}}}]}}];
  map<int32, string> notes = 2 [{F} = {{data_class: C2 semantic: FREE_TEXT rules: [{{audience: BANK encrypt: {{}}}}]}}];
  map<int64, Leaf> leaves = 3;
  repeated Leaf leaf_list = 4;
  oneof contact {{
    string email = 5 [{F} = {{data_class: C2 semantic: EMAIL rules: [{{audience: LOG mask: {{preset: MASK_EMAIL}}}}]}}];
    string phone = 6 [{F} = {{data_class: C2 semantic: MOBILE
      rules: [{{audience: LOG mask: {{preset: MASK_MOBILE}}}}]}}];
    Leaf leaf = 7;
  }}
  google.protobuf.Timestamp seen_at = 8 [{F} = {{data_class: C1 semantic: TIMESTAMP
    rules: [{{audience: BANK keep: {{}}}}, {{audience: LOG generalize: {{kind: GEN_DATE_MONTH}}}}]}}];
  google.protobuf.StringValue nickname = 9 [{F} = {{data_class: C2 semantic: PERSON_NAME
    rules: [{{audience: BANK token: {{}}}}, {{audience: LOG mask: {{preset: MASK_NAME}}}}]}}];
  optional int64 income = 10 [{F} = {{data_class: C2 semantic: MONEY
    rules: [{{audience: LOG generalize: {{kind: GEN_BUCKET width: 1000}}}}]}}];
  bytes blob = 11 [{F} = {{data_class: C2 semantic: FREE_TEXT rules: [{{audience: BANK encrypt: {{cipher: SM4}}}},
    {{audience: LOG token: {{hmac: HMAC_SM3}}}}]}}];
  repeated google.protobuf.Timestamp stamps = 12 [{F} = {{data_class: C1 semantic: TIMESTAMP
    rules: [{{audience: LOG generalize: {{kind: GEN_DATE_YEAR}}}}]}}];
  Tree tree = 13;
  string code = 14 [{F} = {{data_class: PUBLIC semantic: CODE}}];
  int32 plain_count = 15;
}}
"""


@pytest.fixture
def req(schema: Callable[[str], Schema]) -> Schema:
    return schema(BODY)


def _ts(y: int, m: int, d: int) -> int:
    return int(datetime(y, m, d, 12, tzinfo=UTC).timestamp())


def _sample(s: Schema) -> Any:
    Req, Leaf, Tree = s.cls("Req"), s.cls("Leaf"), s.cls("Tree")
    msg = Req(names=["张三", "欧阳娜娜"], notes={7: "note seven"}, leaf_list=[Leaf(mobile="13812345678")],
              phone="13912345678", income=123456, blob=b"\x01secret", code="C1", plain_count=3,
              tree=Tree(label="root", children=[Tree(label="kid", children=[Tree(label="grandkid")])]))
    msg.leaves[42].mobile = "13700001111"
    msg.seen_at.seconds = _ts(2026, 11, 17)
    msg.stamps.add(seconds=_ts(2025, 3, 4))
    msg.nickname.value = "王小明"
    return msg


def test_log_plan_transforms_every_shape_and_the_receipt_names_each_path(req: Schema, keyring: Keyring) -> None:
    msg = _sample(req)
    receipt = req.engine(keyring).plan("masktest.v1.Req", opts.LOG).apply(msg)
    assert list(msg.names) == ["张*", "欧阳**"]
    assert msg.leaf_list[0].mobile == "138****5678" and msg.leaves[42].mobile == "137****1111"
    assert msg.phone == "139****5678" and msg.WhichOneof("contact") == "phone"
    assert msg.seen_at.ToDatetime(UTC) == datetime(2026, 11, 1, tzinfo=UTC)
    assert msg.stamps[0].ToDatetime(UTC) == datetime(2025, 1, 1, tzinfo=UTC)
    assert msg.nickname.value == "王**" and msg.income == 123000 and msg.HasField("income")
    assert msg.blob.startswith(b"tok_") and msg.code == "C1" and msg.plain_count == 3
    assert not msg.notes and not msg.tree.label and not msg.tree.children[0].children[0].label
    assert {d.path: d.action for d in receipt} == {
        "names[0]": "mask", "names[1]": "mask", "notes": "drop", "leaves[42].mobile": "mask",
        "leaf_list[0].mobile": "mask", "phone": "mask", "seen_at": "generalize", "nickname": "mask",
        "income": "generalize", "blob": "token", "stamps[0]": "generalize", "tree.label": "drop",
        "tree.children[0].label": "drop", "tree.children[0].children[0].label": "drop"}
    assert receipt.counts() == {"mask": 6, "drop": 4, "generalize": 3, "token": 1}


def test_bank_plan_encrypts_bound_to_the_exact_path_and_recurses(req: Schema, keyring: Keyring) -> None:
    msg = _sample(req)
    receipt = req.engine(keyring).plan("masktest.v1.Req", opts.BANK).apply(msg)
    d = Decryptor(keyring.export(opts.BANK), opts.BANK)
    assert d.decrypt(msg.notes[7], "masktest.v1.Req", "notes[7]") == "note seven"
    assert d.decrypt(msg.leaves[42].mobile, "masktest.v1.Req", "leaves[42].mobile") == "13700001111"
    assert d.decrypt(msg.blob, "masktest.v1.Req", "blob") == b"\x01secret"
    assert msg.blob.startswith(b"enc1:SM4GCM:1:")
    assert msg.nickname.value.startswith("tok_")
    assert msg.tree.children[0].children[0].label == "grandkid"  # recursive type, kept for BANK
    assert not msg.phone and not msg.HasField("income")  # no BANK rule: dropped
    assert ("phone", "drop", None) in set(receipt) and ("blob", "encrypt", "encrypt-bank:1") in set(receipt)


def test_only_the_set_member_of_a_oneof_is_touched(req: Schema, keyring: Keyring) -> None:
    Req, Leaf = req.cls("Req"), req.cls("Leaf")
    plan = req.engine(keyring).plan("masktest.v1.Req", opts.LOG)
    msg = Req(leaf=Leaf(mobile="13812345678"))
    assert [d.path for d in plan.apply(msg)] == ["leaf.mobile"]
    assert msg.WhichOneof("contact") == "leaf"
    msg = Req(email="zhangsan@example.com")
    assert [d.path for d in plan.apply(msg)] == ["email"] and msg.email == "z*******@example.com"


def test_unknown_fields_are_dropped_at_every_depth(engine: Engine) -> None:
    app = credit_pb2.LoanApplication(application_id="A1")
    app.profile.full_name = "张三"
    smuggled = app.SerializeToString() + b"\x9a\x06\x0513812"  # field 99, length-delimited
    profile = borrower_pb2.BorrowerProfile(full_name="李四").SerializeToString() + b"\xa0\x06\x01"
    msg = credit_pb2.LoanApplication.FromString(smuggled + b"\x12" + bytes([len(profile)]) + profile)
    engine.plan(msg.DESCRIPTOR, opts.PLATFORM).apply(msg)
    assert b"13812" not in msg.SerializeToString() and b"\xa0\x06" not in msg.SerializeToString()


def test_plans_are_cached_and_immutable(engine: Engine) -> None:
    plan = engine.plan("coloan.v1.LoanApplication", opts.LOG)
    assert engine.plan(credit_pb2.LoanApplication.DESCRIPTOR, opts.LOG) is plan
    with pytest.raises(AttributeError):
        plan.audience = opts.BANK  # type: ignore[misc]


def test_warm_builds_every_plan_of_the_shipped_services(keyring: Keyring) -> None:
    engine = Engine(keyring)
    assert engine.warm() == 17 * 3
    assert engine.warm() == 17 * 3


def test_the_hot_path_does_not_read_options_again(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = engine.plan("coloan.v1.LoanApplication", opts.LOG)
    import masking._options as options

    def boom(*_: object) -> None:
        raise AssertionError("options read on the hot path")

    monkeypatch.setattr(options, "field_policy", boom)
    monkeypatch.setattr(options, "fields", boom)
    app = credit_pb2.LoanApplication()
    app.profile.full_name = "张三"
    plan.apply(app)
    assert app.profile.full_name == "张*"


def test_masked_leaves_the_original_alone(engine: Engine) -> None:
    app = credit_pb2.LoanApplication()
    app.profile.mobile = "13812345678"
    copy, receipt = engine.plan("coloan.v1.LoanApplication", opts.LOG).masked(app)
    assert app.profile.mobile == "13812345678" and copy.profile.mobile == "138****5678"  # type: ignore[attr-defined]
    assert list(receipt) == [Decision("profile.mobile", "mask", None)]


def test_a_plan_refuses_a_message_of_another_type(engine: Engine) -> None:
    with pytest.raises(MessageError, match=r"coloan.v1.Loan was given to the plan of coloan.v1.LoanApplication"):
        engine.plan("coloan.v1.LoanApplication", opts.LOG).apply(credit_pb2.Loan())


def test_receipt_is_immutable_and_holds_no_values(engine: Engine) -> None:
    app = credit_pb2.LoanApplication()
    app.profile.full_name, app.profile.resident_id = "欧阳娜娜", "11010519900307123X"
    receipt = engine.plan("coloan.v1.LoanApplication", opts.BANK).apply(app)
    assert isinstance(receipt, Receipt) and len(receipt) == 1
    assert "11010519900307123X" not in repr(receipt) and "欧阳" not in repr(receipt)
    with pytest.raises(AttributeError):
        receipt._decisions = ()  # type: ignore[misc]


def test_an_unclassified_string_refuses_to_compile_naming_field_and_fix(
        schema: Callable[[str], Schema], keyring: Keyring) -> None:
    s = schema("message Inner { string note = 1; } message Req { Inner inner = 1; }")
    engine = s.engine(keyring)
    with pytest.raises(SchemaError) as info:
        engine.plan("masktest.v1.Req", opts.BANK)
    assert str(info.value).startswith("masktest.v1.Inner.note: string/bytes field has no data class; fix: annotate")
    with pytest.raises(SchemaError) as again:
        engine.plan("masktest.v1.Req", opts.LOG)
    assert again.value.problems == info.value.problems
    with pytest.raises(SchemaError):
        engine.warm()


def test_a_plan_that_would_release_c3_refuses_to_compile(schema: Callable[[str], Schema], keyring: Keyring) -> None:
    s = schema(f"""message Req {{ string otp = 1 [{F} = {{data_class: C3 semantic: SECRET
        rules: [{{audience: LOG token: {{}}}}]}}]; }}""")
    with pytest.raises(SchemaError, match=r"masktest.v1.Req.otp: C3 data must never leave"):
        s.engine(keyring).plan("masktest.v1.Req", opts.BANK)


def test_compiler_and_lint_are_one_implementation(schema: Callable[[str], Schema], keyring: Keyring) -> None:
    from masking import lint

    s = schema(f"""message Req {{ string a = 1; bytes b = 2 [{F} = {{data_class: C2 semantic: FREE_TEXT
        rules: [{{audience: LOG mask: {{keep_first: 1}}}}]}}]; map<string, Req> m = 3; }}""")
    with pytest.raises(SchemaError) as info:
        s.engine(keyring).plan("masktest.v1.Req", opts.LOG)
    assert list(info.value.problems) == lint(s.services)
    assert len(info.value.problems) == 3


def test_failures_are_cached(
        schema: Callable[[str], Schema], keyring: Keyring, monkeypatch: pytest.MonkeyPatch) -> None:
    s = schema("message Req { string note = 1; }")
    engine = s.engine(keyring)
    with pytest.raises(SchemaError):
        engine.plan("masktest.v1.Req", opts.LOG)
    monkeypatch.setattr("masking._plan.check_field", lambda f: [])
    with pytest.raises(SchemaError):
        engine.plan("masktest.v1.Req", opts.LOG)


def test_an_unknown_type_name_is_a_schema_error(engine: Engine) -> None:
    with pytest.raises(SchemaError, match=r"coloan.v1.Nope: no such message type"):
        engine.plan("coloan.v1.Nope", opts.LOG)


def test_explain_rows_cover_every_leaf_field(engine: Engine) -> None:
    plan: Plan = engine.plan("coloan.v1.Disbursement", opts.LOG)
    rows = {r.path: r for r in plan.rows}
    assert rows["disbursement_card"].action == "token fpe 6+4" and rows["disbursement_card"].key == "join:1"
    assert rows["schedule[].due_at"].data_class == "PUBLIC"
    assert rows["contract.sha256"].semantic == "DIGEST"


def test_plans_are_safe_to_share_between_threads(engine: Engine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from gateway.fake import CoLendingFaker

    f = CoLendingFaker(3)
    records = [f.drawdown() for _ in range(200)]
    plan = engine.plan("coloan.v1.DrawdownRequest", opts.LOG)  # FF1 and HMAC on every record
    expected = [plan.masked(r)[0].SerializeToString() for r in records]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda r: plan.masked(r)[0].SerializeToString(), records * 4))
    assert got == expected * 4


def test_any_is_refused_at_compile_time(schema: Callable[[str], Schema], keyring: Keyring) -> None:
    s = schema('import "google/protobuf/any.proto"; message Req { google.protobuf.Any payload = 1; }')
    with pytest.raises(SchemaError, match=r"masktest\.v1\.Req\.payload: google\.protobuf\.Any cannot be classified"):
        s.engine(keyring).plan("masktest.v1.Req", opts.BANK)


def test_compilation_error_is_the_one_schema_error_type() -> None:
    from masking import CompilationError

    assert CompilationError is SchemaError
