"""Check digits and formats of Chinese identity and account numbers."""

from __future__ import annotations

import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_RESIDENT_ID = re.compile(r"[1-9]\d{16}[\dX]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_CARD = re.compile(r"\d{16,19}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 (ISO 7064 MOD 11-2) check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id_format_ok(value: str) -> bool:
    return _RESIDENT_ID.fullmatch(value) is not None


def resident_id_checksum_ok(value: str) -> bool:
    return resident_id_format_ok(value) and resident_id_check_char(value[:17]) == value[17]


def resident_id_birth_date(value: str) -> date | None:
    """The birth date encoded in digits 7-14, or None if they are not a date."""
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def resident_id_is_male(value: str) -> bool:
    """Digit 17 is odd for men and even for women."""
    return int(value[16]) % 2 == 1


def luhn_check_digit(partial: str) -> str:
    """The Luhn digit that completes ``partial`` (digits without their check digit)."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def luhn_ok(value: str) -> bool:
    return value.isdigit() and len(value) > 1 and luhn_check_digit(value[:-1]) == value[-1]


def bank_card_format_ok(value: str) -> bool:
    return _CARD.fullmatch(value) is not None


def mobile_format_ok(value: str) -> bool:
    return _MOBILE.fullmatch(value) is not None


def email_format_ok(value: str) -> bool:
    return _EMAIL.fullmatch(value) is not None
