from __future__ import annotations

import pytest

from gateway.validation import luhn_check_digit, luhn_ok, resident_id_check_char, resident_id_checksum_ok
from gateway.validation._ids import (
    bank_card_format_ok,
    email_format_ok,
    mobile_format_ok,
    resident_id_birth_date,
    resident_id_is_male,
)


@pytest.mark.parametrize(
    ("first17", "check"),
    [("11010519491231002", "X"), ("44052418800101001", "4")],
)
def test_resident_id_check_char_follows_gb11643(first17: str, check: str) -> None:
    assert resident_id_check_char(first17) == check
    assert resident_id_checksum_ok(first17 + check)


def test_resident_id_with_wrong_check_char_fails() -> None:
    assert not resident_id_checksum_ok("110105194912310021")
    assert not resident_id_checksum_ok("11010519491231002")  # too short


def test_resident_id_encodes_birth_date_and_gender() -> None:
    rid = "11010519491231002X"
    assert str(resident_id_birth_date(rid)) == "1949-12-31"
    assert not resident_id_is_male(rid)  # digit 17 is 2, even
    assert resident_id_birth_date("110105194913310021") is None


@pytest.mark.parametrize(("partial", "digit"), [("7992739871", "3"), ("411111111111111", "1")])
def test_luhn_check_digit(partial: str, digit: str) -> None:
    assert luhn_check_digit(partial) == digit
    assert luhn_ok(partial + digit)
    assert not luhn_ok(partial + str((int(digit) + 1) % 10))


def test_formats() -> None:
    assert mobile_format_ok("13812345678")
    assert not mobile_format_ok("12812345678")
    assert not mobile_format_ok("1381234567")
    assert bank_card_format_ok("6222020200112345678")
    assert not bank_card_format_ok("6222")
    assert email_format_ok("zhang.wei@example.cn")
    assert not email_format_ok("zhang.wei#example.cn")
