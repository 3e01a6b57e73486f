"""Character masking: keep the first and last characters, mask the rest, keep separators in place."""

from __future__ import annotations

from dataclasses import dataclass

from coloan.policy.v1 import options_pb2 as opts

SEPARATORS = frozenset(" \t-/.·•")
# Two-character surnames (复姓) still in use; a name starting with one keeps both characters.
_COMPOUND = """
欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 闻人 澹台 濮阳 淳于
单于 太叔 申屠 公羊 赫连 百里 东郭 南宫 西门 呼延 端木 万俟 拓跋 独孤 南门 第五 左丘 司空 公冶
仲孙 亓官 司寇 子车 颛孙 巫马 公西 漆雕 乐正 壤驷 公良 宰父 谷梁 段干 东门 梁丘 羊舌 微生
公户 公玉 公仪 公仲 公上 公门 公山 公坚 左人 闾丘 鲜于 叱干 贺兰 斛律 宗政 第一
"""
COMPOUND_SURNAMES = frozenset(_COMPOUND.split())
PRESETS: dict[int, tuple[int, int]] = {
    opts.MASK_BANK_CARD: (6, 4),
    opts.MASK_MOBILE: (3, 4),
    opts.MASK_RESIDENT_ID: (6, 4),
    opts.MASK_RESIDENT_ID_STRICT: (1, 1),
}


def mask_keep(value: str, first: int, last: int, char: str = "*") -> str:
    """Keep ``first`` and ``last`` characters (separators not counted, and left in place), mask the rest.

    A value too short to mask anything at those counts is masked whole.
    """
    if not any(c in SEPARATORS for c in value):
        n = len(value)
        if n <= first + last:
            return char * n
        return value[:first] + char * (n - first - last) + value[n - last:]
    n = sum(c not in SEPARATORS for c in value)
    if n <= first + last:
        first, last = 0, 0
    out, seen = [], 0
    for c in value:
        if c in SEPARATORS:
            out.append(c)
            continue
        out.append(c if seen < first or seen >= n - last else char)
        seen += 1
    return "".join(out)


def mask_name(value: str, char: str = "*") -> str:
    """Keep the surname (a compound surname when the name is longer than it), mask the given name."""
    keep = 2 if value[:2] in COMPOUND_SURNAMES and len(value) > 2 else 1
    if len(value) <= keep:
        return char * len(value)
    return value[:keep] + "".join(c if c in SEPARATORS else char for c in value[keep:])


def mask_email(value: str, char: str = "*") -> str:
    """Keep the first character of the local part and the domain."""
    local, at, domain = value.rpartition("@")
    if not at:
        return mask_keep(value, 1, 0, char)
    if len(local) <= 1:
        return char * len(local) + at + domain
    return local[0] + char * (len(local) - 1) + at + domain


@dataclass(frozen=True, slots=True)
class KeepMask:
    """``mask`` with explicit counts or a keep-first/keep-last preset."""

    first: int
    last: int
    char: str = "*"

    def __call__(self, value: str) -> str:
        return mask_keep(value, self.first, self.last, self.char)


@dataclass(frozen=True, slots=True)
class NameMask:
    """``mask`` with the MASK_NAME preset."""

    char: str = "*"

    def __call__(self, value: str) -> str:
        return mask_name(value, self.char)


@dataclass(frozen=True, slots=True)
class EmailMask:
    """``mask`` with the MASK_EMAIL preset."""

    char: str = "*"

    def __call__(self, value: str) -> str:
        return mask_email(value, self.char)


def masker(rule: opts.Mask) -> KeepMask | NameMask | EmailMask:
    """The masking function a ``Mask`` option describes."""
    char = rule.mask_char or "*"
    if rule.preset == opts.MASK_NAME:
        return NameMask(char)
    if rule.preset == opts.MASK_EMAIL:
        return EmailMask(char)
    first, last = PRESETS.get(rule.preset, (rule.keep_first, rule.keep_last))
    return KeepMask(first, last, char)
