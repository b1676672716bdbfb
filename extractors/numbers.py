"""Numerals in Chinese and English news to floats: Arabic, Chinese, and the magnitudes after them.

Works on Simplified-folded text (兩 has become 两, 萬 万, 億 亿).
"""
from __future__ import annotations

from extractors.patterns import load

_RULES = load("numbers")
CN_DIGITS = _RULES.dictionary("cn_digits", int)
CN_SMALL = _RULES.dictionary("cn_small", int)
CN_BIG = _RULES.dictionary("cn_big", float)
CN_NUM_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL) + "".join(CN_BIG)

ZH_MAGNITUDES = _RULES.dictionary("zh_magnitudes", float)
EN_MAGNITUDES = {**_RULES.dictionary("en_magnitude_words", float), **_RULES.dictionary("en_magnitude_letters", float)}
EN_MAGNITUDE_LETTERS = frozenset(_RULES.dictionary("en_magnitude_letters", float))
ZH_MAGNITUDE = _RULES.regex("zh_magnitude")
EN_MAGNITUDE = _RULES.regex("en_magnitude")
ARABIC = _RULES.regex("arabic")


def parse_arabic(s: str) -> float:
    """'4,000' -> 4000.0, '4.38' -> 4.38."""
    return float(s.replace(",", ""))


def parse_chinese(s: str) -> float:
    """Chinese numerals to a number.

    >>> parse_chinese("两百万")
    2000000.0
    >>> parse_chinese("一千三百六十一万")
    13610000.0
    >>> parse_chinese("十五")
    15.0
    """
    if not s or any(c not in CN_NUM_CHARS for c in s):
        raise ValueError(f"not a Chinese numeral: {s!r}")
    total = 0.0  # finished big-unit groups
    group = 0.0  # the current group below 万
    digit = None
    for c in s:
        if c in CN_DIGITS:
            if digit is not None:  # digit-by-digit form: 二〇二五
                digit = digit * 10 + CN_DIGITS[c]
            else:
                digit = CN_DIGITS[c]
        elif c in CN_SMALL:
            group += (1 if digit is None else digit) * CN_SMALL[c]
            digit = None
        else:
            big = CN_BIG[c]
            section = group + (digit or 0)
            if section == 0 and total == 0:
                section = 1
            total = (total + section) * big if total and total < big else total + section * big
            group, digit = 0.0, None
    return float(total + group + (digit or 0))


def parse_number(s: str) -> float:
    s = s.strip()
    if ARABIC.fullmatch(s):
        return parse_arabic(s)
    return parse_chinese(s)
