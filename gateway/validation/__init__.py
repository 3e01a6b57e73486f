"""Validation of co-lending messages: schema ``required`` marks plus business rules.

One validator returns structured violations (field path, stable rule id, a message
that never contains the value), so the gateway can answer with
``google.rpc.BadRequest`` field violations and testers can assert which rule broke.
"""

from __future__ import annotations

from gateway.validation._ids import (
    luhn_check_digit,
    luhn_ok,
    resident_id_check_char,
    resident_id_checksum_ok,
)
from gateway.validation._model import ValidationPolicy, Violation
from gateway.validation._validator import Validator

__all__ = [
    "ValidationPolicy",
    "Validator",
    "Violation",
    "luhn_check_digit",
    "luhn_ok",
    "resident_id_check_char",
    "resident_id_checksum_ok",
]
