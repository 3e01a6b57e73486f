"""Golden vectors of the value transforms: mask, generalize, FF1, tokens."""

from __future__ import annotations

import hmac
from datetime import UTC, date, datetime
from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from masking_support import vectors

from coloan.policy.v1 import options_pb2 as opts
from masking._aead import derive
from masking._ff1 import FF1
from masking._generalize import STAMP_KINDS, generalizer
from masking._keyring import Key
from masking._mask import masker
from masking._token import Tokenizers

MASK = vectors("mask.json")["vectors"]
GENERALIZE = vectors("generalize.json")
TOKEN = vectors("token.json")
NIST = vectors("ff1_nist.json")["vectors"]
SM4 = vectors("ff1_sm4.json")["vectors"]


def _mask_rule(v: dict[str, Any]) -> opts.Mask:
    return opts.Mask(preset=opts.MaskPreset.Value(v.get("preset", "MASK_PRESET_UNSPECIFIED")),
                     keep_first=v.get("keep_first", 0), keep_last=v.get("keep_last", 0),
                     mask_char=v.get("mask_char", ""))


@pytest.mark.parametrize("v", MASK, ids=[f"{v.get('preset', 'explicit')}:{v['out']}" for v in MASK])
def test_mask_golden_vectors(v: dict[str, Any]) -> None:
    out = masker(_mask_rule(v))(v["in"])
    assert out == v["out"]
    assert len(out) == len(v["in"])


@pytest.mark.parametrize("v", GENERALIZE["vectors"], ids=[f"{v['kind']}:{v['in']}" for v in GENERALIZE["vectors"]])
def test_generalize_golden_vectors(v: dict[str, Any]) -> None:
    today = date.fromisoformat(GENERALIZE["today"])
    rule = opts.Generalize(kind=opts.GeneralizeKind.Value(v["kind"]), width=v.get("width", 0))
    assert generalizer(rule, lambda: today)(v["in"]) == v["out"]


@pytest.mark.parametrize(("kind", "expected"), [
    (opts.GEN_DATE_YEAR, datetime(2026, 1, 1, tzinfo=UTC)), (opts.GEN_DATE_MONTH, datetime(2026, 11, 1, tzinfo=UTC))])
def test_timestamps_generalize_to_the_first_instant_of_year_or_month(kind: int, expected: datetime) -> None:
    ts = Timestamp(seconds=int(datetime(2026, 11, 17, 8, 30, tzinfo=UTC).timestamp()), nanos=123)
    STAMP_KINDS[kind](ts)
    assert ts.ToDatetime(UTC) == expected and ts.nanos == 0


@pytest.mark.parametrize("v", NIST, ids=[f"sample{v['sample']}" for v in NIST])
def test_ff1_passes_the_nist_samples(v: dict[str, Any]) -> None:
    ff1 = FF1(bytes.fromhex(v["key"]), v["radix"])
    tweak = bytes.fromhex(v["tweak"])
    assert ff1.encrypt(v["pt"], tweak) == v["ct"]
    assert ff1.decrypt(v["ct"], tweak) == v["pt"]


@pytest.mark.parametrize("v", SM4)
def test_ff1_over_sm4_golden_vectors_and_round_trip(v: dict[str, Any]) -> None:
    ff1 = FF1(bytes.fromhex(v["key"]), 10, "SM4")
    tweak = bytes.fromhex(v["tweak"])
    assert ff1.encrypt(v["pt"], tweak) == v["ct"]
    assert ff1.decrypt(v["ct"], tweak) == v["pt"]


def test_ff1_refuses_a_domain_smaller_than_a_million() -> None:
    with pytest.raises(ValueError, match="too short"):
        FF1(bytes(16)).encrypt("12345")


def _tokenizers() -> Tokenizers:
    return Tokenizers(Key("join", 3, "2026-01-01T00:00:00Z", bytes.fromhex(TOKEN["join_key"])))


def _token_fn(t: Tokenizers, v: dict[str, Any]) -> Any:
    semantic = opts.SemanticType.Value(v["semantic"])
    if v["form"] == "opaque":
        return t.opaque(opts.Token(hmac=opts.HmacAlgorithm.Value(v["hmac"])), semantic)
    rule = opts.Token(form=opts.TOKEN_FORMAT_PRESERVING, cipher=opts.BlockCipher.Value(v["cipher"]),
                      keep_first=v["keep_first"], keep_last=v["keep_last"])
    return t.fpe(rule, semantic)


@pytest.mark.parametrize("v", TOKEN["vectors"], ids=[f"{v['form']}:{v['out']}" for v in TOKEN["vectors"]])
def test_token_golden_vectors(v: dict[str, Any]) -> None:
    assert _token_fn(_tokenizers(), v)(v["in"]) == v["out"]


def test_opaque_token_is_a_truncated_hmac_sha256_of_semantic_type_and_value() -> None:
    import base64

    key = derive(bytes.fromhex(TOKEN["join_key"]), "coloan token HMAC-SHA-256", 32)
    mac = hmac.digest(key, b"RESIDENT_ID\x0011010519900307123X", "sha256")
    expected = "tok_" + base64.b32encode(mac[:15]).decode().lower()
    assert _tokenizers().opaque(opts.Token(), opts.RESIDENT_ID)("11010519900307123X") == expected


def test_tokens_depend_on_the_join_key_and_the_semantic_type() -> None:
    other = Tokenizers(Key("join", 4, "x", bytes(32)))
    value = "11010519900307123X"
    a = _tokenizers().opaque(opts.Token(), opts.RESIDENT_ID)(value)
    assert other.opaque(opts.Token(), opts.RESIDENT_ID)(value) != a
    assert _tokenizers().opaque(opts.Token(), opts.OPAQUE_ID)(value) != a


def test_format_preserving_token_keeps_bin_last_four_and_length_and_decrypts_with_the_join_key() -> None:
    card = "6228480402564890018"
    rule = opts.Token(form=opts.TOKEN_FORMAT_PRESERVING, keep_first=6, keep_last=4)
    token = _tokenizers().fpe(rule, opts.BANK_CARD)(card)
    assert token[:6] == card[:6] and token[-4:] == card[-4:] and len(token) == len(card) and token.isdigit()
    assert token != card
    ff1 = FF1(derive(bytes.fromhex(TOKEN["join_key"]), "coloan token FF1-AES-256", 32))
    assert ff1.decrypt(token[6:-4], b"BANK_CARD\x00622848\x000018") == card[6:-4]
