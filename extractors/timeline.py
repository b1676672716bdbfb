"""Which period a claim is for. First the time its own clause names, then its sentence; failing
those, the article's context: the period the article set (a running period, "第三季財報",
"In November", replaced by a newer one) for results, flows and macro figures, and the story's
trading day (周二, "on Tuesday", 今日) for market data. Targets, ratings, survey counts, specs,
deals and dividends never take a period from context.

A running period lives in one story: a briefing item or list entry starts afresh.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from extractors.fiscal import calendars, fiscal_year_of
from extractors.metrics import SPEC_METRICS
from extractors.patterns import load
from extractors.periods import Period, fiscal_reading, nearest_quarter, shifted
from extractors.quantities import Quantity
from extractors.sentence import Sentence

_RULES = load("periods")
_COMPARE_BEFORE = _RULES.regex("compare_before")
_GAP_ZH = _RULES.regex("compare_gap_zh")
_GAP_EN = _RULES.regex("compare_gap_en")
_STORY_START = _RULES.regex("story_start")
_STATED_METRICS = frozenset(_RULES.list("stated_only_metrics"))
_SPEC_UNITS = frozenset(_RULES.list("spec_units"))
_STATED_UNITS = frozenset(_RULES.list("stated_units"))
_STATED_BEFORE = _RULES.regex("stated_before")
_STATED_AFTER = _RULES.regex("stated_after")
_MARKET_METRICS = frozenset(_RULES.list("market_metrics"))
_MARKET_UNITS = frozenset(_RULES.list("market_units"))
_MARKET_WORDS = _RULES.regex("market_words")
_WRAP_WORDS = _RULES.regex("wrap_words")
_RESTATED = _RULES.regex("restated")
_AFTER_GAP = re.compile(r"\s*(?:(?:in|for|during|at|over|through|on)\s+)?(?:the\s+|its\s+)?", re.I)
_OWNER_TYPES = frozenset({"company", "product", "model"})
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"\d[\d,.]*")
_RESPECTIVELY = re.compile(r"分别|respectively", re.I)
_YEAR_RANGE = re.compile(r"\s*(?:至|到|-|–|—|to|through)\s*", re.I)
_CLAUSE_END = re.compile(r"[。；;]")
_BRACKETS = {"(": ")", "（": "）"}
_CLOSERS = frozenset(_BRACKETS.values())


def claim_kind(sent: Sentence, q: Quantity, metric: str) -> str:
    """`spec` (a chip or model figure: dated only by its own clause), `stated` (a target, rating,
    survey count, deal or dividend: dated only by its own sentence), `market` (a level, move,
    close or turnover: dated by the trading day) or `carry` (results, flows, macro data: dated by
    the article's running period). Words around the number decide as much as the metric does."""
    text = sent.text
    clause = sent.clause(q.start)
    if q.unit in _SPEC_UNITS:
        return "spec"
    if (metric in _STATED_METRICS or metric in SPEC_METRICS or q.unit in _STATED_UNITS
            or _STATED_BEFORE.search(text, clause.start, q.start)
            or _STATED_AFTER.match(text, q.end, clause.end)):
        return "stated"
    if metric in _MARKET_METRICS or q.unit in _MARKET_UNITS or _MARKET_WORDS.search(text, clause.start, clause.end) \
            or any(m["type"] == "index" and clause.start <= m["start"] < clause.end for m in sent.mentions):
        return "market"
    return "carry"


@dataclass
class Timeline:
    """The article's time context while its sentences are read in order."""
    published: date | None
    running: str | None = None  # the period the story set, resolved ("2025Q3", "FY2026Q3", "2025-11")
    day: str | None = None  # the story's trading day ("2025-12-09")
    owner: dict | None = None  # the company or product whose report set the running period
    day_market: bool = False  # the day was set by a market sentence ("shares tumbled on Wednesday")
    day_wrap: bool = False  # ... by a market wrap ("A股周二收跌"): it dates every figure of the story
    _used: list[Period] = field(default_factory=list)  # periods the sentence's claims took
    _last: tuple[int, str | None] | None = None  # where the previous claim ended, and its period

    def begin(self, text: str, start: int, end: int) -> None:
        """A new sentence; a briefing story or list item drops the context."""
        if _STORY_START.match(text, start, end) or "--" in text[max(0, start - 4):start]:
            self.running, self.owner, self.day, self.day_market, self.day_wrap = None, None, None, False, False
        self._used = []
        self._last = None

    def period_for(self, sent: Sentence, q: Quantity, subject: str | None, metric: str) -> str | None:
        text = sent.text
        if self._last and self._last[0] >= sent.start and _RESTATED.match(text[self._last[0]:q.start]):
            value = self._last[1]  # "fell 179.03 points, or 0.38%": the same move, the same date
        else:
            value = self._choose(sent, q, claim_kind(sent, q, metric), subject)
        self._last = (q.end, value)
        return value

    def _choose(self, sent: Sentence, q: Quantity, kind: str, subject: str | None) -> str | None:
        text, clause = sent.text, sent.clause(q.start)
        entity = _fiscal_entity(sent, subject)
        ranged = _respective_year(sent, q)
        if ranged:
            return ranged  # "2025年至2027年净利润分别为98亿元、165亿元和210亿元"
        usable = [p for p in sent.periods if not (p.start <= q.start < p.end) and p.role not in ("end", "none")
                  and _same_brackets(text, p, q)]
        bound = _bound_comparison(sent, q, [p for p in usable if _is_comparison(text, p)])
        if bound is not None:
            return self.resolve(sent, bound, entity)
        free = [p for p in usable if not _is_comparison(text, p)]
        in_clause = [p for p in free if clause.start <= p.start < clause.end]
        after = [p for p in in_clause if p.start >= q.end and not _DIGIT.search(text, q.end, p.start)]
        if after and kind not in ("stated", "spec") and _AFTER_GAP.fullmatch(text[q.end:after[0].start]):
            return self._take(sent, after[0], entity)  # "$57.0 billion for the third quarter", "4.6% in November"
        before = [p for p in in_clause if p.end <= q.start]
        if before:
            return self._take(sent, before[-1], entity)
        if kind == "spec":
            return None
        after = after or [p for p in in_clause if p.start >= q.end]
        if after and kind != "stated":
            return self._take(sent, after[0], entity)  # "fell by 13,000 to 224,000 in the week ended Dec. 13"
        earlier = [p for p in free if p.end <= q.start]
        if earlier:
            return self._take(sent, earlier[-1], entity)
        base_day = [p for p in usable if p.end <= q.start and clause.start <= p.start and _past_date(p.value, None)]
        if base_day:
            return base_day[-1].value  # "比12月18日的收盘价高出47%": measured against that day's close
        if kind == "stated":
            return None
        if kind == "market":
            days = [p for p in free if p.role == "day"]
            return days[0].value if days else (self.day if self.day_market else None)
        if self.running and self._owns(sent, subject):
            return self.running
        if self.day and self.day_wrap:
            return self.day
        later = [p for p in free if p.start >= q.end]
        return self._take(sent, later[0], entity) if later else None

    def _owns(self, sent: Sentence, subject: str | None) -> bool:
        """Whether a figure about `subject` belongs to the report that set the running period: not
        when both are companies or products and differ (Sora's downloads after Google's quarter)."""
        if self.owner is None or subject is None or subject == self.owner["id"]:
            return True
        types = {m["id"]: m["type"] for m in sent.mentions}
        return types.get(subject, self.owner["type"]) not in _OWNER_TYPES

    def _take(self, sent: Sentence, p: Period, entity: str | None) -> str | None:
        if p.role == "time":
            self._used.append(p)
        return self.resolve(sent, p, entity)

    def resolve(self, sent: Sentence | None, p: Period, entity: str | None) -> str | None:
        """The period string of `p` for a figure about `entity`, read in this context."""
        if p.role == "now":
            return None
        if p.role == "relative":
            unit, n = p.shift
            if unit == "D":
                return self.day
            base = self._base(sent, p, entity)
            if base is None and self.published:
                base = _published_base(self.published, unit, n)
                return base
            return shifted(base, unit, n)
        fy = fiscal_year_of(entity)
        if p.quarter and p.value is None and not (p.fiscal and fy):
            near = nearest_quarter(p.quarter, self.running)
            if near:
                return near
        if p.quarter and not p.fiscal:
            near = nearest_quarter(p.quarter, self.running)
            if near and near.startswith("FY"):
                return near  # "the third quarter" in a fiscal-quarter report is the fiscal one
        if p.fiscal:
            return fiscal_reading(p, fy, self.published)
        return p.value

    def _base(self, sent: Sentence | None, p: Period, entity: str | None) -> str | None:
        """What a relative period is said of: the sentence's own period before it, else the story's."""
        if sent is not None:
            for o in reversed([o for o in sent.periods if o.end <= p.start and o.role == "time"]):
                if not _is_comparison(sent.text, o):
                    return self.resolve(sent, o, entity)
        return self.running

    def observe(self, text: str, start: int, end: int, periods: list[Period], mentions: list[dict],
                carry: str | None, had_claims: bool) -> None:
        """After a sentence: the period its claims took (or, in a sentence without claims, the
        last one it names) becomes the running period, unless it lies ahead of the article's
        date (a forecast is stated where it is made), sits in brackets, or only spans the one
        already running (fiscal 2026 after its third quarter); a day it names becomes the
        trading day."""
        entity = next((m["id"] for m in mentions if m["id"] in calendars()), carry)
        pool = self._used if had_claims else [p for p in periods if p.role == "time" and not _is_comparison(text, p)]
        spans = [p for p in pool if (p.value is None or p.value.count("-") < 2) and not _in_brackets(text, start, p)]
        value = self.resolve(None, spans[-1], entity) if spans else None
        if value and _begun(value, self.published) and not (self.running and self.running.startswith(value)):
            self.running = value
            owners = [m for m in mentions if m["type"] in _OWNER_TYPES and not m.get("role")]
            self.owner = owners[0] if owners else None
        days = [p for p in periods if p.role == "day" or (p.role == "time" and _past_date(p.value, self.published))]
        if days:
            self.day = days[-1].value
            self.day_wrap = bool(_WRAP_WORDS.search(text, start, end)) or any(m["type"] == "index" for m in mentions)
            self.day_market = self.day_wrap or bool(_MARKET_WORDS.search(text, start, end))


def _past_date(value: str | None, pub: date | None) -> bool:
    """A full date on or before the article's date: it can be a trading day."""
    return bool(value) and value.count("-") == 2 and (pub is None or value <= pub.isoformat())


def _begun(value: str, pub: date | None) -> bool:
    """Whether period `value` has begun by the article's date (fiscal periods: taken as begun)."""
    if pub is None or value.startswith("FY"):
        return True
    year, rest = int(value[:4]), value[4:]
    month = 1
    if rest.startswith("Q"):
        month = (int(rest[1]) - 1) * 3 + 1
    elif rest.startswith("H"):
        month = 1 if rest[1] == "1" else 7
    elif rest.startswith("-"):
        month = int(rest[1:3])
    return (year, month) <= (pub.year, pub.month)


def _in_brackets(text: str, start: int, p: Period) -> bool:
    """Whether `p` sits inside parentheses opened in its sentence (which starts at `start`)."""
    depth = 0
    for ch in text[start:p.start]:
        if ch in _BRACKETS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
    return depth > 0


def _published_base(pub: date, unit: str, n: int) -> str | None:
    """A relative period with nothing said before it: against the article's date."""
    if unit in ("Y", "FY"):
        return str(pub.year + n)
    if unit == "Q":
        return shifted(f"{pub.year}Q{(pub.month - 1) // 3 + 1}", "Q", n)
    return None


def _fiscal_entity(sent: Sentence, subject: str | None) -> str | None:
    """The company whose fiscal calendar a fiscal period is read in: the claim's subject, else
    the first company of the sentence that keeps one."""
    table = calendars()
    if subject in table:
        return subject
    return next((m["id"] for m in sent.mentions if m["id"] in table), subject)


def _respective_year(sent: Sentence, q: Quantity) -> str | None:
    """The year of a range read "respectively": 2025年至2027年...分别为A、B和C gives A 2025."""
    text = sent.text
    years = [p for p in sent.periods if p.end <= q.start and p.role == "time" and p.value and p.value.isdigit()]
    for a, b in zip(years, years[1:], strict=False):
        if not _YEAR_RANGE.fullmatch(text[a.end:b.start]):
            continue
        r = _RESPECTIVELY.search(text, b.end, q.start)
        if r and not _CLAUSE_END.search(text, b.end, q.start):
            k = int(a.value) + len(_NUMBER.findall(text[r.end():q.start]))
            return str(k) if k <= int(b.value) else None
    return None


def _is_comparison(text: str, p: Period) -> bool:
    """去年同期, "a year earlier", 上一季, or a period written after 较/比/from/versus."""
    if p.role == "relative" and p.shift and p.shift[1] < 0:
        return True
    return p.role == "time" and bool(_COMPARE_BEFORE.search(text, max(0, p.start - 14), p.start))


def _bound_comparison(sent: Sentence, q: Quantity, comparisons: list[Period]) -> Period | None:
    """The comparison period that introduces this very figure: "较上年同期的9.29亿元",
    "74.6% a year ago", "去年同期与上一季则分别录得39亿元和15亿元" (in order)."""
    text = sent.text
    before = [p for p in comparisons if p.end <= q.start]
    if before:
        p = before[-1]
        gap = text[p.end:q.start]
        if _GAP_ZH.match(gap):
            return p
        r = _RESPECTIVELY.search(gap)
        if r and _GAP_ZH.match(gap[:r.start()]):
            chain = [o for o in before if o.start >= sent.clause(p.start).start]
            k = len(_NUMBER.findall(gap[r.end():]))
            return chain[k] if k < len(chain) else None
    after = [p for p in comparisons if p.start >= q.end]
    if after and _GAP_EN.match(text[q.end:after[0].start]):
        return after[0]
    return None


def _same_brackets(text: str, p: Period, q: Quantity) -> bool:
    """A period inside parentheses dates only what is inside them: "下降10.4%（第二季度为289亿元）"."""
    depth = 0
    if p.end <= q.start:
        for ch in text[p.end:q.start]:
            if ch in _BRACKETS:
                depth += 1
            elif ch in _CLOSERS:
                if depth == 0:
                    return False  # the period's bracket closed before the number
                depth -= 1
        return True
    for ch in text[q.end:p.start]:
        if ch in _BRACKETS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
    return depth == 0
