"""Decryption for a partner: every field the masking engine encrypted for its audience opens, nothing else moves."""

from __future__ import annotations

import asyncio
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import message_factory
from grpc_tools import protoc

from coloan.policy.v1 import options_pb2 as opts
from coloan.v1 import credit_pb2_grpc
from gateway.sdk import FieldDecryptor, FieldNotDecrypted, decrypt_fields, idempotency_metadata
from masking import Engine, Keyring, descriptor_set_services

from .conftest import TIMEOUT, World, deployment

PROTO_ROOT = Path(__file__).resolve().parents[2] / "proto"
ENC = ('[(coloan.policy.v1.field) = {data_class: C2 semantic: FREE_TEXT rules: '
       '[{audience: BANK encrypt: {}}, {audience: PLATFORM keep: {}}, {audience: LOG drop: {}}]}]')
PUBLIC = "[(coloan.policy.v1.field) = {data_class: PUBLIC semantic: CODE}]"
SHAPES = f"""syntax = "proto3";
package sdkcase.v1;
import "coloan/policy/v1/options.proto";
import "google/protobuf/wrappers.proto";

message Contact {{
  string phone = 1 {ENC};
  string label = 2 {PUBLIC};
}}
message Shapes {{
  repeated string cards = 1 {ENC};
  map<int32, string> by_seq = 2 {ENC};
  map<bool, string> by_flag = 3 {ENC};
  google.protobuf.StringValue note = 4 {ENC};
  repeated Contact contacts = 5;
  map<int32, Contact> contact_by_seq = 6;
  Shapes next = 7;
  bytes blob = 8 {ENC};
  oneof pick {{
    string secret = 9 {ENC};
    string code = 10 {PUBLIC};
  }}
}}
service ShapeService {{
  option (coloan.policy.v1.service) = {{served_by: ROLE_BANK}};
  rpc Send(Shapes) returns (Contact) {{ option (coloan.policy.v1.method) = {{allowed_roles: [ROLE_PLATFORM]}}; }}
}}
"""


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.ephemeral()


@pytest.fixture
def bank(keyring: Keyring) -> FieldDecryptor:
    return FieldDecryptor(keyring.export(opts.BANK), opts.BANK)


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    """The ``Shapes`` message class and its services, compiled from a test-only proto as a partner's build would."""
    tmp = tmp_path_factory.mktemp("shapes")
    (tmp / "shapes.proto").write_text(SHAPES)
    include = resources.files("grpc_tools") / "_proto"
    out = tmp / "shapes.pb"
    assert protoc.main(["protoc", f"-I{tmp}", f"-I{PROTO_ROOT}", f"-I{include}", "--include_imports",
                        f"--descriptor_set_out={out}", str(tmp / "shapes.proto")]) == 0
    services = descriptor_set_services(out.read_bytes())
    desc = services[0].file.pool.FindMessageTypeByName("sdkcase.v1.Shapes")
    return message_factory.GetMessageClass(desc), services


def masked_for_bank(keyring: Keyring, message: Any, services: Any = None) -> Any:
    return Engine(keyring, services).plan(message.DESCRIPTOR, opts.BANK).masked(message)[0]


def test_application_fields_encrypted_for_the_bank_open_and_nothing_else_changes(
        world: World, keyring: Keyring, bank: FieldDecryptor) -> None:
    application = world.fake.application()
    masked = masked_for_bank(keyring, application)
    assert masked.profile.mobile.startswith("enc1:") and masked.profile.residential_address.street.startswith("enc1:")
    opened = bank.decrypt(masked)
    assert opened.profile.resident_id == application.profile.resident_id
    assert opened.profile.mobile == application.profile.mobile
    assert opened.profile.residential_address.street == application.profile.residential_address.street
    assert opened.profile.email == masked.profile.email != application.profile.email
    assert masked.profile.mobile.startswith("enc1:"), "the received message itself is left as it was"


def test_every_field_shape_opens_at_the_path_the_engine_bound(
        keyring: Keyring, bank: FieldDecryptor, shapes: tuple[Any, Any]) -> None:
    shape_class, services = shapes
    original = shape_class(cards=["6222 0000", "6222 1111", ""], blob=b"\x00\x01raw", secret="s3")
    original.by_seq.update({3: "three", 11: "eleven"})
    original.by_flag.update({True: "yes", False: "no"})
    original.note.value = "a note"
    original.contacts.add(phone="13800000000", label="home")
    original.contacts.add(phone="13900000000", label="work")
    original.contact_by_seq[2].phone = "13700000000"
    original.next.cards.append("nested card")
    original.next.next.note.value = "two deep"
    masked = masked_for_bank(keyring, original, services)
    assert masked.cards[1].startswith("enc1:") and masked.next.next.note.value.startswith("enc1:")
    assert masked.contacts[0].label == "home"
    assert bank.decrypt(masked) == original


def test_unset_and_empty_fields_stay_as_they_are(keyring: Keyring, bank: FieldDecryptor,
                                                 shapes: tuple[Any, Any]) -> None:
    shape_class, services = shapes
    original = shape_class(code="c-1")
    assert bank.decrypt(masked_for_bank(keyring, original, services)) == original


def test_ciphertext_moved_to_another_field_does_not_open_and_names_only_the_path(
        world: World, keyring: Keyring, bank: FieldDecryptor) -> None:
    masked = masked_for_bank(keyring, world.fake.application())
    masked.profile.mobile, masked.profile.resident_id = masked.profile.resident_id, masked.profile.mobile
    with pytest.raises(FieldNotDecrypted) as caught:
        bank.decrypt(masked)
    assert caught.value.path == "profile.resident_id"
    assert str(caught.value) == "coloan.v1.LoanApplication.profile.resident_id: ciphertext does not open"


def test_another_keyrings_key_does_not_open(world: World, keyring: Keyring) -> None:
    masked = masked_for_bank(keyring, world.fake.application())
    with pytest.raises(FieldNotDecrypted):
        FieldDecryptor(Keyring.ephemeral().export(opts.BANK), opts.BANK).decrypt(masked)


def test_ciphertexts_made_before_a_key_rotation_still_open(world: World, keyring: Keyring) -> None:
    application = world.fake.application()
    masked = masked_for_bank(keyring, application)
    rotated = keyring.rotate("encrypt-bank")
    newer = masked_for_bank(rotated, application)
    assert newer.profile.mobile.startswith("enc1:A256GCM:2:")
    material = rotated.export(opts.BANK)
    assert decrypt_fields(masked, opts.BANK, material) == decrypt_fields(newer, opts.BANK, material)


def test_bank_upstream_opens_the_card_the_gateway_encrypted_for_it(world: World) -> None:
    request = world.fake.drawdown()

    async def scenario() -> Any:
        async with deployment(world) as (channel, _, bank):
            await channel.stub(credit_pb2_grpc.CreditServiceStub).Drawdown(
                request, metadata=idempotency_metadata("dd-1"), timeout=TIMEOUT)
            return bank.requests[0]

    received = asyncio.run(scenario())
    assert received.disbursement_card == request.disbursement_card
    assert request.sms_otp and not received.sms_otp


def test_decryptor_for_another_audience_refuses_the_key_material(keyring: Keyring) -> None:
    from masking import KeyringError

    with pytest.raises(KeyringError):
        FieldDecryptor(keyring.export(opts.PLATFORM), opts.BANK)

