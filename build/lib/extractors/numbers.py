"""Numerals in Chinese and English news to floats: Arabic, Chinese, and the magnitudes after them.

Works on Simplified-folded text (兩 has become 两, 萬 万, 億 亿).
"""
from __future__ import annotations

import re

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
CN_SMALL = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"万": 1e4, "亿": 1e8, "兆": 1e12}
CN_NUM_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL) + "".join(CN_BIG)

# Magnitudes written after a number. 兆 is trillion in these sources (1.8兆美元); as a unit
# prefix (兆瓦, 兆赫, 兆字节) it means mega, which the unit table handles before we get here.
ZH_MAGNITUDES = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "十亿": 1e9, "亿": 1e8, "千万": 1e7,
                 "百万": 1e6, "十万": 1e5, "万": 1e4, "兆": 1e12, "千": 1e3}
EN_MAGNITUDES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "mn": 1e6, "mln": 1e6,
                 "bn": 1e9, "tn": 1e12, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}

ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
CHINESE = f"[{CN_NUM_CHARS}]+"


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
    if re.fullmatch(ARABIC, s):
        return parse_arabic(s)
    return parse_chinese(s)
