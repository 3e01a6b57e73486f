"""Realistic, reproducible Chinese borrower records for testers, valid or broken on purpose.

Built on Faker's zh_CN locale: resident IDs whose area, birth date and gender digit
match the profile and whose check character is valid, mobiles with real carrier
prefixes, 62-prefixed Luhn-valid UnionPay cards, consistent province/city/district.
"""

from __future__ import annotations

from gateway.fake._amortize import amortize
from gateway.fake._invalid import MUTATIONS, Mutation
from gateway.fake._provider import CoLendingProvider
from gateway.fake._records import CoLendingFaker, today_utc
from gateway.fake._stream import FORMATS, KINDS, Generated, generate, read_delimited

__all__ = [
    "FORMATS",
    "KINDS",
    "MUTATIONS",
    "CoLendingFaker",
    "CoLendingProvider",
    "Generated",
    "Mutation",
    "amortize",
    "generate",
    "read_delimited",
    "today_utc",
]
