"""Time expressions in a sentence, resolved to a period string: 2026, 2027Q4, 2027H2, 2025-11, 2025-12-18.

Relative words (今年/明年/去年, this/next/last year) resolve against the article's date.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_CN_Q = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_EN_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"

# (regex, builder) in priority order; builders get (match, published date) and return a period.
_PATTERNS: list[tuple[re.Pattern, callable]] = []


def _p(rx: str, flags=0, needs: tuple[str, ...] = ()):
    """Register a period pattern; `needs`: strings one of which must occur for it to match
    (a substring test is far cheaper than running the regex over every article)."""
    def deco(fn):
        _PATTERNS.append((re.compile(rx, flags), fn, needs))
        return fn
    return deco


@_p(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]", needs=('年',))
def _zh_full_date(m, pub):
    return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"


@_p(_EN_MONTH + r"\s+(\d{1,2}),?\s+(\d{4})", re.I, needs=('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'))
def _en_full_date(m, pub):
    return f"{m[3]}-{_MONTHS[m[1][:3].lower()]:02d}-{int(m[2]):02d}"


@_p(r"(\d{4})-(\d{2})-(\d{2})", needs=('-',))
def _iso_date(m, pub):
    return f"{m[1]}-{m[2]}-{m[3]}"


@_p(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]", needs=('月',))
def _zh_month_day(m, pub):
    return _with_year(pub, int(m[1]), f"-{int(m[1]):02d}-{int(m[2]):02d}")


@_p(r"(\d{4})\s*(?:年|财年|财政年度)?\s*(?:第\s*)?([一二三四1-4])\s*(?:季度|季)", needs=('季',))
def _zh_quarter(m, pub):
    return f"{m[1]}Q{_CN_Q[m[2]]}"


@_p(r"(?:\bQ([1-4])|(first|second|third|fourth)[- ]quarter(?: of)?)\s*(?:of\s+)?(?:fiscal\s+|FY\s*)?'?(\d{4}|\d{2})\b", re.I,
    needs=("q1", "q2", "q3", "q4", "quarter"))
def _en_quarter(m, pub):
    q = int(m[1]) if m[1] else ["first", "second", "third", "fourth"].index(m[2].lower()) + 1
    y = m[3] if len(m[3]) == 4 else "20" + m[3]
    return f"{y}Q{q}"


@_p(r"(?<!\d)(?:第\s*)?([一二三四1-4])\s*(?:季度|季)(?!\d)", needs=('季',))
def _zh_quarter_no_year(m, pub):
    if not pub:
        return None
    q = _CN_Q[m[1]]
    year = pub.year if (q - 1) * 3 + 1 <= pub.month else pub.year - 1
    return f"{year}Q{q}"


@_p(r"(\d{4})\s*年?\s*(上|下)半年", needs=('半年',))
def _zh_half(m, pub):
    return f"{m[1]}H{1 if m[2] == '上' else 2}"


@_p(r"(first|second)\s+half\s+of\s+(\d{4})|\bH([12])\s*(\d{4})", re.I, needs=("half", "h1", "h2"))
def _en_half(m, pub):
    if m[1]:
        return f"{m[2]}H{1 if m[1].lower() == 'first' else 2}"
    return f"{m[4]}H{m[3]}"


@_p(r"(\d{4})\s*/\s*(\d{2})\s*(?:年度|财年|fiscal year|marketing year)", needs=('/',))
def _split_year(m, pub):
    return f"{m[1][:2]}{m[2]}"


@_p(r"(\d{4})\s*年\s*(\d{1,2})\s*月", needs=('年',))
def _zh_year_month(m, pub):
    return f"{m[1]}-{int(m[2]):02d}"


@_p(_EN_MONTH + r"\s+(\d{4})", re.I, needs=('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'))
def _en_month_year(m, pub):
    return f"{m[2]}-{_MONTHS[m[1][:3].lower()]:02d}"


@_p(r"(?:(?<=[^\d.])|^)(\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])(?:份)?", needs=('月',))
def _zh_month(m, pub):
    return _with_year(pub, int(m[1]), f"-{int(m[1]):02d}") if 1 <= int(m[1]) <= 12 else None


@_p(r"(?:fiscal\s+(?:year\s+)?|FY\s?)(\d{4})|(\d{4})\s*(?:财年|财政年度)", re.I, needs=("fiscal", "fy", "财年", "财政年度"))
def _fiscal(m, pub):
    return m[1] or m[2]


@_p(r"(?<![\d.,])((?:19|20)\d{2})(?:\s*年|(?![\d.,%万亿兆千百多余个颗辆人名家位台桶吨点倍]))")
def _year(m, pub):
    return m[1]


@_p(r"今年|本年|this year", re.I, needs=("今年", "本年", "this year"))
def _this_year(m, pub):
    return str(pub.year) if pub else None


@_p(r"明年|next year|来年", re.I, needs=("明年", "next year", "来年"))
def _next_year(m, pub):
    return str(pub.year + 1) if pub else None


@_p(r"去年|last year|上年(?!同期)", re.I, needs=("去年", "last year", "上年"))
def _last_year(m, pub):
    return str(pub.year - 1) if pub else None


def _with_year(pub: date | None, month: int, suffix: str) -> str | None:
    if not pub:
        return None
    year = pub.year - 1 if month > pub.month + 1 else pub.year  # "11月" read in January is last year's
    return f"{year}{suffix}"


@dataclass
class Period:
    start: int
    end: int
    value: str


def find_periods(text: str, published: date | None) -> list[Period]:
    """Every period expression in `text`, non-overlapping, earlier patterns winning."""
    taken: list[tuple[int, int]] = []
    out = []
    lower = text.lower()
    for rx, build, needs in _PATTERNS:
        if needs and not any(n in lower for n in needs):
            continue
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            value = build(m, published)
            if value:
                taken.append((m.start(), m.end()))
                out.append(Period(m.start(), m.end(), value))
    return sorted(out, key=lambda p: p.start)
