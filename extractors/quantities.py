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
    CN_DIGITS,
    CN_NUM_CHARS,
    EN_DENOMINATORS,
    EN_MAGNITUDE,
    EN_MAGNITUDES,
    EN_SCALES,
    ZH_MAGNITUDE,
    ZH_MAGNITUDES,
    parse_number,
    parse_pair,
)
from extractors.patterns import load
from extractors.sentence import Sentence
from extractors.units import match_unit

_RULES = load("quantities")
MONEY = frozenset(_RULES.list("money"))
_CUR_PREFIX = {**_RULES.dictionary("currency_prefixes"), **_RULES.dictionary("currency_codes")}
_HALF_WORDS = _RULES.list("half_words")
_CHENG_HALF = _RULES.list("cheng_half")
_WORD_MULTIPLES = {k.lower(): v for k, v in _RULES.dictionary("word_multiples", float).items()}
_WORD_BASIS_POINTS = _RULES.dictionary("word_basis_points", float)
_LITERAL_SIGNS = _RULES.dictionary("literal_signs", int)
_SIGNED_UNITS = frozenset(_RULES.list("signed_units"))
_PER_SECOND_UNITS = _RULES.dictionary("per_second_units")
_MAGNITUDE_CHARS = _RULES.list("magnitude_chars")
_AFTER_CN_NUMERAL = _RULES.list("after_cn_numeral")
_VAGUE_EN = _RULES.dictionary("vague_en", float)
_PRECISION_UNITS = _RULES.list("precision_units")
_TIMES_SIGNS = _RULES.list("times_signs")
_PER_BEFORE = _RULES.dictionary("per_before")
_PER_UNIT = _RULES.dictionary("per_unit")
_PRICE_PER_UNITS = frozenset(_PER_BEFORE.values()) | frozenset(_PER_UNIT.values())

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
_CHENG_TAIL = _RULES.regex("cheng_tail")
_SIGN_LEAD = _RULES.regex("sign_lead")
_INCREASE_BY = _RULES.regex("increase_by_before")
_PER_SECOND = _RULES.regex("per_second_before")
_UNIT_MODIFIER = _RULES.regex("unit_modifier")
_POUNDS_WEIGHT_AFTER = _RULES.regex("pounds_weight_after")
_POUNDS_WEIGHT_WORDS = _RULES.regex("pounds_weight_words")
_DEFINITION = _RULES.regex("definition")
_AFTER_VERSION = _RULES.regex("after_version")
_PER_SECOND_COMPUTE = _RULES.regex("per_second_compute")
_SHARE_WHOLE = _RULES.regex("share_whole_before")
_HALF_NOT = _RULES.regex("half_not")
_PRICE_WORDS = _RULES.regex("price_words")
_YEN_IN_ENGLISH = _RULES.dictionary("yen_in_english")
_CJK = _RULES.regex("cjk")


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


def _multiple(text: str, m: re.Match, q: Quantity) -> Quantity:
    q.value, q.unit = _WORD_MULTIPLES[m.group(0).lower()], "x"  # 翻倍, doubled, halved, twice as
    return q


def _yard(text: str, m: re.Match, q: Quantity) -> Quantity:
    q.value, q.unit = _WORD_BASIS_POINTS[m.group(0)], "bp"  # 半码
    return q


def _en_ratio(m: re.Match) -> float | None:
    """two thirds -> 2/3, a quarter -> 1/4, one in five -> 1/5, Nine out of 10 -> 9/10."""
    words = re.split(r"[\s-]+", m.group(0).lower())
    num = 1.0 if words[0] in ("a", "an") else number_value(words[0])
    den = number_value(words[-1]) if m.lastgroup == "onein" else EN_DENOMINATORS.get(words[-1])
    return num / den if num is not None and den else None


def _en_fraction(text: str, m: re.Match, q: Quantity) -> Quantity | None:
    """a third, Two-thirds, Nine-tenths, One in five, Nine out of 10: a share, in percent."""
    r = _en_ratio(m)
    if r is None or not 0 < r < 1:  # four quarters is a year, not 100%
        return None
    q.value, q.unit = round(100 * r, 6), "%"
    return q


