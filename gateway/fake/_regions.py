"""Real administrative divisions with their GB/T 2260 codes, so that addresses and
resident ID area codes agree."""

from __future__ import annotations

from typing import NamedTuple


class Region(NamedTuple):
    code: str
    province: str
    city: str
    district: str


REGIONS: tuple[Region, ...] = (
    Region("110105", "北京市", "北京市", "朝阳区"),
    Region("110108", "北京市", "北京市", "海淀区"),
    Region("310115", "上海市", "上海市", "浦东新区"),
    Region("310104", "上海市", "上海市", "徐汇区"),
    Region("120101", "天津市", "天津市", "和平区"),
    Region("500103", "重庆市", "重庆市", "渝中区"),
    Region("440305", "广东省", "深圳市", "南山区"),
    Region("440106", "广东省", "广州市", "天河区"),
    Region("330106", "浙江省", "杭州市", "西湖区"),
    Region("320106", "江苏省", "南京市", "鼓楼区"),
    Region("320508", "江苏省", "苏州市", "姑苏区"),
    Region("510107", "四川省", "成都市", "武侯区"),
    Region("420111", "湖北省", "武汉市", "洪山区"),
    Region("370102", "山东省", "济南市", "历下区"),
    Region("370202", "山东省", "青岛市", "市南区"),
    Region("410105", "河南省", "郑州市", "金水区"),
    Region("610113", "陕西省", "西安市", "雁塔区"),
    Region("350203", "福建省", "厦门市", "思明区"),
    Region("430104", "湖南省", "长沙市", "岳麓区"),
    Region("210102", "辽宁省", "沈阳市", "和平区"),
    Region("340104", "安徽省", "合肥市", "蜀山区"),
    Region("360102", "江西省", "南昌市", "东湖区"),
    Region("530102", "云南省", "昆明市", "五华区"),
    Region("450103", "广西壮族自治区", "南宁市", "青秀区"),
    Region("130102", "河北省", "石家庄市", "长安区"),
    Region("230103", "黑龙江省", "哈尔滨市", "南岗区"),
    Region("220104", "吉林省", "长春市", "朝阳区"),
    Region("520103", "贵州省", "贵阳市", "云岩区"),
    Region("140105", "山西省", "太原市", "小店区"),
)

# Mainland mobile prefixes of China Mobile, China Unicom and China Telecom.
MOBILE_PREFIXES: tuple[str, ...] = (
    "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159",
    "178", "182", "183", "184", "187", "188", "198",
    "130", "131", "132", "145", "155", "156", "166", "175", "176", "185", "186",
    "133", "149", "153", "173", "177", "180", "181", "189", "191", "199",
)

# UnionPay (62-prefixed) debit card BINs of large Chinese banks, with their card length.
CARD_BINS: tuple[tuple[str, int], ...] = (
    ("622202", 19),  # ICBC
    ("622848", 19),  # Agricultural Bank of China
    ("621700", 19),  # China Construction Bank
    ("621661", 19),  # Bank of China
    ("622262", 19),  # Bank of Communications
    ("621483", 16),  # China Merchants Bank
    ("622588", 16),  # China Merchants Bank
    ("621226", 19),  # ICBC
)
