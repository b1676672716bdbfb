"""Time expressions in a sentence, resolved to a period string: 2026, 2027Q4, 2027H2, 2025-11,
2025-12-18, and fiscal FY2026Q3.

Relative words (今年/明年/去年, this/next/last year, 周二/Tuesday, 昨日) resolve against the
article's date. Some need the article's context, which extractors/timeline.py supplies: a fiscal
quarter needs its company's calendar, 去年同期 / "a year earlier" the period the article set.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from extractors.fiscal import FiscalYear
from extractors.patterns import load

_RULES = load("periods")
_CN_Q = _RULES.dictionary("quarter_numbers", int)
_MONTHS = {m: i for i, m in enumerate(_RULES.list("en_months"), 1)}
_EN_ORDINALS = _RULES.list("en_quarter_ordinals")
_ZH_WEEKDAYS = _RULES.dictionary("zh_weekdays", int)
_EN_WEEKDAYS = _RULES.list("en_weekdays")
_FISCAL_MARK = _RULES.regex("fiscal_mark")
_CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}
_SENTENCE_END = re.compile(r"[。；;!?！？]|\.\s")
_SHAPE = re.compile(r"(FY)?(\d{4})(?:Q([1-4])|H([12])|-(\d{2})(?:-(\d{2}))?)?")


@dataclass
class Period:
    """A time expression at [start, end) of the text.

    role: `time` (dates what it governs), `day` (a trading day: 周二, today), `relative` (said of
    the period the article set: 去年同期 shifts it by `shift`), `now` (目前: dates nothing),
    `end` (the end date of a named period: "quarter ended Nov. 30") or `none` (not a period of
    anything: "2018-era"). `fiscal`: written in a fiscal calendar; `quarter` without `value`: a
    quarter whose year the context decides ("the third quarter", 第二财季).
    """
    start: int
    end: int
    value: str | None
    role: str = "time"
    fiscal: bool = False
    quarter: int | None = None
    shift: tuple[str, int] | None = None
    split: bool = False  # a split fiscal year (2025/26财年), never a calendar year


# (name, regex, builder, gate) in priority order; builders get (match, published date) and return a
# period string, a dict of Period fields, or None.
_PATTERNS: list[tuple] = []


def _p(name: str):
    """Register the builder of period pattern `name` (periods.yaml), after those registered before."""
    def deco(fn):
        _PATTERNS.append((name, _RULES.regex(name), fn, _RULES.gate(name)))
        return fn
    return deco


def _year2(y: str) -> str:
    return y if len(y) == 4 else "20" + y


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


@_p("en_month_day")
def _en_month_day(m, pub):
    month = _MONTHS[m[1][:3].lower()]
    return _with_year(pub, month, f"-{month:02d}-{int(m[2]):02d}") if 1 <= int(m[2]) <= 31 else None


@_p("zh_contract_month")
def _zh_contract_month(m, pub):
    return {"value": None, "role": "none"}


@_p("zh_relative_year_month")
def _zh_relative_year_month(m, pub):
    if not pub or not 1 <= int(m[2]) <= 12:
        return None
    year = pub.year + {"去": -1, "上": -1, "今": 0, "明": 1}[m[1]]
    return f"{year}-{int(m[2]):02d}"


@_p("vague_horizon")
def _vague_horizon(m, pub):
    return {"value": None, "role": "now"}


@_p("zh_year_to_date")
def _zh_year_to_date(m, pub):
    if not pub:
        return None
    if m[1]:
        return str(pub.year)
    month = int(m[2]) if m[2].isdigit() else _cn_small(m[2])
    return _with_year(pub, month, "") if month and 1 <= month <= 12 else None


@_p("zh_fiscal_quarter")
def _zh_fiscal_quarter(m, pub):
    year, split, q = (m[1], m[2], m[3]) if m[3] else (m[4], m[5], m[6])
    return _fiscal_quarter(year, split, _CN_Q[q])


@_p("zh_quarter")
def _zh_quarter(m, pub):
    return f"{m[1]}Q{_CN_Q[m[2]]}"


@_p("en_fiscal_quarter")
def _en_fiscal_quarter(m, pub):
    if m[1]:
        return _fiscal_quarter(_year2(m[1]), None, _EN_ORDINALS.index(m[2].lower()) + 1)
    if m[3]:
        q = int(m[4]) if m[4] else _EN_ORDINALS.index(m[5].lower()) + 1
        return _fiscal_quarter(_year2(m[3]), None, q)
    word = m[6] or m[7]
    return _fiscal_quarter(_year2(m[8]) if m[8] else None, None, _EN_ORDINALS.index(word.lower()) + 1)


@_p("en_quarter")
def _en_quarter(m, pub):
    q = int(m[1]) if m[1] else _EN_ORDINALS.index(m[2].lower()) + 1
    return {"value": f"{_year2(m[3])}Q{q}", "fiscal": bool(_FISCAL_MARK.search(m[0]))}


@_p("year_ago")
def _year_ago(m, pub):
    return {"value": None, "role": "relative", "shift": ("Y", -1)}


@_p("quarter_before")
def _quarter_before(m, pub):
    return {"value": None, "role": "relative", "shift": ("Q", -1)}


@_p("quarter_after")
def _quarter_after(m, pub):
    return {"value": None, "role": "relative", "shift": ("Q", 1)}


@_p("fiscal_year_before")
def _fiscal_year_before(m, pub):
    return {"value": None, "role": "relative", "shift": ("FY", -1), "fiscal": True}


@_p("full_year")
def _full_year(m, pub):
    return {"value": None, "role": "relative", "shift": ("FY", 0), "fiscal": bool(_FISCAL_MARK.search(m[0]))}


@_p("zh_quarter_no_year")
def _zh_quarter_no_year(m, pub):
    return _quarter_no_year(_CN_Q[m[1]], pub)


@_p("en_quarter_no_year")
def _en_quarter_no_year(m, pub):
    return _quarter_no_year(_EN_ORDINALS.index(m[1].lower()) + 1 if m[1] else int(m[2]), pub)


@_p("zh_half")
def _zh_half(m, pub):
    return f"{m[1]}H{1 if m[2] == '上' else 2}"


@_p("en_half")
def _en_half(m, pub):
    if m[1]:
        return f"{m[2]}H{1 if m[1].lower() == 'first' else 2}"
    return f"{m[4]}H{m[3]}" if m[3] else f"{m[6]}H{m[5]}"


@_p("split_year")
def _split_year(m, pub):
    fiscal = bool(_FISCAL_MARK.search(m[0]))
    return {"value": f"{m[1][:2]}{m[2]}", "fiscal": fiscal, "split": fiscal}


@_p("zh_year_month")
def _zh_year_month(m, pub):
    return f"{m[1]}-{int(m[2]):02d}"


@_p("en_month_year")
def _en_month_year(m, pub):
    return f"{m[2]}-{_MONTHS[m[1][:3].lower()]:02d}"


@_p("zh_month")
def _zh_month(m, pub):
    return _with_year(pub, int(m[1]), f"-{int(m[1]):02d}") if 1 <= int(m[1]) <= 12 else None


@_p("en_month_alone")
def _en_month_alone(m, pub):
    month = _MONTHS[m[1][:3].lower()]
    return _with_year(pub, month, f"-{month:02d}")


@_p("last_month")
def _last_month(m, pub):
    if not pub:
        return None
    prev = pub.replace(day=1) - timedelta(days=1)
    return f"{prev.year}-{prev.month:02d}"


@_p("fiscal_year")
def _fiscal(m, pub):
    return {"value": _year2(m[1]) if m[1] else m[2], "fiscal": True}


@_p("year_era")
def _year_era(m, pub):
    return {"value": m[1], "role": "none"}


@_p("year_in_name")
def _year_in_name(m, pub):
    return {"value": m[1], "role": "none"}


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


@_p("zh_weekday")
def _zh_weekday(m, pub):
    return _day(last_weekday(pub, _ZH_WEEKDAYS[m[2]], before_week=bool(m[1])))


@_p("en_weekday")
def _en_weekday(m, pub):
    return _day(last_weekday(pub, _EN_WEEKDAYS.index(m[2].lower()), before_week=bool(m[1])))


@_p("today")
def _today(m, pub):
    return _day(pub)


@_p("yesterday")
def _yesterday(m, pub):
    return _day(pub - timedelta(days=1) if pub else None)


@_p("that_day")
def _that_day(m, pub):
    return {"value": None, "role": "relative", "shift": ("D", 0)}


@_p("now")
def _now(m, pub):
    return {"value": None, "role": "now"}


def _day(d: date | None) -> dict | None:
    return {"value": d.isoformat(), "role": "day"} if d else None


def _cn_small(s: str) -> int | None:
    """一 .. 十二 as an int."""
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_DIGITS.get(s[1:], 0)
    return _CN_DIGITS.get(s)


def _fiscal_quarter(year: str | None, split: str | None, q: int) -> dict:
    if year and split:
        return {"value": f"{year[:2]}{split}Q{q}", "fiscal": True, "split": True}
    return {"value": f"{year}Q{q}" if year else None, "fiscal": True, "quarter": q}


def _quarter_no_year(q: int, pub: date | None) -> dict | None:
    """A quarter with no year: the context may place it (next to the article's quarter);
    else this year's if it has begun by the article's date, else last year's."""
    if not pub:
        return {"value": None, "quarter": q}
    year = pub.year if (q - 1) * 3 + 1 <= pub.month else pub.year - 1
    return {"value": f"{year}Q{q}", "quarter": q}


def _with_year(pub: date | None, month: int, suffix: str) -> str | None:
    """A month with no year: the coming month, or this month and the ten before it.

    >>> _with_year(date(2025, 12, 18), 1, "-01"), _with_year(date(2025, 1, 5), 11, "-11")
    ('2026-01', '2024-11')
    """
    if not pub:
        return None
    ahead = (month - pub.month) % 12
    year = pub.year + (month < pub.month) if ahead <= 1 else pub.year - (month > pub.month)
    return f"{year}{suffix}"


def last_weekday(pub: date | None, weekday: int, before_week: bool = False) -> date | None:
    """The latest `weekday` (Monday 0) on or before `pub`; with `before_week` (上周二, "last
    Tuesday"), the latest one before `pub`'s week.

    >>> last_weekday(date(2025, 12, 2), 4)                     # Friday seen on Tuesday 2 Dec
    datetime.date(2025, 11, 28)
    >>> last_weekday(date(2025, 12, 17), 1), last_weekday(date(2025, 12, 16), 1)
    (datetime.date(2025, 12, 16), datetime.date(2025, 12, 16))
    """
    if not pub:
        return None
    if before_week:
        pub -= timedelta(days=pub.weekday() + 1)
    return pub - timedelta(days=(pub.weekday() - weekday) % 7)


def shifted(value: str | None, unit: str, n: int) -> str | None:
    """`value` moved by n years ("Y"/"FY") or quarters ("Q"); with n == 0 and "FY", its year.

    >>> shifted("FY2026Q3", "Y", -1), shifted("2025Q1", "Q", -1), shifted("2025-10", "Y", -1)
    ('FY2025Q3', '2024Q4', '2024-10')
    >>> shifted("FY2025Q4", "FY", 0), shifted("2025Q4", "Q", 1), shifted("2025", "Q", -1)
    ('FY2025', '2026Q1', None)
    """
    m = _SHAPE.fullmatch(value or "")
    if not m:
        return None
    fy, year, rest = m[1] or "", int(m[2]), m[0][len(m[1] or "") + 4:]
    if unit == "FY":
        return f"{fy}{year + n}"
    if unit == "Y":
        return f"{fy}{year + n}{rest}"
    if unit == "Q":
        if m[3] is None and m[5] is None:
            return None
        q = int(m[3]) if m[3] else (int(m[5]) - 1) // 3 + 1
        k = year * 4 + q - 1 + n
        return f"{fy}{k // 4}Q{k % 4 + 1}"
    return None


def nearest_quarter(q: int, around: str | None) -> str | None:
    """Quarter `q` in the year that puts it nearest to the quarter `around` (the article's):
    "the fourth quarter" after FY2026Q3 is FY2026Q4, "the first quarter" after 2025Q4 is 2026Q1.

    >>> nearest_quarter(4, "FY2026Q3"), nearest_quarter(1, "2025Q4"), nearest_quarter(2, "2025Q3")
    ('FY2026Q4', '2026Q1', '2025Q2')
    """
    m = _SHAPE.fullmatch(around or "")
    if not m or not m[3]:
        return None
    base = int(m[2]) * 4 + int(m[3]) - 1
    year = min((int(m[2]) + d for d in (0, 1, -1)), key=lambda y: (abs(y * 4 + q - 1 - base), -(y * 4 + q - 1 <= base)))
    return f"{m[1] or ''}{year}Q{q}"


def fiscal_reading(p: Period, fy: FiscalYear | None, published: date | None) -> str | None:
    """A fiscal period in its company's numbering (`FY2026Q3`) when the company keeps a fiscal
    calendar (or the text names a split year such as 2025/26财年); else in the calendar year."""
    value = p.value
    if value is None and p.quarter:
        if fy and published:
            value = f"{fy.year_of_quarter_ended_by(p.quarter, published)}Q{p.quarter}"
        elif published:
            value = _quarter_no_year(p.quarter, published)["value"]
    if value is None:
        return None
    return f"FY{value}" if fy or p.split else value


def find_periods(text: str, published: date | None) -> list[Period]:
    """Every period expression in `text`, non-overlapping, earlier patterns winning."""
    taken: list[tuple[int, int]] = []
    out = []
    lower = text.lower()
    for _name, rx, build, needs in _PATTERNS:
        if needs and not any(n in lower for n in needs):
            continue
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            got = build(m, published)
            if got is None:
                continue
            fields = got if isinstance(got, dict) else {"value": got}
            taken.append((m.start(), m.end()))
            out.append(Period(m.start(), m.end(), **fields))
    out.sort(key=lambda p: p.start)
    _mark_end_dates(text, out)
    _mark_incidental(text, out)
    return out


_ENDED_BEFORE = _RULES.regex("ended_before")
_END_DATE_AFTER = _RULES.regex("end_date_after")
_REPORT_DAY_BEFORE = _RULES.regex("report_day_before")
_BASE_AFTER = _RULES.regex("base_after")


def _mark_incidental(text: str, periods: list[Period]) -> None:
    """The day a report came out ("the Labor Department said on Tuesday") and a base year
    (以2023年…为基准) date no figure."""
    for p in periods:
        if p.role == "day" and _REPORT_DAY_BEFORE.search(text, max(0, p.start - 24), p.start):
            p.role = "none"
        elif p.role == "time" and _BASE_AFTER.match(text, p.end):
            p.role = "none"


def _mark_end_dates(text: str, periods: list[Period]) -> None:
    """A date that only says when a named quarter or year ended ("the fiscal second quarter ended
    Nov. 30", 截至9月30日止的2025/26财年第二财季) dates nothing itself."""
    for i, p in enumerate(periods):
        if p.role != "time" or not p.value or p.value.count("-") != 2:
            continue
        if not _ENDED_BEFORE.search(text, max(0, p.start - 12), p.start):
            continue
        near = [o for o in periods[max(0, i - 2):i + 3] if o is not p and o.role == "time"
                and (o.value is None or o.value.count("-") == 0) and abs(o.start - p.start) < 48
                and not _SENTENCE_END.search(text, min(o.end, p.end), max(o.start, p.start))]
        if near or _END_DATE_AFTER.match(text, p.end):
            p.role = "end"
