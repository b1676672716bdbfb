"""Time expressions in a sentence, resolved to a period string: 2026, 2027Q4, 2027H2, 2025-11, 2025-12-18.

Relative words (今年/明年/去年, this/next/last year) resolve against the article's date.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from extractors.patterns import load

_RULES = load("periods")
_CN_Q = _RULES.dictionary("quarter_numbers", int)
_MONTHS = {m: i for i, m in enumerate(_RULES.list("en_months"), 1)}
_EN_ORDINALS = _RULES.list("en_quarter_ordinals")

# (regex, builder, gate) in priority order; builders get (match, published date) and return a period.
_PATTERNS: list[tuple] = []


def _p(name: str):
    """Register the builder of period pattern `name` (periods.yaml), after those registered before."""
    def deco(fn):
        _PATTERNS.append((_RULES.regex(name), fn, _RULES.gate(name)))
        return fn
    return deco


@_p("zh_full_date")
def _zh_full_date(m, pub):
    return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"


@_p("en_full_date")
def _en_full_date(m, pub):
    return f"{m[3]}-{_MONTHS[m[1][:3].lower()]:02d}-{int(m[2]):02d}"


@_p("iso_date")
def _iso_date(m, pub):
    return f"{m[1]}-{m[2]}-{m[3]}"


@_p("zh_month_day")
def _zh_month_day(m, pub):
    return _with_year(pub, int(m[1]), f"-{int(m[1]):02d}-{int(m[2]):02d}")


@_p("zh_quarter")
def _zh_quarter(m, pub):
    return f"{m[1]}Q{_CN_Q[m[2]]}"


@_p("en_quarter")
def _en_quarter(m, pub):
    q = int(m[1]) if m[1] else _EN_ORDINALS.index(m[2].lower()) + 1
    y = m[3] if len(m[3]) == 4 else "20" + m[3]
    return f"{y}Q{q}"


@_p("zh_quarter_no_year")
def _zh_quarter_no_year(m, pub):
    if not pub:
        return None
    q = _CN_Q[m[1]]
    year = pub.year if (q - 1) * 3 + 1 <= pub.month else pub.year - 1
    return f"{year}Q{q}"


@_p("zh_half")
def _zh_half(m, pub):
    return f"{m[1]}H{1 if m[2] == '上' else 2}"


@_p("en_half")
def _en_half(m, pub):
    if m[1]:
        return f"{m[2]}H{1 if m[1].lower() == 'first' else 2}"
    return f"{m[4]}H{m[3]}"


@_p("split_year")
def _split_year(m, pub):
    return f"{m[1][:2]}{m[2]}"


@_p("zh_year_month")
def _zh_year_month(m, pub):
    return f"{m[1]}-{int(m[2]):02d}"


@_p("en_month_year")
def _en_month_year(m, pub):
    return f"{m[2]}-{_MONTHS[m[1][:3].lower()]:02d}"


@_p("zh_month")
def _zh_month(m, pub):
    return _with_year(pub, int(m[1]), f"-{int(m[1]):02d}") if 1 <= int(m[1]) <= 12 else None


@_p("fiscal_year")
def _fiscal(m, pub):
    return m[1] or m[2]


@_p("year")
def _year(m, pub):
    return m[1]


@_p("this_year")
def _this_year(m, pub):
    return str(pub.year) if pub else None


@_p("next_year")
def _next_year(m, pub):
    return str(pub.year + 1) if pub else None


@_p("last_year")
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
