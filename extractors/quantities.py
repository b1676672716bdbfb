"""Quantities in a sentence: a number with its magnitude, unit, range, qualifier and the
previous value of a change, in base units. Pure functions over Simplified-folded text.

    >>> read_quantity("营收为两百万美元", NUM_START.search("营收为两百万美元"), "CNY").value
    2000000.0
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from extractors.numbers import ARABIC, CN_NUM_CHARS, EN_MAGNITUDES, ZH_MAGNITUDES, parse_number
from extractors.units import match_unit

MONEY = {"USD", "CNY", "TWD", "HKD", "EUR", "JPY", "GBP", "CAD", "KRW", "AUD", "CHF"}
_CUR_PREFIX = {"us$": "USD", "nt$": "TWD", "hk$": "HKD", "a$": "AUD", "c$": "CAD", "$": "USD", "€": "EUR",
               "£": "GBP", "¥": "CNY", "￥": "CNY", "rmb": "CNY", "usd": "USD", "eur": "EUR"}
_EN_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
             "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
             "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12, "half": 0.5}
NUM_START = re.compile(
    r"(?P<cur>US\$|NT\$|HK\$|A\$|C\$|\$|€|£|¥|￥)?\s?"
    rf"(?P<pct>百分之)?(?P<num>{ARABIC}|一半|[零〇一二两三四五六七八九十百千][{CN_NUM_CHARS}]*|\b(?:{'|'.join(_EN_WORDS)})\b)", re.I)
# Quantities written as words: 四分之三, 减半, 翻倍, a third, double, 数兆, 十几, hundreds of.
WORDY = re.compile(
    r"(?P<frac>[一二三四五六七八九十\d]+分之[一二三四五六七八九十\d]+)"
    r"|(?P<halve>减半|腰斩)|(?P<double>翻倍|翻番|翻一番|\bdoubled?\b|\btripled?\b)"
    r"|(?P<enfrac>\b(?:a|one|two|three)\s+(?:third|quarter)s?\b)"
    r"|(?P<vague>(?:数|几)(?=[十百千万亿兆拍])|十几(?=[个家名位人万亿]))"
    r"|(?P<envague>\b(?:hundreds|thousands|millions|billions|tens of thousands|dozens)\s+of\b)", re.I)
_EN_FRAC = {"third": 100 / 3, "quarter": 25.0}
_VAGUE_EN = {"dozens": 12, "hundreds": 100, "thousands": 1e3, "tens of thousands": 1e4, "millions": 1e6,
             "billions": 1e9}
_ZH_MAG = re.compile("|".join(sorted(ZH_MAGNITUDES, key=len, reverse=True)))
_EN_MAG = re.compile(r"\s?(thousand|million|billion|trillion|mln|mn|bn|tn)\b|(k|m|b|t)(?![a-z])", re.I)
_OPEN = re.compile(r"多|余|几")
_RANGE = re.compile(r"\s?(至|到|-|–|—|~|～|to|and)\s?", re.I)
_PRECISION = re.compile(r"\b(FP\d{1,2}|BF16|MXFP\d|INT\d|TF32)\b", re.I)
_PRECISION_AT = re.compile(r"\s?(FP\d{1,2}|BF16|MXFP\d|INT\d|TF32)\b", re.I)
_APPROX_BEFORE = re.compile(r"(约为|约合|约达|大约|约|近|将近|接近|大概|估计|预计约|about|around|roughly|approximately|nearly|almost|close to|some|~|≈)\s*$", re.I)
_AT_LEAST_BEFORE = re.compile(r"(逾|超过|至少|不少于|多于|more than|over|at least|above|upwards of|in excess of|exceeding)\s*$", re.I)
_AT_MOST_BEFORE = re.compile(r"(最高可达|最多可达|最高达|不到|低于|最多|高达|至多|不足|不超过|少于|less than|under|up to|at most|below|fewer than|as much as|as many as)\s*$", re.I)
_AT_MOST_OF = re.compile(r"(达不到|不到|不足|低于|少于|不及)[^，,。；;0-9]{0,14}的\s*$")
_APPROX_AFTER = re.compile(r"^\s*(左右|上下|附近)")
_AT_LEAST_AFTER = re.compile(r"^\s*(以上|多|余|\+|or more|plus)")
_AT_MOST_AFTER = re.compile(r"^\s*(以下|以内|之内|or less)")
_FROM = re.compile(r"(从|由|from)\s*$", re.I)
_FROM_NEAR = re.compile(r"(从|由|\bfrom\b)[^，,。；;0-9]{0,8}$", re.I)
_TO_NEAR = re.compile(r"(至|到|\bto\b)[^，,。；;0-9]{0,8}$", re.I)
_THEN_FROM = re.compile(r"^[^。;；.!?0-9]{0,24}?\bfrom\s+(?:about\s+|roughly\s+|around\s+|nearly\s+|some\s+)?$", re.I)
_CLOCK_BEFORE = re.compile(r"(上午|下午|凌晨|晚上|中午|早上|傍晚|晚间)\s*$")
_ALL_CN = re.compile(r"[一二两三四五六七八九十百千万亿兆零〇]+")
_UNIT_NEXT = re.compile(r"[bB/]|[A-Za-z]")
_ARITH_NEXT = re.compile(r"\s?[\d(]")
_CHENG_WORD = re.compile(r"成[长为功本交立员熟果绩型员品]")
_GLUE_BEFORE = re.compile(r"[A-Za-z\-_/.]")
_LATIN = re.compile(r"[A-Za-z]")
_YEAR = re.compile(r"(19|20)\d{2}")
_TIME_AFTER = re.compile(r"^\s*(年|月|日|号|季度|财年|财季|周年|年代|世纪|点\d|时\d|:\d|GMT|ET\b|UTC|BST|EST|a\.m\.|p\.m\.|am\b|pm\b)", re.I)
_DURATION_AFTER = re.compile(r"^\s*(多|余|几)?\s*(天|周|个月|个星期|个小时|个交易日|个工作日|年内|年间|年来|小时|分钟|位数|days?|weeks?|months?|years?|hours?|minutes?|-day|-week|-month|-year)", re.I)
_PER_BEFORE = {"每桶": "USD/barrel", "每盎司": "USD/oz", "每吨": "USD/ton", "每蒲式耳": "USD/bushel"}
_PER_AFTER = re.compile(r"^\s*(?:/|per|an?|一)\s*(桶|盎司|吨|蒲式耳|barrel|ounce|oz|ton|tonne|bushel)\b", re.I)
_PER_UNIT = {"桶": "USD/barrel", "barrel": "USD/barrel", "盎司": "USD/oz", "ounce": "USD/oz", "oz": "USD/oz",
             "吨": "USD/ton", "ton": "USD/ton", "tonne": "USD/ton", "蒲式耳": "USD/bushel", "bushel": "USD/bushel"}
_LEVEL_AFTER_WORDS = re.compile(r"(报|收报|收于|至|to|at|closed at|ended at|settled at)\s*$", re.I)
_PARAM_CONTEXT = re.compile(r"参数|参\b|总参|parameters?|params|激活|activated|active", re.I)
_SKIP_BEFORE = re.compile(r"(第|No\.\s?|#|第\s)$", re.I)
_LIST_MARK = re.compile(r"^\s*(\d{1,2}|[一二三四五六七八九十]{1,2})\s*[)）、.](?!\d)")


@dataclass
class Quantity:
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
    consumed: bool = False
    extra: dict = field(default_factory=dict)


def number_value(s: str) -> float | None:
    s2 = s.lower()
    if s2 in _EN_WORDS:
        return float(_EN_WORDS[s2])
    try:
        return parse_number(s)
    except (ValueError, KeyError):
        return None


def wordy_quantity(text: str, m: re.Match, yuan: str) -> Quantity | None:
    """四分之三 -> 75%, 减半 -> 50% (a fall), 翻倍/double -> 2x, a third -> 33.3%, 数兆参数 -> at
    least 1e12 params, 十几家 -> at least 10, hundreds of chips -> at least 100."""
    g = m.lastgroup
    word = m.group(0)
    q = Quantity(start=m.start(), end=m.end(), value=None, unit=None)
    if g == "frac":
        den, num = word.split("分之")
        d, n = number_value(den), number_value(num)
        if not d or n is None:
            return None
        q.value, q.unit = round(100 * n / d, 2), "%"
    elif g == "halve":
        q.value, q.unit, q.extra["sign"] = 50.0, "%", -1
    elif g == "double":
        q.value, q.unit = (3.0 if word.lower().startswith("tripl") else 2.0), "x"
    elif g == "enfrac":
        count, frac = word.lower().split()[0], word.lower().split()[-1].rstrip("s")
        q.value, q.unit = round(_EN_FRAC[frac] * {"a": 1, "one": 1, "two": 2, "three": 3}[count], 2), "%"
    elif g == "vague":
        q.qualifier = "at_least"
        pos = m.end()
        if word == "十几":
            q.value = 10.0
        else:
            mm = _ZH_MAG.match(text, pos)
            if mm:
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
        if q.unit is None:
            return None
    elif g == "envague":
        key = re.sub(r"\s+of$", "", word.lower())
        u = match_unit(text, m.end())
        if not u or u[0].unit != "count":
            return None
        q.value, q.unit, q.qualifier, q.end = float(_VAGUE_EN[key]), "count", "at_least", u[1]
    return q


@functools.lru_cache(maxsize=1)
def _after_cn_numeral() -> frozenset[str]:
    """Characters that can follow a Chinese numeral in a quantity: magnitudes, 多/余/几, 成,
    and the first character of every unit surface. Anything else (统一, 一直) is not a number."""
    from extractors.units import unit_table
    firsts = {c for c in unit_table()[0] if not c.isascii()}
    return frozenset(firsts | set("万亿兆千百十多余几成倍%％ ") | set("0123456789"))


def read_quantity(text: str, m: re.Match, yuan: str) -> Quantity | None:
    """Extend a number match rightwards over magnitude, open-ended marker and unit."""
    num = m.group("num")
    if num[0] in CN_NUM_CHARS and not m.group("pct") and num != "一半":
        nxt = text[m.end():m.end() + 1]
        if nxt not in _after_cn_numeral():
            return None  # 统一, 一直, 十五五: a numeral character that starts no quantity
    if num.lower() in ("一半", "half"):
        return Quantity(start=m.start("num"), end=m.end("num"), value=50.0, unit="%")
    value = number_value(num)
    if value is None:
        return None
    chinese = num[0] in CN_NUM_CHARS
    start = m.start("cur") if m.group("cur") else m.start("pct") if m.group("pct") else m.start("num")
    q = Quantity(start=start, end=m.end(), value=value, unit=None, chinese=chinese)
    if chinese and _ALL_CN.fullmatch(num):
        # A Chinese numeral swallowed its magnitude: 两百万 parses whole, 三百亿 too.
        q.has_magnitude = any(c in num for c in "百千万亿兆")
    pos = m.end()
    cur = m.group("cur")
    if m.group("pct"):
        q.unit = "%"
    # 兆 followed by a unit means mega (兆瓦), so try the unit table first there.
    if not q.unit and text.startswith("兆", pos):
        u = match_unit(text, pos)
        if u:
            q.unit, q.value, pos = u[0].unit, q.value * u[0].factor, u[1]
    if not q.unit:
        if (o := _OPEN.match(text, pos)) and _ZH_MAG.match(text, o.end()):
            q.qualifier, pos = "at_least", o.end()
        if mm := _ZH_MAG.match(text, pos):
            q.value, pos, q.has_magnitude = q.value * ZH_MAGNITUDES[mm.group(0)], mm.end(), True
        elif not chinese and (mm := _EN_MAG.match(text, pos)):
            word = (mm.group(1) or mm.group(2)).lower()
            nxt = text[mm.end():mm.end() + 3]
            # 'B' before 'B/s' or 'T' before 'B/s' belongs to a unit, not a magnitude.
            if not (word in "kmbt" and _UNIT_NEXT.match(nxt or " ")):
                q.value, pos, q.has_magnitude = q.value * EN_MAGNITUDES[word], mm.end(), True
        if (o := _OPEN.match(text, pos)) and q.has_magnitude:
            q.qualifier, pos = "at_least", o.end()
        if (pm := _PRECISION_AT.match(text, pos)) and match_unit(text, pm.end()):
            q.precision, pos = pm.group(1).upper(), pm.end()
        if cur:
            q.unit = _CUR_PREFIX[cur.lower()]
            if u := match_unit(text, pos):  # "$5 trillion dollars" is still one unit
                if u[0].unit == q.unit:
                    pos = u[1]
        elif u := match_unit(text, pos):
            unit = u[0]
            if not (unit.unit == "x" and unit.surface in ("x", "×") and _ARITH_NEXT.match(text, u[1])):
                q.unit, q.value, pos = unit.unit, q.value * unit.factor, u[1]
                if unit.unit == "LOCAL_YUAN":
                    q.unit = yuan
                if unit.unit in ("FLOPS", "bytes", "params") and not q.precision:
                    pm = _PRECISION.search(text, pos, min(len(text), pos + 8))
                    q.precision = pm.group(1).upper() if pm else None
    if not q.unit and text.startswith("成", pos) and not _CHENG_WORD.match(text, pos):
        q.unit, q.value, pos = "%", q.value * 10, pos + 1  # 四成 = 40%, 逾五成
    if not q.unit and q.has_magnitude and not chinese:
        q.unit = "count"
    q.end = pos
    return q


def qualifier_of(text: str, q: Quantity, clause_start: int) -> str:
    if q.qualifier != "exact":
        return q.qualifier
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


def is_not_claim(text: str, m: re.Match, q: Quantity, sent_start: int, taken: list[tuple[int, int]]) -> bool:
    s, e = m.start("num"), m.end("num")
    if any(a <= s < b for a, b in taken):  # part of an entity name: H200, CloudMatrix 384, 标普500
        return True
    before = text[max(0, s - 3):s]
    if s > 0 and _GLUE_BEFORE.match(text, s - 1) and not m.group("cur"):
        if not (text[s - 1] == "." and s > 1 and text[s - 2].isspace()):
            return True  # glued to a name: Trainium3, GPT-4, 轰-6K
    if e < len(text) and _LATIN.match(text, e) and q.unit is None:
        return True
    if _SKIP_BEFORE.search(before):
        return True
    if _CLOCK_BEFORE.search(text[max(0, s - 3):s]):
        return True  # 下午1点 is a time of day
    if q.unit is None and _TIME_AFTER.match(text[q.end:q.end + 6]):
        return True
    if _DURATION_AFTER.match(text[e:e + 8]) or (q.unit is None and _DURATION_AFTER.match(text[q.end:q.end + 8])):
        return True  # 21个月, 43天, 两位数: time spans and digit counts, not quantities
    if q.unit is None and _YEAR.fullmatch(m.group("num")):
        return True  # a year
    if q.chinese and q.unit is None:
        return True  # 十五五, 一起: a Chinese numeral needs a unit to be a quantity
    if q.chinese and q.unit in ("count", "points") and q.value == 1:
        return True  # 一家公司, 一位分析师, 一点: an article or "a bit", not a count
    if s == sent_start or text[sent_start:s].strip() == "":
        if _LIST_MARK.match(text, s):
            return True
    if q.unit is None and not q.has_magnitude:
        return True  # a bare number says nothing we can normalise
    return False


def bare_unit(text: str, q: Quantity, m: re.Match, cs: int, has_index: bool) -> None:
    """A number without a unit is still a quantity when written with separators (12,000) or
    as an index level after 收报/报/至/closed at in a sentence naming an index."""
    num = m.group("num")
    if _YEAR.fullmatch(num):
        return
    if has_index and _LEVEL_AFTER_WORDS.search(text[max(cs, q.start - 10):q.start]):
        q.unit = "points"
    elif "," in num and re.fullmatch(r"\d{1,3}(,\d{3})+", num):
        q.unit = "count"


def refine_units(text: str, qs: list[Quantity], ss: int, se: int) -> None:
    """Units that depend on the words around the number or on the rest of the sentence."""
    sent = text[ss:se]
    per_day = re.search(r"桶/日|桶/天|每日|日均|/日|per day|a day|b/d|bpd", sent, re.I)
    params = _PARAM_CONTEXT.search(sent)
    for q in qs:
        if q.unit in MONEY:
            before = text[max(ss, q.start - 4):q.start]
            for word, unit in _PER_BEFORE.items():
                if before.endswith(word):
                    q.unit, q.start = unit, q.start - len(word)
                    break
            else:
                if (pm := _PER_AFTER.match(text[q.end:q.end + 12])) and q.unit == "USD":
                    q.unit, q.end = _PER_UNIT[pm.group(1).lower()], q.end + pm.end()
        elif q.unit == "barrels" and per_day:
            q.unit = "barrels/day"
            if text[max(ss, q.start - 2):q.start] == "每日":
                q.start -= 2
        elif q.unit == "count" and q.has_magnitude and params and not q.chinese:
            q.unit = "params"  # 671B, 37B in a sentence about parameters


def try_range(text: str, q: Quantity, m: re.Match, yuan: str, cs: int) -> None:
    """4000至6000人, 10%至12%, 3–4GB, between 10 and 12 percent: one claim with low and high."""
    rm = _RANGE.match(text, q.end)
    if not rm:
        return
    conn = rm.group(1).lower()
    before = text[max(cs, q.start - 10):q.start]
    if _FROM.search(before) or re.search(r"(从|由|from)\S{0,6}$", before, re.I):
        return  # from A to B is a change, linked later
    if conn == "and" and not re.search(r"between\s*$", before, re.I):
        return
    m2 = NUM_START.match(text, rm.end())
    if not m2 or m2.group("cur") and q.unit and q.unit not in MONEY:
        return
    q2 = read_quantity(text, m2, yuan)
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


def link_changes(text: str, qs: list[Quantity], ss: int, se: int) -> None:
    """One claim with its previous value: 从68美元上调至80美元, 从今年底的7万片扩增至明年底的10万片,
    from $68 to $80, and "rose to $12.4 billion from $11.1 billion"."""
    for i, a in enumerate(qs):
        if a.consumed:
            continue
        if _FROM_NEAR.search(text[max(ss, a.start - 10):a.start]):
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
