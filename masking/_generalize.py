"""Generalization: numbers to bands, dates to year or month, birth dates to age bands,
resident IDs to province/birth year/gender, addresses to province or city, IPs to a prefix.

A value that cannot be parsed generalizes to the empty string (fail closed).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from coloan.policy.v1 import options_pb2 as opts

MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
PROVINCES = (
    *MUNICIPALITIES, "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省",
    "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省",
    "甘肃省", "青海省", "台湾省", "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区",
    "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区",
)
_SHORT = {"内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏", "宁夏回族自治区": "宁夏",
          "新疆维吾尔自治区": "新疆", "香港特别行政区": "香港", "澳门特别行政区": "澳门"}
# Longest spelling first, so "黑龙江省" is not read as a shorter name.
_PREFIXES = sorted(
    [(p, p) for p in PROVINCES] + [(_SHORT.get(p, p[:-1]), p) for p in PROVINCES], key=lambda t: -len(t[0])
)
_CITY = re.compile(r"^(.{1,10}?(?:自治州|地区|盟|市))")
_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?")
_RESIDENT_ID = re.compile(r"^(\d{17}[\dXx]|\d{15})$")


def bucket(value: int, width: int) -> int:
    """The lower bound of the band ``width`` wide that holds ``value``."""
    return (value // width) * width


def province_of(address: str) -> tuple[str, str]:
    """The full province name and the rest of the address, or ``("", "")`` when no province leads it."""
    address = address.strip()
    for prefix, full in _PREFIXES:
        if address.startswith(prefix):
            return full, address[len(prefix):]
    return "", ""


def address_province(address: str) -> str:
    return province_of(address)[0]


def address_city(address: str) -> str:
    """Province and city (a municipality is its own city); the province alone when no city follows."""
    province, rest = province_of(address)
    if not province or province in MUNICIPALITIES:
        return province
    m = _CITY.match(rest)
    return province + m.group(1) if m else province


def _date(value: str) -> date | None:
    m = _DATE.match(value)
    if m is None or m.group(3) is None:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def date_year(value: str) -> str:
    m = _DATE.match(value)
    return m.group(1) if m and 1 <= int(m.group(2)) <= 12 else ""


def date_month(value: str) -> str:
    m = _DATE.match(value)
    return f"{m.group(1)}-{m.group(2)}" if m and 1 <= int(m.group(2)) <= 12 else ""


def age_band(value: str, width: int, today: date) -> str:
    """``"30-39"`` for a birth date 30 to 39 years before ``today`` (width 10)."""
    born = _date(value)
    if born is None:
        return ""
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age < 0:
        return ""
    low = bucket(age, width)
    return f"{low}-{low + width - 1}"


def resident_id(value: str) -> str:
    """``"11-1990-M"``: province code, birth year and gender (F/M) of a resident ID, nothing more."""
    if not _RESIDENT_ID.match(value):
        return ""
    year = value[6:10] if len(value) == 18 else "19" + value[6:8]
    gender = value[16] if len(value) == 18 else value[14]
    return f"{value[:2]}-{year}-{'M' if int(gender) % 2 else 'F'}"


def ip_prefix(value: str, width: int) -> str:
    """The IPv4 network of prefix ``width`` holding ``value`` (``"1.2.3.0/24"``); IPv6 to its /48."""
    parts = value.split(".")
    if len(parts) == 4 and all(p.isdigit() and len(p) <= 3 and int(p) <= 255 for p in parts):
        n = int.from_bytes(bytes(int(p) for p in parts), "big") & ((0xFFFFFFFF << (32 - width)) & 0xFFFFFFFF)
        return ".".join(str(b) for b in n.to_bytes(4, "big")) + f"/{width}"
    return _ipv6_prefix(value)


def _ipv6_prefix(value: str) -> str:
    import ipaddress

    try:
        return str(ipaddress.IPv6Network(f"{value}/48", strict=False))
    except ValueError:
        return ""


def stamp_year(ts: Timestamp) -> None:
    """Move a Timestamp to the first instant of its year (UTC)."""
    when = datetime.fromtimestamp(ts.seconds, UTC)
    ts.seconds, ts.nanos = int(datetime(when.year, 1, 1, tzinfo=UTC).timestamp()), 0


def stamp_month(ts: Timestamp) -> None:
    """Move a Timestamp to the first instant of its month (UTC)."""
    when = datetime.fromtimestamp(ts.seconds, UTC)
    ts.seconds, ts.nanos = int(datetime(when.year, when.month, 1, tzinfo=UTC).timestamp()), 0


@dataclass(frozen=True, slots=True)
class Bucket:
    width: int

    def __call__(self, value: int) -> int:
        return (value // self.width) * self.width


@dataclass(frozen=True, slots=True)
class IpPrefix:
    width: int

    def __call__(self, value: str) -> str:
        return ip_prefix(value, self.width)


@dataclass(frozen=True, slots=True)
class AgeBand:
    """Age band of a birth date, relative to the injected clock's date at call time."""

    width: int
    today: Callable[[], date]

    def __call__(self, value: str) -> str:
        return age_band(value, self.width, self.today())


_STRING_KINDS: dict[int, Callable[[str], str]] = {
    opts.GEN_DATE_YEAR: date_year,
    opts.GEN_DATE_MONTH: date_month,
    opts.GEN_RESIDENT_ID: resident_id,
    opts.GEN_ADDRESS_PROVINCE: address_province,
    opts.GEN_ADDRESS_CITY: address_city,
}
STAMP_KINDS: dict[int, Callable[[Timestamp], None]] = {opts.GEN_DATE_YEAR: stamp_year, opts.GEN_DATE_MONTH: stamp_month}


def generalizer(rule: opts.Generalize, today: Callable[[], date]) -> Callable[[object], object]:
    """The value function a ``Generalize`` option describes (Timestamps are handled by STAMP_KINDS)."""
    if rule.kind == opts.GEN_BUCKET:
        return Bucket(rule.width)  # type: ignore[return-value]
    if rule.kind == opts.GEN_IP_PREFIX:
        return IpPrefix(rule.width or 24)  # type: ignore[return-value]
    if rule.kind == opts.GEN_AGE_BAND:
        return AgeBand(rule.width, today)  # type: ignore[return-value]
    return _STRING_KINDS[rule.kind]  # type: ignore[return-value]