def _point_fraction(text: str, m: re.Match, q: Quantity) -> Quantity | None:
    """a quarter point, a half-point, three-quarters of a point: percentage points."""
    words = re.split(r"[\s-]+", m.group(0).lower())
    num = 1.0 if words[0] in ("a", "an", "one") else number_value(words[0])
    den = EN_DENOMINATORS.get(words[1])
    if num is None or not den:
        return None
    q.value, q.unit = num / den, "pp"
    return q


def _fold(text: str, m: re.Match, q: Quantity) -> Quantity | None:
    n = number_value(m.group(0).lower().replace("-", "")[:-4])  # sixfold -> six
    if not n:
        return None
    q.value, q.unit = n, "x"
    return q


def _vague_zh(text: str, m: re.Match, q: Quantity) -> Quantity | None:
    """数兆参数, 几百亿美元, 十几家: at least the magnitude, in the unit that follows (a unit is required)."""
    q.qualifier = "at_least"
    pos = m.end()
    if m.group(0) == "十几":
        q.value = 10.0
    elif mm := ZH_MAGNITUDE.match(text, pos):
        q.value, pos = ZH_MAGNITUDES[mm.group(1)], mm.end()
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


_WORDY_READERS = {"frac": _fraction, "halve": _halving, "multiple": _multiple, "yard": _yard,
                  "pointfrac": _point_fraction, "enfrac": _en_fraction, "onein": _en_fraction, "fold": _fold,
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
        if _HALF_NOT.match(text, m.end()):
            return None  # a half-point: read as points among the words
        return Quantity(start=m.start("num"), end=m.end("num"), value=50.0, unit="%")
    q = _numeral(m)
    if q is None:
        return None
    if m.group("pct"):
        q.unit = "%"
    if not q.unit:
        _read_magnitude(text, q)
        _read_precision(text, q)
        _read_unit(text, q, m.group("cur"), yuan)
    if not q.unit and text.startswith("成", q.end) and not _CHENG_WORD.match(text, q.end):
        _read_cheng(text, q)
    if "pair" in q.extra:  # 两三百人: both ends scaled like the number
        q.low, q.high = q.value, q.value * q.extra["pair"]
    _read_literal_sign(text, q, m)
    return q


def _read_cheng(text: str, q: Quantity) -> None:
    """四成 = 40%, 三成三 = 33%, 三成半 = 35%."""
    q.unit, q.value, q.end = "%", q.value * 10, q.end + 1
    if tm := _CHENG_TAIL.match(text, q.end - 1):
        tail = tm.group("tail")
        q.value += 5 if tail in _CHENG_HALF else CN_DIGITS[tail]
        q.end = tm.end()


def _read_literal_sign(text: str, q: Quantity, m: re.Match) -> None:
    """同比-16.5%, (-3.1%), +2.4%: a sign written against a ratio is the move's direction."""
    s = m.start("num")
    if m.group("cur") or m.group("pct") or q.unit not in _SIGNED_UNITS or s < 1 or text[s - 1] not in _LITERAL_SIGNS:
        return
    if s >= 2 and not _SIGN_LEAD.match(text, s - 2):
        return  # 5%-7%, GPT-4
    sign = _LITERAL_SIGNS[text[s - 1]]
    q.start, q.value, q.extra["sign"], q.extra["literal_sign"] = s - 1, sign * q.value, sign, True


def _starts_quantity(text: str, m: re.Match) -> bool:
    num = m.group("num")
    if num[0] in CN_NUM_CHARS and not m.group("pct") and num not in _HALF_WORDS:
        # 统一, 一直, 十五五: a numeral character that starts no quantity; 一万三 is a number whatever follows
        if len(num) > 1 and any(c in num for c in _MAGNITUDE_CHARS):
            return True
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
    if num[:1].isascii() and num[:1].isalpha():
        q.has_magnitude = any(w in EN_SCALES for w in num.lower().replace("-", " ").split())
    else:  # a numeral that swallowed its magnitude: 两百万, 三百亿, 3万4000
        q.has_magnitude = any(c in num for c in _MAGNITUDE_CHARS)
    if chinese and (pair := parse_pair(num)):  # 两三百: 200 to 300, about
        q.value, q.qualifier, q.extra["pair"] = pair[0], "approx", pair[1] / pair[0]
    return q


def _read_magnitude(text: str, q: Quantity) -> None:
    """万/亿/million/B after the number, and 多/余/几 on either side of it (100多亿: at least)."""
    if (o := _OPEN.match(text, q.end)) and ZH_MAGNITUDE.match(text, o.end()):
        q.qualifier, q.end = "at_least", o.end()
    if mm := ZH_MAGNITUDE.match(text, q.end):
        if not (q.end < len(text) and text[q.end] == " " and q.chinese):  # a space only after digits: 59.3 亿
            q.value, q.end, q.has_magnitude = q.value * ZH_MAGNITUDES[mm.group(1)], mm.end(), True
    elif not q.chinese and (mm := EN_MAGNITUDE.match(text, q.end)):
        word = mm.group("word") or mm.group("caps") or mm.group("letter")
        key = word if mm.group("caps") else word.lower()
        # 'B' before 'B/s' or 'T' before 'B/s' belongs to a unit, not a magnitude.
        if not (mm.group("letter") and _UNIT_NEXT.match(text[mm.end():mm.end() + 3] or " ")):
            q.value, q.end, q.has_magnitude = q.value * EN_MAGNITUDES[key], mm.end(), True
            if mm.group("letter"):
                q.extra["letter"] = True  # 37B, 910B: a name unless a unit or parameters say otherwise
    if (o := _OPEN.match(text, q.end)) and q.has_magnitude:
        q.qualifier, q.end = "at_least", o.end()


def _read_precision(text: str, q: Quantity) -> None:
    """A precision written between the number and its unit: 4 PFLOPS FP8 / 10 FP8 PFLOPS."""
    if (pm := _PRECISION_AT.match(text, q.end)) and match_unit(text, pm.end()):
        q.precision, q.end = pm.group(1).upper(), pm.end()


def _read_unit(text: str, q: Quantity, cur: str | None, yuan: str) -> None:
    if cur:
        q.unit = _CUR_PREFIX[cur.upper()]
        q.extra["cur"] = cur
        if (u := match_unit(text, q.end)) and u[0].unit == q.unit:
            q.end = u[1]  # "$5 trillion dollars" is still one unit
        return
    u = match_unit(text, q.end)
    if not u and (mod := _UNIT_MODIFIER.match(text, q.end)):
        u = match_unit(text, mod.end())  # 2.788 million H800 GPU hours
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
    if s > 0 and _GLUE_BEFORE.match(text, s - 1) and not m.group("cur") and not q.extra.get("literal_sign"):
        if not (text[s - 1] == "." and s > 1 and text[s - 2].isspace()):
            return True  # glued to a name: Trainium3, GPT-4, 轰-6K
    if e < len(text) and _LATIN.match(text, e) and q.unit is None:
        return True
    if q.extra.get("letter") and _AFTER_VERSION.search(text[max(0, s - 24):s]):
        return True  # Llama 3.1 405B
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
    if q.chinese and q.unit in ("count", "points") and q.value == 1 and q.high is None:
        return True  # 一家公司, 一位分析师, 一点: an article or "a bit", not a count
    if (s == sent.start or text[sent.start:s].strip() == "") and _LIST_MARK.match(text, s):
        return True  # 1) or 一、 opening the sentence
    if _SHARE_WHOLE.search(text[max(sent.start, s - 16):s]):
        return True  # the 10 of 'Nine out of 10'
    if _DEFINITION.search(sent.body):
        return True  # One basis point is one hundredth of a percentage point
    return q.unit is None  # a bare number says nothing we can normalise


def bare_unit(sent: Sentence, q: Quantity, m: re.Match) -> None:
    """A number without a unit is still a quantity when written with separators (12,000) or
    as an index level after 收报/报/至/closed at in a sentence naming an index."""
    num = m.group("num")
    if q.chinese:
        if q.has_magnitude and q.value >= 100 and _PRICE_WORDS.search(sent.text, sent.clause(q.start).start, q.start):
            q.unit = sent.yuan  # 售价从三万九降到三万四: a price needs no 元
        return
    if _YEAR.fullmatch(num):
        return
    clause_start = sent.clause(q.start).start
    if sent.has_index and _LEVEL_AFTER_WORDS.search(sent.text[max(clause_start, q.start - 10):q.start]):
        q.unit = "points"
    elif "," in num and _THOUSANDS.fullmatch(num):
        q.unit, q.extra["bare"] = "count", True
    elif q.has_magnitude and not (q.extra.get("letter") and not _PARAM_CONTEXT.search(sent.body)):
        q.unit = "count"  # 2.5 million, 3万; but 910B is a chip unless the sentence is about parameters


def refine_units(sent: Sentence, qs: list[Quantity]) -> None:
    """Units that depend on the words around the number or on the rest of the sentence."""
    per_day = _PER_DAY.search(sent.body)
    params = _PARAM_CONTEXT.search(sent.body)
    for q in qs:
        if q.extra.get("cur") in _YEN_IN_ENGLISH and not _CJK.search(sent.body):
            q.unit = _YEN_IN_ENGLISH[q.extra["cur"]]
        if q.unit == "POUNDS":
            _pounds(sent, q)
        elif q.unit == "x" and _INCREASE_BY.search(sent.text[max(sent.start, q.start - 8):q.start]):
            q.unit, q.value = "%", q.value * 100  # 增加一倍 is +100%, 增长了两倍 +200%
        elif q.unit in _PER_SECOND_UNITS and _PER_SECOND.search(sent.text[max(sent.start, q.start - 3):q.start]) \
                and (q.unit != "count" or _PER_SECOND_COMPUTE.search(sent.body)):
            q.unit = _PER_SECOND_UNITS[q.unit]  # 每秒1.2TB
            q.start = _PER_SECOND.search(sent.text, max(sent.start, q.start - 3), q.start).start()
        if q.unit in MONEY:
            _per_commodity_unit(sent, q)
        elif q.unit == "barrels" and per_day:
            q.unit = "barrels/day"
            if sent.text[max(sent.start, q.start - 2):q.start] == "每日":
                q.start -= 2
        elif q.unit == "count" and q.has_magnitude and params and not q.chinese:
            q.unit = "params"  # 671B, 37B in a sentence about parameters
    _share_units(qs)


def _share_units(qs: list[Quantity]) -> None:
    """Settled down $1.12 at $68.70 per barrel: a smaller dollar move beside a per-barrel price is
    per barrel too. The Dow fell 432 points to 42,840: a bare level beside index points is points."""
    per = next((q for q in qs if q.unit in _PRICE_PER_UNITS), None)
    points = any(q.unit == "points" for q in qs)
    for q in qs:
        if per and q.unit == "USD" and not q.has_magnitude and abs(q.value) <= per.value:
            q.unit, q.extra["price_move"] = per.unit, True
        elif points and q.extra.get("bare"):
            q.unit = "points"


def _pounds(sent: Sentence, q: Quantity) -> None:
    """5 million pounds is sterling; 30,000 pounds of beef and a pack weighing 1,200 pounds are weights."""
    start, end = sent.clause(q.start).start, sent.clause(q.end - 1).end  # 30,000 holds a clause break
    weight = _POUNDS_WEIGHT_AFTER.match(sent.text, q.end, end) or _POUNDS_WEIGHT_WORDS.search(sent.text, start, end)
    q.unit = "pounds" if weight else "GBP"


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
    if q2 is None:
        return
    if q2.unit is None and q2.has_magnitude and (q.unit in MONEY or q.unit is None):
        q2.unit = q.unit  # $1.2-1.4 billion; 3万至5万 (a count, once bare_unit has read it)
    elif q2.unit is None or (q.unit and q.unit != q2.unit):
        return
    low = q.value
    if not q.has_magnitude and (q.unit is None or q.unit in MONEY and q2.has_magnitude):
        # the first number borrows the second's magnitude and unit factor: 3–4GB, 4000至6000人, $1.2-1.4 billion
        raw = number_value(m2.group("num"))
        low = q.value * (q2.value / raw if raw else 1.0)
        q.has_magnitude = q2.has_magnitude
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
