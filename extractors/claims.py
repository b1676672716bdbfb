"""Numeric claims from a sentence: value in base units, unit, range, qualifier, change, sign,
metric, subject and period.

Pure functions over Simplified-folded, length-preserving text (see fold.py); spaCy is only the
caller. Offsets index the original text unchanged.
"""
from __future__ import annotations

import bisect
import functools
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from extractors.numbers import ARABIC, CN_NUM_CHARS, EN_MAGNITUDES, ZH_MAGNITUDES, parse_number
from extractors.periods import Period, find_periods
from extractors.units import Unit, match_unit

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster

DATA = Path(__file__).parent / "data"
log = logging.getLogger(__name__)
MONEY = {"USD", "CNY", "TWD", "HKD", "EUR", "JPY", "GBP", "CAD", "KRW", "AUD", "CHF"}

_CUR_PREFIX = {"us$": "USD", "nt$": "TWD", "hk$": "HKD", "a$": "AUD", "c$": "CAD", "$": "USD", "€": "EUR",
               "£": "GBP", "¥": "CNY", "￥": "CNY", "rmb": "CNY", "usd": "USD", "eur": "EUR"}
_EN_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
             "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
             "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12, "half": 0.5}
_NUM_START = re.compile(
    r"(?P<cur>US\$|NT\$|HK\$|A\$|C\$|\$|€|£|¥|￥)?\s?"
    rf"(?P<pct>百分之)?(?P<num>{ARABIC}|一半|[零〇一二两三四五六七八九十百千][{CN_NUM_CHARS}]*|\b(?:{'|'.join(_EN_WORDS)})\b)", re.I)
