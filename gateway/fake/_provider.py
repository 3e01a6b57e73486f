"""A Faker provider for Chinese borrower identifiers that pass their real checks."""

from __future__ import annotations

from datetime import date

from faker.providers import BaseProvider

from gateway.fake._regions import CARD_BINS, MOBILE_PREFIXES, REGIONS, Region
from gateway.validation import luhn_check_digit, resident_id_check_char


class CoLendingProvider(BaseProvider):
    """Resident IDs matching a birth date and gender, carrier mobiles, UnionPay cards, regions."""

    def region(self) -> Region:
        return self.random_element(REGIONS)

    def resident_id(self, birth: date, male: bool, area: str) -> str:
        seq = self.random_int(0, 99) * 10 + self.random_element((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
        first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
        return first17 + resident_id_check_char(first17)

    def cn_mobile(self) -> str:
        return self.random_element(MOBILE_PREFIXES) + self.numerify("########")

    def unionpay_card(self) -> str:
        bin_, length = self.random_element(CARD_BINS)
        body = bin_ + self.numerify("#" * (length - len(bin_) - 1))
        return body + luhn_check_digit(body)
