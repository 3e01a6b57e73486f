"""Proof that nothing leaks: over Faker records and generated messages of every annotated type,
no raw value a policy hides from an audience reaches that audience, its JSON or the receipt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from leak_support import hidden_values, released, texts, value_at
from masking_support import TODAY, seeded

from coloan.policy.v1 import options_pb2 as opts
from gateway.fake import CoLendingFaker
from masking import DecryptError, Decryptor, Engine, Keyring, Receipt, shipped_services

AUDIENCES = {"BANK": opts.BANK, "PLATFORM": opts.PLATFORM, "LOG": opts.LOG}
KINDS = ("application", "profile", "drawdown", "disbursement", "repayment", "loan_status", "risk_alert", "decision")
SETTINGS = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
KEYRING = Keyring.ephemeral(random=seeded(5))
ENGINE = Engine(KEYRING, today=lambda: TODAY)
FAKER = CoLendingFaker(20261203)


def assert_no_leak(msg: Message, audience: int) -> Receipt:
    """Mask a copy of ``msg`` and check every hidden raw value is absent from every output form."""
    hidden = hidden_values(msg, audience)
    out, receipt = ENGINE.plan(msg.DESCRIPTOR, audience).masked(msg)
    out_bytes, out_json = texts(out)
    receipt_text = repr(receipt) + " ".join(d.path for d in receipt)
    base_bytes, base_json = texts(released(msg, audience))
    gen_bytes, gen_json = texts(released(out, audience, ("generalize",)))
    for klass, value in hidden:
        if len(value.encode()) < 4 or value in base_json or value in gen_json or value.encode() in base_bytes:
            continue  # released verbatim through a kept field, or the generalization of itself
        where = f"{klass} value of {msg.DESCRIPTOR.full_name} for {opts.Audience.Name(audience)}"
        assert value.encode() not in out_bytes, f"{where} in the serialized output"
        assert value not in out_json, f"{where} in the JSON output"
        assert value not in receipt_text, f"{where} in the receipt"
    assert gen_bytes is not None
    return receipt


def _faker_record(kind: str, seed: int) -> Message:
    FAKER.random.seed(seed)
    return getattr(FAKER, kind)()  # type: ignore[no-any-return]


@pytest.mark.parametrize("audience", sorted(AUDIENCES))
@pytest.mark.parametrize("kind", KINDS)
def test_faker_records_leak_nothing_the_policy_hides(kind: str, audience: str) -> None:
    @SETTINGS
    @given(st.integers(min_value=0, max_value=2**32))
    def check(seed: int) -> None:
        assert_no_leak(_faker_record(kind, seed), AUDIENCES[audience])

    check()


def test_c3_values_never_appear_for_any_audience() -> None:
    for seed in range(300):
        drawdown = _faker_record("drawdown", seed)
        assert drawdown.sms_otp  # type: ignore[attr-defined]
        for audience in AUDIENCES.values():
            out, receipt = ENGINE.plan(drawdown.DESCRIPTOR, audience).masked(drawdown)
            assert not out.sms_otp  # type: ignore[attr-defined]
            assert ("sms_otp", "drop", None) in set(receipt)
            assert f'"{drawdown.sms_otp}"' not in texts(out)[1]  # type: ignore[attr-defined]


# Generated messages of every type the shipped services reach, with personal values in every string.
POOL: list[str] = []
for _seed in range(40):
    _p = _faker_record("profile", _seed)
    POOL += [_p.full_name, _p.resident_id, _p.mobile, _p.email, _p.device_id, _p.application_ip,  # type: ignore[attr-defined]
             _p.work_address, _p.residential_address.street, _p.residential_address.district]  # type: ignore[attr-defined]
    POOL.append(_faker_record("drawdown", _seed).disbursement_card)  # type: ignore[attr-defined]

INTS = {FieldDescriptor.TYPE_INT32: 2**31 - 1, FieldDescriptor.TYPE_INT64: 2**63 - 1}


def _scalar(draw: Callable[[Any], Any], fd: FieldDescriptor) -> Any:
    if fd.type == FieldDescriptor.TYPE_STRING:
        return draw(st.sampled_from(POOL) | st.text(max_size=12))
    if fd.type == FieldDescriptor.TYPE_BYTES:
        return draw(st.sampled_from(POOL).map(str.encode) | st.binary(max_size=12))
    if fd.type == FieldDescriptor.TYPE_ENUM:
        return draw(st.sampled_from([v.number for v in fd.enum_type.values]))  # type: ignore[union-attr]
    if fd.type == FieldDescriptor.TYPE_BOOL:
        return draw(st.booleans())
    bound = INTS.get(fd.type, 2**31 - 1)
    return draw(st.integers(-bound - 1, bound))


def _fill(draw: Callable[[Any], Any], msg: Message, depth: int) -> None:
    for fd in msg.DESCRIPTOR.fields:
        if not draw(st.booleans()):
            continue
        mt = fd.message_type
        if mt is not None and mt.GetOptions().map_entry:
            key_fd, value_fd = mt.fields_by_name["key"], mt.fields_by_name["value"]
            for _ in range(draw(st.integers(0, 3))):
                getattr(msg, fd.name)[_scalar(draw, key_fd)] = _scalar(draw, value_fd)
        elif mt is not None and mt.full_name == "google.protobuf.Timestamp":
            stamps = [getattr(msg, fd.name).add() for _ in range(2)] if fd.is_repeated else [getattr(msg, fd.name)]
            for ts in stamps:
                ts.seconds = draw(st.integers(0, 4_000_000_000))
        elif mt is not None and depth > 0:
            children = [getattr(msg, fd.name).add() for _ in range(draw(st.integers(1, 3)))] if fd.is_repeated \
                else [getattr(msg, fd.name)]
            for child in children:
                child.SetInParent()
                _fill(draw, child, depth - 1)
        elif mt is None and fd.is_repeated:
            getattr(msg, fd.name).extend(_scalar(draw, fd) for _ in range(draw(st.integers(0, 3))))
        elif mt is None:
            setattr(msg, fd.name, _scalar(draw, fd))


@st.composite
def messages(draw: Callable[[Any], Any], desc: Descriptor) -> Message:
    msg = message_factory.GetMessageClass(desc)()
    _fill(draw, msg, 3)
    return msg  # type: ignore[no-any-return]


ROOTS = list(dict.fromkeys(t for s in shipped_services() for m in s.methods for t in (m.input_type, m.output_type)))


@pytest.mark.parametrize("audience", sorted(AUDIENCES))
@pytest.mark.parametrize("desc", ROOTS, ids=[d.name for d in ROOTS])
def test_generated_messages_of_every_type_leak_nothing(desc: Descriptor, audience: str) -> None:
    @settings(SETTINGS, max_examples=40)
    @given(messages(desc))
    def check(msg: Message) -> None:
        assert_no_leak(msg, AUDIENCES[audience])

    check()


BANK = Decryptor(KEYRING.export(opts.BANK), opts.BANK)
LOG = Decryptor(KEYRING.export(opts.LOG), opts.LOG)


@SETTINGS
@given(st.sampled_from(["application", "drawdown", "profile"]), st.integers(0, 2**32))
def test_decrypt_round_trips_only_with_the_right_key_type_path_and_audience(kind: str, seed: int) -> None:
    msg = _faker_record(kind, seed)
    out, receipt = ENGINE.plan(msg.DESCRIPTOR, opts.BANK).masked(msg)
    sealed = [d for d in receipt if d.action == "encrypt"]
    assert sealed
    name = msg.DESCRIPTOR.full_name
    for d in sealed:
        ct = value_at(out, d.path)
        assert BANK.decrypt(ct, name, d.path) == value_at(msg, d.path)
        wrong = [(LOG, ct, name, d.path), (BANK, ct, name + "X", d.path), (BANK, ct, name, d.path + "x"),
                 (BANK, ct[:-1], name, d.path)]
        for decryptor, text, type_name, path in wrong:
            with pytest.raises(DecryptError):
                decryptor.decrypt(text, type_name, path)
    others = [d.path for d in sealed]
    if len(others) > 1:
        with pytest.raises(DecryptError):
            BANK.decrypt(value_at(out, others[0]), name, others[1])
