"""Quantities in a sentence: a number with its magnitude, unit, range, qualifier and the
previous value of a change, in base units. Pure functions over Simplified-folded text.

    >>> read_quantity("营收为两百万美元", NUM_START.search("营收为两百万美元"), "CNY").value
    2000000.0
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from extractors.numbers import (
    CN_NUM_CHARS,
    EN_MAGNITUDE,
    EN_MAGNITUDE_LETTERS,
    EN_MAGNITUDES,
    ZH_MAGNITUDE,
    ZH_MAGNITUDES,
    parse_number,
)
from extractors.patterns import load
from extractors.sentence import Sentence
from extractors.units import match_unit

_RULES = load("quantities")
MONEY = frozenset(_RULES.list("money"))
_CUR_PREFIX = _RULES.dictionary("currency_prefixes")
_EN_WORDS = _RULES.dictionary("en_words", float)
_HALF_WORDS = _RULES.list("half_words")
_MAGNITUDE_CHARS = _RULES.list("magnitude_chars")
_AFTER_CN_NUMERAL = _RULES.list("after_cn_numeral")
_FRACTION_COUNTS = _RULES.dictionary("fraction_counts", int)
_FRACTION_DENOMINATORS = _RULES.dictionary("fraction_denominators", int)
_VAGUE_EN = _RULES.dictionary("vague_en", float)
_PRECISION_UNITS = _RULES.list("precision_units")
_TIMES_SIGNS = _RULES.list("times_signs")
_PER_BEFORE = _RULES.dictionary("per_before")
_PER_UNIT = _RULES.dictionary("per_unit")

NUM_START = _RULES.regex("num_start")
WORDY = _RULES.regex("wordy")
_VAGUE_OF = _RULES.regex("vague_of")
_OPEN = _RULES.regex("open_end")
_RANGE = _RULES.regex("range_join")
_PRECISION = _RULES.regex("precision")
_PRECISION_AT = _RULES.regex("precision_at")
_APPROX_BEFORE = _RULES.regex("approx_before")
_AT_LEAST_BEFORE = _RULES.regex("at_least_before")
_AT_MOST_BEFORE = _RULES.regex("at_most_before")
_AT_MOST_OF = _RULES.regex("at_most_of")
_APPROX_AFTER = _RULES.regex("approx_after")
_AT_LEAST_AFTER = _RULES.regex("at_least_after")
_AT_MOST_AFTER = _RULES.regex("at_most_after")
_FROM = _RULES.regex("from_before")
_FROM_GLUED = _RULES.regex("from_glued")
_BETWEEN = _RULES.regex("between_before")
_FROM_NEAR = _RULES.regex("from_near")
_TO_NEAR = _RULES.regex("to_near")
_THEN_FROM = _RULES.regex("then_from")
_CLOCK_BEFORE = _RULES.regex("clock_before")
_ALL_CN = _RULES.regex("all_cn_numeral")
_UNIT_NEXT = _RULES.regex("unit_next")
_ARITH_NEXT = _RULES.regex("arithmetic_next")
_CHENG_WORD = _RULES.regex("cheng_word")
_GLUE_BEFORE = _RULES.regex("glue_before")
_LATIN = _RULES.regex("latin")
_YEAR = _RULES.regex("year")
_TIME_AFTER = _RULES.regex("time_after")
_DURATION_AFTER = _RULES.regex("duration_after")
_PER_AFTER = _RULES.regex("per_after")
_PER_DAY = _RULES.regex("per_day")
_LEVEL_AFTER_WORDS = _RULES.regex("level_after_words")
_PARAM_CONTEXT = _RULES.regex("param_context")
_SKIP_BEFORE = _RULES.regex("skip_before")
_LIST_MARK = _RULES.regex("list_mark")
_THOUSANDS = _RULES.regex("thousands_separated")


@dataclass
class Quantity:
    """One number read from the text, in base units; start and end index the text."""
    start: int
    end: int
    value: float | None
    unit: str | None
    low: float | None = None
    high: float | None = None
    qualifier: str = "exact"
    precision: str | None = None
    has_magnitude: bool = False
    chinese: bool = False
    previous_value: float | None = None
    consumed: bool = False  # it is another quantity's previous value, not a claim of its own
    extra: dict = field(default_factory=dict)  # sign: -1 for a word that is a fall by construction (减半)


def number_value(s: str) -> float | None:
    s2 = s.lower()
    if s2 in _EN_WORDS:
        return _EN_WORDS[s2]
    try:
        return parse_number(s)
    except (ValueError, KeyError):
        return None


# --- quantities written as words ------------------------------------------------------------

def wordy_quantity(text: str, m: re.Match) -> Quantity | None:
    """四分之三 -> 75%, 减半 -> 50% (a fall), 翻倍/double -> 2x, a third -> 33.3%, 数兆参数 -> at
    least 1e12 params, 十几家 -> at least 10, hundreds of chips -> at least 100.

    `m` is a match of WORDY; its named group says which kind of word it is.
    """
    q = Quantity(start=m.start(), end=m.end(), value=None, unit=None)
    return _WORDY_READERS[m.lastgroup](text, m, q)


def _fraction(text: str, m: re.Match, q: Quantity) -> Quantity | None:
    den, num = m.group(0).split("分之")
    d, n = number_value(den), number_value(num)
    if not d or n is None:
        return None
    q.value, q.unit = round(100 * n / d, 2), "%"
    return q


def _halving(text: str, m: re.Match, q: Quantity) -> Quantity:
    q.value, q.unit, q.extra["sign"] = 50.0, "%", -1
    return q


def _doubling(text: str, m: re.Match, q: Quantity) -> Quantity:
    q.value, q.unit = (3.0 if m.group(0).lower().startswith("tripl") else 2.0), "x"
    return q


def _en_fraction(text: str, m: re.Match, q: Quantity) -> Quantity:
    words = m.group(0).lower().split()
    count, frac = words[0], words[-1].rstrip("s")
    q.value, q.unit = round(100 / _FRACTION_DENOMINATORS[frac] * _FRACTION_COUNTS[count], 2), "%"
    return q


def _vague_zh(text: str, m: re.Match, q: Quantity) -> Quantity | None:
    """数兆参数, 几百亿美元, 十几家: at least the magnitude, in the unit that follows (a unit is required)."""
    q.qualifier = "at_least"
    pos = m.end()
    if m.group(0) == "十几":
        q.value = 10.0
    elif mm := ZH_MAGNITUDE.match(text, pos):
        q.value, pos = ZH_MAGNITUDES[mm.group(0)], mm.end()
    elif text.startswith("拍", pos):
        q.value = 1.0
    else:
        return None
    u = match_unit(text, pos) if not text.startswith("拍", pos) else None
    if text.startswith("拍比特", pos):
        q.value, q.unit, pos = 1e15, "bits/s", pos + 3
    elif u:
        q.value, q.unit, pos = q.value * u[0].factor, u[0].unit, u[1]
    q.end = pos
    return q if q.unit is not None else None


def _vague_en(text: str, m: re.Match, q: Quantity) -> Quantity | None:
    key = _VAGUE_OF.sub("", m.group(0).lower())
    u = match_unit(text, m.end())
    if not u or u[0].unit != "count":
        return None
    q.value, q.unit, q.qualifier, q.end = _VAGUE_EN[key], "count", "at_least", u[1]
    return q


_WORDY_READERS = {"frac": _fraction, "halve": _halving, "double": _doubling, "enfrac": _en_fraction,
                  "vague": _vague_zh, "envague": _vague_en}


# --- a number and what follows it -------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _after_cn_numeral() -> frozenset[str]:
    """Characters that can follow a Chinese numeral in a quantity: magnitudes, 多/余/几, 成,
    and the first character of every unit surface. Anything else (统一, 一直) is not a number."""
    from extractors.units import unit_table
    firsts = {c for c in unit_table()[0] if not c.isascii()}
    return frozenset(firsts | set(_AFTER_CN_NUMERAL))


def read_quantity(text: str, m: re.Match, yuan: str) -> Quantity | None:
    """Extend a NUM_START match rightwards over magnitude, open-ended marker, precision and unit;
    `yuan` is the currency a bare 元 stands for. None when the numeral starts no quantity."""
    if not _starts_quantity(text, m):
        return None
    if m.group("num").lower() in _HALF_WORDS:
        return Quantity(start=m.start("num"), end=m.end("num"), value=50.0, unit="%")
    q = _numeral(m)
    if q is None:
        return None
    if m.group("pct"):
        q.unit = "%"
    if not q.unit and text.startswith("兆", q.end):
        _read_mega_unit(text, q)
    if not q.unit:
        _read_magnitude(text, q)
        _read_precision(text, q)
        _read_unit(text, q, m.group("cur"), yuan)
    if not q.unit and text.startswith("成", q.end) and not _CHENG_WORD.match(text, q.end):
        q.unit, q.value, q.end = "%", q.value * 10, q.end + 1  # 四成 = 40%, 逾五成
    if not q.unit and q.has_magnitude and not q.chinese:
        q.unit = "count"
    return q


def _starts_quantity(text: str, m: re.Match) -> bool:
    num = m.group("num")
    if num[0] in CN_NUM_CHARS and not m.group("pct") and num not in _HALF_WORDS:
        # 统一, 一直, 十五五: a numeral character that starts no quantity
        return text[m.end():m.end() + 1] in _after_cn_numeral()
    return True


def _numeral(m: re.Match) -> Quantity | None:
    """The bare number of a match, starting at its currency sign or 百分之 if it has one."""
    num = m.group("num")
    value = number_value(num)
    if value is None:
        return None
    chinese = num[0] in CN_NUM_CHARS
    start = m.start("cur") if m.group("cur") else m.start("pct") if m.group("pct") else m.start("num")
    q = Quantity(start=start, end=m.end(), value=value, unit=None, chinese=chinese)
    if chinese and _ALL_CN.fullmatch(num):
        # A Chinese numeral swallowed its magnitude: 两百万 parses whole, 三百亿 too.
        q.has_magnitude = any(c in num for c in _MAGNITUDE_CHARS)
    return q


def _read_mega_unit(text: str, q: Quantity) -> None:
    """兆 followed by a unit means mega (兆瓦, 兆赫), so the unit table comes before the magnitude."""
    if u := match_unit(text, q.end):
        q.unit, q.value, q.end = u[0].unit, q.value * u[0].factor, u[1]


def _read_magnitude(text: str, q: Quantity) -> None:
    """万/亿/million/B after the number, and 多/余/几 on either side of it (100多亿: at least)."""
    if (o := _OPEN.match(text, q.end)) and ZH_MAGNITUDE.match(text, o.end()):
        q.qualifier, q.end = "at_least", o.end()
    if mm := ZH_MAGNITUDE.match(text, q.end):
        q.value, q.end, q.has_magnitude = q.value * ZH_MAGNITUDES[mm.group(0)], mm.end(), True
    elif not q.chinese and (mm := EN_MAGNITUDE.match(text, q.end)):
        word = (mm.group(1) or mm.group(2)).lower()
        # 'B' before 'B/s' or 'T' before 'B/s' belongs to a unit, not a magnitude.
        if not (word in EN_MAGNITUDE_LETTERS and _UNIT_NEXT.match(text[mm.end():mm.end() + 3] or " ")):
            q.value, q.end, q.has_magnitude = q.value * EN_MAGNITUDES[word], mm.end(), True
    if (o := _OPEN.match(text, q.end)) and q.has_magnitude:
        q.qualifier, q.end = "at_least", o.end()


def _read_precision(text: str, q: Quantity) -> None:
    """A precision written between the number and its unit: 4 PFLOPS FP8 / 10 FP8 PFLOPS."""
    if (pm := _PRECISION_AT.match(text, q.end)) and match_unit(text, pm.end()):
        q.precision, q.end = pm.group(1).upper(), pm.end()


def _read_unit(text: str, q: Quantity, cur: str | None, yuan: str) -> None:
    if cur:
        q.unit = _CUR_PREFIX[cur.upper()]
        if (u := match_unit(text, q.end)) and u[0].unit == q.unit:
            q.end = u[1]  # "$5 trillion dollars" is still one unit
        return
    u = match_unit(text, q.end)
    if not u:
        return
    unit, end = u
    if unit.unit == "x" and unit.surface in _TIMES_SIGNS and _ARITH_NEXT.match(text, end):
        return  # 4 x 8 is arithmetic, not "four times"
    q.unit, q.value, q.end = unit.unit, q.value * unit.factor, end
    if unit.unit == "LOCAL_YUAN":
        q.unit = yuan
    if unit.unit in _PRECISION_UNITS and not q.precision:
        pm = _PRECISION.search(text, q.end, min(len(text), q.end + 8))
        q.precision = pm.group(1).upper() if pm else None


# --- the words around a quantity in its sentence ----------------------------------------------

def qualifier_of(sent: Sentence, q: Quantity) -> str:
    """approx / at_least / at_most from the words just before or after the number, within its clause."""
    if q.qualifier != "exact":
        return q.qualifier
    text, clause_start = sent.text, sent.clause(q.start).start
    before = text[max(clause_start, q.start - 8):q.start]
    after = text[q.end:q.end + 8]
    if _AT_LEAST_BEFORE.search(before) or _AT_LEAST_AFTER.match(after):
        return "at_least"
    if _AT_MOST_OF.search(text[max(clause_start, q.start - 24):q.start]):
        return "at_most"  # 达不到NVIDIA产量的一半: the bound comes before the thing measured
    if _AT_MOST_BEFORE.search(before) or _AT_MOST_AFTER.match(after):
        return "at_most"
    if _APPROX_BEFORE.search(before) or _APPROX_AFTER.match(after):
        return "approx"
    return "exact"


def is_not_claim(sent: Sentence, m: re.Match, q: Quantity) -> bool:
    """A number that names, dates, counts digits or lists rather than asserts a quantity."""
    return _part_of_name(sent, m, q) or _time_or_span(sent, m, q) or _says_nothing(sent, m, q)


def _part_of_name(sent: Sentence, m: re.Match, q: Quantity) -> bool:
    text, s, e = sent.text, m.start("num"), m.end("num")
    if sent.in_name(s):  # part of an entity name: H200, CloudMatrix 384, 标普500
        return True
    if s > 0 and _GLUE_BEFORE.match(text, s - 1) and not m.group("cur"):
        if not (text[s - 1] == "." and s > 1 and text[s - 2].isspace()):
            return True  # glued to a name: Trainium3, GPT-4, 轰-6K
    if e < len(text) and _LATIN.match(text, e) and q.unit is None:
        return True
    return bool(_SKIP_BEFORE.search(text[max(0, s - 3):s]))  # 第10次, No. 5, #3


def _time_or_span(sent: Sentence, m: re.Match, q: Quantity) -> bool:
    text, s, e = sent.text, m.start("num"), m.end("num")
    if _CLOCK_BEFORE.search(text[max(0, s - 3):s]):
        return True  # 下午1点 is a time of day
    if q.unit is None and _TIME_AFTER.match(text[q.end:q.end + 6]):
        return True
    if _DURATION_AFTER.match(text[e:e + 8]) or (q.unit is None and _DURATION_AFTER.match(text[q.end:q.end + 8])):
        return True  # 21个月, 43天, 两位数: time spans and digit counts, not quantities
    return q.unit is None and bool(_YEAR.fullmatch(m.group("num")))  # a year


def _says_nothing(sent: Sentence, m: re.Match, q: Quantity) -> bool:
    text, s = sent.text, m.start("num")
    if q.chinese and q.unit is None:
        return True  # 十五五, 一起: a Chinese numeral needs a unit to be a quantity
    if q.chinese and q.unit in ("count", "points") and q.value == 1:
        return True  # 一家公司, 一位分析师, 一点: an article or "a bit", not a count
    if (s == sent.start or text[sent.start:s].strip() == "") and _LIST_MARK.match(text, s):
        return True  # 1) or 一、 opening the sentence
    return q.unit is None and not q.has_magnitude  # a bare number says nothing we can normalise


def bare_unit(sent: Sentence, q: Quantity, m: re.Match) -> None:
    """A number without a unit is still a quantity when written with separators (12,000) or
    as an index level after 收报/报/至/closed at in a sentence naming an index."""
    num = m.group("num")
    if _YEAR.fullmatch(num):
        return
    clause_start = sent.clause(q.start).start
    if sent.has_index and _LEVEL_AFTER_WORDS.search(sent.text[max(clause_start, q.start - 10):q.start]):
        q.unit = "points"
    elif "," in num and _THOUSANDS.fullmatch(num):
        q.unit = "count"


def refine_units(sent: Sentence, qs: list[Quantity]) -> None:
    """Units that depend on the words around the number or on the rest of the sentence."""
    per_day = _PER_DAY.search(sent.body)
    params = _PARAM_CONTEXT.search(sent.body)
    for q in qs:
        if q.unit in MONEY:
            _per_commodity_unit(sent, q)
        elif q.unit == "barrels" and per_day:
            q.unit = "barrels/day"
            if sent.text[max(sent.start, q.start - 2):q.start] == "每日":
                q.start -= 2
        elif q.unit == "count" and q.has_magnitude and params and not q.chinese:
            q.unit = "params"  # 671B, 37B in a sentence about parameters


def _per_commodity_unit(sent: Sentence, q: Quantity) -> None:
    """每桶80美元, $80 a barrel, 80美元/盎司: a price per barrel, ounce, ton or bushel."""
    text = sent.text
    before = text[max(sent.start, q.start - 4):q.start]
    for word, unit in _PER_BEFORE.items():
        if before.endswith(word):
            q.unit, q.start = unit, q.start - len(word)
            return
    if (pm := _PER_AFTER.match(text[q.end:q.end + 12])) and q.unit == "USD":
        q.unit, q.end = _PER_UNIT[pm.group(1).lower()], q.end + pm.end()


def try_range(sent: Sentence, q: Quantity, m: re.Match) -> None:
    """4000至6000人, 10%至12%, 3–4GB, between 10 and 12 percent: one claim with low and high."""
    text = sent.text
    rm = _RANGE.match(text, q.end)
    if not rm:
        return
    before = text[max(sent.clause(q.start).start, q.start - 10):q.start]
    if _FROM.search(before) or _FROM_GLUED.search(before):
        return  # from A to B is a change, linked later
    if rm.group(1).lower() == "and" and not _BETWEEN.search(before):
        return
    m2 = NUM_START.match(text, rm.end())
    if not m2 or m2.group("cur") and q.unit and q.unit not in MONEY:
        return
    q2 = read_quantity(text, m2, sent.yuan)
    if q2 is None or q2.unit is None or (q.unit and q.unit != q2.unit):
        return
    low = q.value
    if q.unit is None:
        # the first number borrows the second's magnitude and unit factor: 3–4GB, 4000至6000人
        raw = number_value(m2.group("num"))
        low = q.value * (q2.value / raw if raw else 1.0)
    if not (0 <= low <= q2.value <= 10 * low):
        return  # 增加1.2万个至767.0万个 is a change and a level, not a range
    q.value = low
    q.low, q.high, q.unit, q.end = low, q2.value, q2.unit, q2.end
    q.precision = q.precision or q2.precision
    if q2.qualifier != "exact" and q.qualifier == "exact":
        q.qualifier = q2.qualifier


def link_changes(sent: Sentence, qs: list[Quantity]) -> None:
    """One claim with its previous value: 从68美元上调至80美元, 从今年底的7万片扩增至明年底的10万片,
    from $68 to $80, and "rose to $12.4 billion from $11.1 billion"."""
    text = sent.text
    for i, a in enumerate(qs):
        if a.consumed:
            continue
        if _FROM_NEAR.search(text[max(sent.start, a.start - 10):a.start]):
            for b in qs[i + 1:i + 3]:
                gap = text[a.end:b.start]
                if b.unit == a.unit and len(gap) <= 20 and _TO_NEAR.search(gap):
                    b.previous_value = a.value
                    a.consumed = True
                    break
        elif i + 1 < len(qs) and qs[i + 1].unit == a.unit and a.previous_value is None:
            b = qs[i + 1]
            if _THEN_FROM.match(text[a.end:b.start]):  # A ... from B: B is where A came from
                a.previous_value = b.value
                b.consumed = True