# Quantities written as words: 四分之三, 减半, 翻倍, a third, double, 数兆, 十几, hundreds of.
_WORDY = re.compile(
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

_NEG = re.compile(r"(下跌|下降|下滑|下调|跌|降|减少|减|回落|蒸发|缩水|萎缩|亏损|收低|走低|流失|裁减|裁员|削减|裁|"
                  r"fell|fall|falls|dropped|drop|declined|decline|decreased|lost|loss|down|slid|slipped|cut|cuts|"
                  r"shed|plunged|sank|lower|wiped)", re.I)
_POS = re.compile(r"(上涨|上升|增长|增加|增|涨|攀升|走高|收高|回升|提高|提升|上调|rose|rise|rises|gained|gain|"
                  r"increased|increase|up|jumped|climbed|added|grew|higher|raised)", re.I)
_LEVEL_MARK = re.compile(r"(至|到|报|为|收报|收于|达到|达|to|at)\s*$", re.I)
_FROM = re.compile(r"(从|由|from)\s*$", re.I)
_FROM_NEAR = re.compile(r"(从|由|\bfrom\b)[^，,。；;0-9]{0,8}$", re.I)
_TO_NEAR = re.compile(r"(至|到|\bto\b)[^，,。；;0-9]{0,8}$", re.I)
_THEN_FROM = re.compile(r"^[^。;；.!?0-9]{0,24}?\bfrom\s+(?:about\s+|roughly\s+|around\s+|nearly\s+|some\s+)?$", re.I)
_LOSS = re.compile(r"(亏损|净亏|亏|net loss|loss of|losses of)\s*[^，,。0-9]{0,4}$", re.I)
_CLOCK_BEFORE = re.compile(r"(上午|下午|凌晨|晚上|中午|早上|傍晚|晚间)\s*$")
_OR = re.compile(r"^[\s,，]*(or|或|即)\s*$", re.I)
_ALL_CN = re.compile(r"[一二两三四五六七八九十百千万亿兆零〇]+")
_UNIT_NEXT = re.compile(r"[bB/]|[A-Za-z]")
_ARITH_NEXT = re.compile(r"\s?[\d(]")
_CHENG_WORD = re.compile(r"成[长为功本交立员熟果绩型员品]")
_GLUE_BEFORE = re.compile(r"[A-Za-z\-_/.]")
_LATIN = re.compile(r"[A-Za-z]")
_YEAR = re.compile(r"(19|20)\d{2}")
_LEVEL_NEAR = re.compile(r"(至|到|报|为|to|at)\s*\S*\s*$", re.I)
_MAYBE_NUMBER = re.compile(r"[0-9零〇一二两三四五六七八九十百千万亿兆半]|\b(?:one|two|three|four|five|six|seven|eight|"
                           r"nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|dozen|half)\b", re.I)
_CLAUSE = re.compile(r"[，,；;：:。！？!?\n]|(?<=[a-z]) and (?=[a-z])")
_TIME_AFTER = re.compile(r"^\s*(年|月|日|号|季度|财年|财季|周年|年代|世纪|点\d|时\d|:\d|GMT|ET\b|UTC|BST|EST|a\.m\.|p\.m\.|am\b|pm\b)", re.I)
_DURATION_AFTER = re.compile(r"^\s*(多|余|几)?\s*(天|周|个月|个星期|个小时|个交易日|个工作日|年内|年间|年来|小时|分钟|位数|days?|weeks?|months?|years?|hours?|minutes?|-day|-week|-month|-year)", re.I)
_PER_BEFORE = {"每桶": "USD/barrel", "每盎司": "USD/oz", "每吨": "USD/ton", "每蒲式耳": "USD/bushel"}
_PER_AFTER = re.compile(r"^\s*(?:/|per|an?|一)\s*(桶|盎司|吨|蒲式耳|barrel|ounce|oz|ton|tonne|bushel)\b", re.I)
_PER_UNIT = {"桶": "USD/barrel", "barrel": "USD/barrel", "盎司": "USD/oz", "ounce": "USD/oz", "oz": "USD/oz",
             "吨": "USD/ton", "ton": "USD/ton", "tonne": "USD/ton", "蒲式耳": "USD/bushel", "bushel": "USD/bushel"}
_FALL_NOUN = re.compile(r"(跌幅|降幅|减幅|跌去|下降幅度)")
_LEVEL_AFTER_WORDS = re.compile(r"(报|收报|收于|至|to|at|closed at|ended at|settled at)\s*$", re.I)
_PARAM_CONTEXT = re.compile(r"参数|参\b|总参|parameters?|params|激活|activated|active", re.I)
_HALF = re.compile(r"(一半|half|减半|五成)")
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


@functools.lru_cache(maxsize=1)
def metric_rules() -> list[dict]:
    raw = yaml.load((DATA / "metrics.yaml").read_text(encoding="utf-8"), Loader=_YAML_LOADER)["metrics"]
    rules = []
    for r in raw:
        units = set(r.get("units") or [])
        if "MONEY" in units:
            units |= MONEY
        rules.append({"metric": r["metric"], "units": units,
                      "rx": re.compile("|".join(f"(?:{k})" for k in r["keywords"]), re.I)})
    return rules


def metric_vocabulary() -> dict[str, str]:
    raw = yaml.load((DATA / "metrics.yaml").read_text(encoding="utf-8"), Loader=_YAML_LOADER)["metrics"]
    out: dict[str, str] = {}
    for r in raw:
        out.setdefault(r["metric"], r["description"])
    return out


def _number_value(s: str) -> float | None:
    s2 = s.lower()
    if s2 in _EN_WORDS:
        return float(_EN_WORDS[s2])
    try:
        return parse_number(s)
    except (ValueError, KeyError):
        return None


def _wordy_quantity(text: str, m: re.Match, yuan: str) -> Quantity | None:
    """四分之三 -> 75%, 减半 -> 50% (a fall), 翻倍/double -> 2x, a third -> 33.3%, 数兆参数 -> at
    least 1e12 params, 十几家 -> at least 10, hundreds of chips -> at least 100."""
    g = m.lastgroup
    word = m.group(0)
    q = Quantity(start=m.start(), end=m.end(), value=None, unit=None)
    if g == "frac":
        den, num = word.split("分之")
        d, n = _number_value(den), _number_value(num)
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


def _read_quantity(text: str, m: re.Match, yuan: str) -> Quantity | None:
    """Extend a number match rightwards over magnitude, open-ended marker and unit."""
    num = m.group("num")
    if num[0] in CN_NUM_CHARS and not m.group("pct") and num != "一半":
        nxt = text[m.end():m.end() + 1]
        if nxt not in _after_cn_numeral():
            return None  # 统一, 一直, 十五五: a numeral character that starts no quantity
    if num.lower() in ("一半", "half"):
        return Quantity(start=m.start("num"), end=m.end("num"), value=50.0, unit="%")
    value = _number_value(num)
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


def _qualifier(text: str, q: Quantity, clause_start: int) -> str:
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


def _is_not_claim(text: str, m: re.Match, q: Quantity, sent_start: int, taken: list[tuple[int, int]]) -> bool:
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
    if q.chinese and q.unit == "count" and q.value == 1:
        return True  # 一家公司, 一位分析师: an article, not a count
    if s == sent_start or text[sent_start:s].strip() == "":
        if _LIST_MARK.match(text, s):
            return True
    if q.unit is None and not q.has_magnitude:
        return True  # a bare number says nothing we can normalise
    return False


class _Clauses:
    """Clause boundaries of one sentence, found once; each lookup is a binary search."""

    def __init__(self, text: str, start: int, end: int):
        self.start, self.end = start, end
        found = [(m.start(), m.end()) for m in _CLAUSE.finditer(text, start, end)]
        self.breaks_start = [a for a, _ in found]
        self.breaks_end = [b for _, b in found]

    def bounds(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.breaks_end, pos)  # breaks that end at or before pos
        cs = self.breaks_end[i - 1] if i else self.start
        j = bisect.bisect_left(self.breaks_start, pos)
        ce = self.breaks_start[j] if j < len(self.breaks_start) else self.end
        return cs, ce



def _sign(text: str, q: Quantity, cs: int) -> int:
    """-1 when a falling word governs the number in its clause, +1 for a rising word, 0 for none."""
    window = text[cs:q.start]
    if _FALL_NOUN.search(window[-12:]):
        return -1  # 跌幅0.38%, 降幅续缩至2.0%: the size of a fall
    last_neg = max((m.end() for m in _NEG.finditer(window)), default=-1)
    last_pos = max((m.end() for m in _POS.finditer(window)), default=-1)
    last = max(last_neg, last_pos)
    if last < 0:
        return 0
    between = window[last:]
    if _LEVEL_MARK.search(between) or _LEVEL_NEAR.search(between) or len(between) > 25:
        return 0  # 下调至80美元, fell to $58.25: a level, not a move
    return -1 if last_neg > last_pos else 1


LEVEL_TO_CHANGE = {"index_level": "index_change", "price": "price_change", "market_cap": "market_cap_change",
                   "revenue": "revenue_change", "headcount": "headcount_change", "yield": "yield_change",
                   "profit": "profit_change"}
SIGNED_METRICS = {"stock_change", "market_cap_change", "revenue_change", "eps_change", "headcount_change",
                  "index_change", "price_change", "yield_change", "profit_change", "throughput_gain",
                  "imports", "exports", "gdp_growth", "other", "count", "job_openings", "production",
                  "demand", "inflation", "revenue_growth", "cost_reduction"}


@functools.lru_cache(maxsize=64)
def _rules_for(unit: str) -> tuple[dict, ...]:
    return tuple(r for r in metric_rules() if not r["units"] or unit in r["units"])


def _metric(unit: str, clause: str, sentence: str) -> str:
    rules = _rules_for(unit)
    for text in (clause, sentence):
        t = text.lower()
        for r in rules:
            if r["rx"].search(t):
                return r["metric"]
    return "other"


def _is_levelish(text: str, q: Quantity, cs: int) -> bool:
    return bool(_LEVEL_MARK.search(text[max(cs, q.start - 4):q.start]))


_TIER1 = {"company", "product", "model", "country", "index", "commodity"}
_TIER2 = {"organisation", "agency"}


def _eligible(m: dict, tiers: set[str]) -> bool:
    return m["type"] in tiers and not m.get("role")


SPEC_METRICS = {"memory_capacity", "memory_bandwidth", "interconnect_bandwidth", "compute", "latency",
                "process_node", "parameters", "performance_ratio", "throughput_gain", "energy_efficiency",
                "expert_count", "model_dimension"}
_LOCATION_BEFORE = re.compile(r"(在|于|於|\bin|\bto|\bacross|\bfrom)\s*$", re.I)
_BASE_AFTER = re.compile(r"^[^，,。；;]{0,6}?(的|’s|'s)\s*(约|約|近|about|roughly)?\s*$", re.I)


def _subject(q: Quantity, cs: int, ce: int, ss: int, se: int, mentions: list[dict],
             carry: str | None, text: str = "", metric: str = "other", prev: str | None = None) -> str | None:
    """The entity a number is about.

    News sentences put what they are about first: 「X的Y為Z」, "X's Y of Z", and in
    「A分析師將X的目標價從…上調至…」 the analyst firm and analyst are sources, not subjects.
    So: the first company/product/model/country/index/commodity of the number's clause, else the
    subject of the sentence's previous claim ("..., or 0.38%, to 47,560"), else the first of the
    sentence before the number, else the article's running subject, else one right after the
    number, else an organisation or agency. Never a person, a technology, a data source or an
    indicator while something else is named; never a country that is only a place ("在加拿大投资",
    "in Australia"); never the base of a comparison ("约为NVIDIA的5%"). For a chip or model
    figure (memory, bandwidth, compute, parameters...) a named product or model comes first.
    """
    def usable(m) -> bool:
        if m["type"] == "country" and _LOCATION_BEFORE.search(text[max(ss, m["start"] - 7):m["start"]]):
            return False
        if m["end"] <= q.start and _BASE_AFTER.match(text[m["end"]:q.start]) and q.unit in ("%", "x"):
            return False
        return True

    def first(lo: int, hi: int, tiers: set[str]) -> str | None:
        spec = metric in SPEC_METRICS
        pool = [m for m in mentions if lo <= m["start"] and m["end"] <= hi and usable(m)]
        if spec:  # the product or model itself, then the technology (HBM4), then anything else
            for types in ({"product", "model"}, {"technology"}):
                for m in pool:
                    if m["type"] in types and not m.get("role"):
                        return m["id"]
        for m in pool:
            if _eligible(m, tiers):
                return m["id"]
        return None

    return (first(cs, q.start, _TIER1) or prev or first(ss, q.start, _TIER1) or carry
            or first(q.end, ce, _TIER1) or first(ss, se, _TIER2))


def _period(periods: list[Period], q: Quantity, cs: int, ce: int, ss: int, se: int) -> str | None:
    inside = [p for p in periods if not (p.start <= q.start < p.end)]
    clause = [p for p in inside if cs <= p.start < ce]
    pool = clause or [p for p in inside if ss <= p.start < se]
    if not pool:
        return None
    return min(pool, key=lambda p: abs(p.start - q.start))


def default_yuan(lang: str | None, locale: str | None) -> str:
    """A bare 元: TWD in a Taiwan source, HKD in Hong Kong, CNY elsewhere; by script if unknown."""
    if locale in ("TW", "HK"):
        return "TWD" if locale == "TW" else "HKD"
    if locale == "CN":
        return "CNY"
    return "TWD" if lang == "zh-Hant" else "CNY"


def find_claims(text: str, sentences: list[tuple[int, int]], mentions: list[dict],
                published: date | None = None, lang: str | None = None, locale: str | None = None) -> list[dict]:
    """Claims in folded `text`. `mentions`: [{start, end, id, type}], sorted by start."""
    yuan = default_yuan(lang, locale)
    periods = find_periods(text, published)
    out: list[dict] = []
    carry: str | None = None  # the article's running subject: "the company", "its"
    starts = [m["start"] for m in mentions]
    for ss, se in sentences:
        in_sent = mentions[bisect.bisect_left(starts, ss):bisect.bisect_left(starts, se)]
        if not _MAYBE_NUMBER.search(text, ss, se):
            named = [m["id"] for m in in_sent if _eligible(m, _TIER1)]
            carry = named[0] if named else carry
            continue  # no digit, no numeral: nothing to read
        try:
            claims = _sentence_claims(text, ss, se, in_sent, [(m["start"], m["end"]) for m in in_sent],
                                      periods, yuan, carry)
        except Exception:  # an unreadable sentence yields nothing; the rest of the text still counts
            log.debug("claims: skipped sentence at %d", ss, exc_info=True)
            continue
        out += claims
        subjects = [c["subject"] for c in claims if c["subject"]]
        named = [m["id"] for m in in_sent if _eligible(m, _TIER1)]
        carry = subjects[-1] if subjects else (named[0] if named else carry)
        if claims and claims[-1]["unit"] in ("CNY", "TWD", "HKD"):
            yuan = claims[-1]["unit"]
    return out


def _sentence_claims(text: str, ss: int, se: int, mentions: list[dict], taken: list, periods: list[Period],
                     yuan: str, carry: str | None) -> list[dict]:
    out: list[dict] = []
    sent = text[ss:se]
    has_index = any(mm["type"] == "index" for mm in mentions)
    clauses = _Clauses(text, ss, se)
    sent_periods = [p for p in periods if p.start < se and p.end > ss]
    quantities: list[Quantity] = []
    pos = ss
    for m in _NUM_START.finditer(text, ss, se):
        if m.start() < pos:
            continue
        q = _read_quantity(text, m, yuan)
        if q is None:
            continue
        if q.unit in ("CNY", "TWD", "HKD") and not m.group("cur"):
            yuan = q.unit  # an explicit 人民币/新台币 decides the article's later bare 元
        if any(p.start <= m.start("num") < p.end for p in sent_periods):
            continue  # 2027年, 12月18日: time, not quantity
        cs, _ = clauses.bounds(q.start)
        if q.unit is None and not q.chinese:
            _try_range(text, q, m, yuan, cs)
        if q.unit is None and not q.chinese:
            _bare_unit(text, q, m, cs, has_index)
        if _is_not_claim(text, m, q, ss, taken):
            continue
        q.qualifier = _qualifier(text, q, cs)
        if q.low is None:
            _try_range(text, q, m, yuan, cs)
        quantities.append(q)
        pos = q.end
    for m in _WORDY.finditer(text, ss, se):
        if any(q.start <= m.start() < q.end or m.start() <= q.start < m.end() for q in quantities):
            continue
        if any(a <= m.start() < b for a, b in taken):
            continue
        q = _wordy_quantity(text, m, yuan)
        if q is not None:
            cs, _ = clauses.bounds(q.start)
            q.qualifier = _qualifier(text, q, cs)
            quantities.append(q)
    quantities.sort(key=lambda x: x.start)
    _refine_units(text, quantities, ss, se)
    _link_changes(text, quantities, ss, se)
    last_sign, last_end = 0, ss
    prev_subject = None
    for q in quantities:
        if q.consumed:
            continue
        cs, ce = clauses.bounds(q.start)
        clause = text[cs:ce]
        metric = _metric(q.unit, clause, sent)
        value = q.value
        sign = _sign(text, q, cs) if q.previous_value is None else 0
        if q.extra.get("sign"):
            sign = q.extra["sign"]  # 减半 is a fall by construction
        elif not sign and _OR.match(text[last_end:q.start]):
            sign = last_sign  # fell 179.03 points, or 0.38%: the same move twice
        if not sign and metric == "profit" and _LOSS.search(text[max(cs, q.start - 8):q.start]):
            value = -value  # 净亏损6.244亿元 is a negative profit, not a change
        last_sign, last_end = sign, q.end
        if sign and metric in LEVEL_TO_CHANGE and q.unit not in ("USD/barrel", "USD/oz", "USD/ton"):
            metric = LEVEL_TO_CHANGE[metric]  # 下跌179.03点 is a move of the index, not its level
        if sign < 0 and value > 0 and (metric in SIGNED_METRICS or metric in LEVEL_TO_CHANGE.values()):
            value = -value
            if q.low is not None:
                q.low, q.high = -q.high, -q.low
                value = q.low
        subject = _subject(q, cs, ce, ss, se, mentions, carry, text, metric, prev_subject)
        prev_subject = subject or prev_subject
        per = _period(sent_periods, q, cs, ce, ss, se)
        out.append({"start": q.start, "end": q.end, "value": value, "unit": q.unit, "low": q.low,
                    "high": q.high, "qualifier": q.qualifier, "previous_value": q.previous_value,
                    "precision": q.precision, "metric": metric, "subject": subject,
                    "period": per.value if per else None, "sentence_start": ss, "sentence_end": se})
    return out


def _bare_unit(text: str, q: Quantity, m: re.Match, cs: int, has_index: bool) -> None:
    """A number without a unit is still a quantity when written with separators (12,000) or
    as an index level after 收报/报/至/closed at in a sentence naming an index."""
    num = m.group("num")
    if _YEAR.fullmatch(num):
        return
    if has_index and _LEVEL_AFTER_WORDS.search(text[max(cs, q.start - 10):q.start]):
        q.unit = "points"
    elif "," in num and re.fullmatch(r"\d{1,3}(,\d{3})+", num):
        q.unit = "count"


def _refine_units(text: str, qs: list[Quantity], ss: int, se: int) -> None:
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


def _try_range(text: str, q: Quantity, m: re.Match, yuan: str, cs: int) -> None:
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
    m2 = _NUM_START.match(text, rm.end())
    if not m2 or m2.group("cur") and q.unit and q.unit not in MONEY:
        return
    q2 = _read_quantity(text, m2, yuan)
    if q2 is None or q2.unit is None or (q.unit and q.unit != q2.unit):
        return
    low = q.value
    if q.unit is None:
        # the first number borrows the second's magnitude and unit factor: 3–4GB, 4000至6000人
        raw = _number_value(m2.group("num"))
        low = q.value * (q2.value / raw if raw else 1.0)
    if not (0 <= low <= q2.value <= 10 * low):
        return  # 增加1.2万个至767.0万个 is a change and a level, not a range
    q.value = low
    q.low, q.high, q.unit, q.end = low, q2.value, q2.unit, q2.end
    q.precision = q.precision or q2.precision
    if q2.qualifier != "exact" and q.qualifier == "exact":
        q.qualifier = q2.qualifier


def _link_changes(text: str, qs: list[Quantity], ss: int, se: int) -> None:
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