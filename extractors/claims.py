"""Numeric claims from a text: each quantity (quantities.py) gets a sign, a metric
(metrics.py), a subject (subjects.py) and a period (periods.py).

Pure functions over Simplified-folded, length-preserving text (see fold.py); spaCy is only the
caller. Offsets index the original text unchanged.
"""
from __future__ import annotations

import bisect
import logging
from datetime import date

from extractors.metrics import LEVEL_TO_CHANGE, SIGNED_METRICS, metric_for
from extractors.patterns import load
from extractors.periods import Period, find_periods
from extractors.quantities import (NUM_START, WORDY, Quantity, bare_unit, is_not_claim,
                                   link_changes, qualifier_of, read_quantity, refine_units, try_range,
                                   wordy_quantity)
from extractors.subjects import TIER1, eligible, subject_of

log = logging.getLogger(__name__)
_RULES = load("claims")
_NEG = _RULES.regex("falling")
_POS = _RULES.regex("rising")
_LEVEL_MARK = _RULES.regex("level_mark")
_LEVEL_NEAR = _RULES.regex("level_near")
_FALL_NOUN = _RULES.regex("fall_noun")
_LOSS = _RULES.regex("loss_before")
_OR = _RULES.regex("or_between")
_MAYBE_NUMBER = _RULES.regex("maybe_number")
_CLAUSE = load("sentences").regex("clause_break")
_LOCAL_YUAN = _RULES.dictionary("local_yuan")
_YUAN = frozenset(_LOCAL_YUAN.values())
_COMMODITY_PRICE_UNITS = _RULES.list("commodity_price_units")


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


def _period(periods: list[Period], q: Quantity, cs: int, ce: int, ss: int, se: int) -> str | None:
    inside = [p for p in periods if not (p.start <= q.start < p.end)]
    clause = [p for p in inside if cs <= p.start < ce]
    pool = clause or [p for p in inside if ss <= p.start < se]
    if not pool:
        return None
    before = [p for p in pool if p.end <= q.start]
    # "2025年达80万个、2026年200万个": the time is written before what it dates
    return before[-1] if before else min(pool, key=lambda p: abs(p.start - q.start))


def default_yuan(lang: str | None, locale: str | None) -> str:
    """A bare 元: TWD in a Taiwan source, HKD in Hong Kong, CNY elsewhere; by script if unknown."""
    if locale in _LOCAL_YUAN:
        return _LOCAL_YUAN[locale]
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
            named = [m["id"] for m in in_sent if eligible(m, TIER1)]
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
        named = [m["id"] for m in in_sent if eligible(m, TIER1)]
        carry = subjects[-1] if subjects else (named[0] if named else carry)
        if claims and claims[-1]["unit"] in _YUAN:
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
    for m in NUM_START.finditer(text, ss, se):
        if m.start() < pos:
            continue
        q = read_quantity(text, m, yuan)
        if q is None:
            continue
        if q.unit in _YUAN and not m.group("cur"):
            yuan = q.unit  # an explicit 人民币/新台币 decides the article's later bare 元
        if any(p.start <= m.start("num") < p.end for p in sent_periods):
            continue  # 2027年, 12月18日: time, not quantity
        cs, _ = clauses.bounds(q.start)
        if q.unit is None and not q.chinese:
            try_range(text, q, m, yuan, cs)
        if q.unit is None and not q.chinese:
            bare_unit(text, q, m, cs, has_index)
        if is_not_claim(text, m, q, ss, taken):
            continue
        q.qualifier = qualifier_of(text, q, cs)
        if q.low is None:
            try_range(text, q, m, yuan, cs)
        quantities.append(q)
        pos = q.end
    for m in WORDY.finditer(text, ss, se):
        if any(q.start <= m.start() < q.end or m.start() <= q.start < m.end() for q in quantities):
            continue
        if any(a <= m.start() < b for a, b in taken):
            continue
        q = wordy_quantity(text, m, yuan)
        if q is not None:
            cs, _ = clauses.bounds(q.start)
            q.qualifier = qualifier_of(text, q, cs)
            quantities.append(q)
    quantities.sort(key=lambda x: x.start)
    refine_units(text, quantities, ss, se)
    link_changes(text, quantities, ss, se)
    last_sign, last_end = 0, ss
    prev_subject = None
    for q in quantities:
        if q.consumed:
            continue
        cs, ce = clauses.bounds(q.start)
        clause = text[cs:ce]
        metric = metric_for(q.unit, clause, sent)
        value = q.value
        sign = _sign(text, q, cs) if q.previous_value is None else 0
        if q.extra.get("sign"):
            sign = q.extra["sign"]  # 减半 is a fall by construction
        elif not sign and _OR.match(text[last_end:q.start]):
            sign = last_sign  # fell 179.03 points, or 0.38%: the same move twice
        if not sign and metric == "profit" and _LOSS.search(text[max(cs, q.start - 8):q.start]):
            value = -value  # 净亏损6.244亿元 is a negative profit, not a change
        last_sign, last_end = sign, q.end
        if sign and metric in LEVEL_TO_CHANGE and q.unit not in _COMMODITY_PRICE_UNITS:
            metric = LEVEL_TO_CHANGE[metric]  # 下跌179.03点 is a move of the index, not its level
        if sign < 0 and value > 0 and metric in SIGNED_METRICS:  # every change partner is signed (metrics.py)
            value = -value
            if q.low is not None:
                q.low, q.high = -q.high, -q.low
                value = q.low
        subject = subject_of(q, cs, ce, ss, se, mentions, carry, text, metric, prev_subject)
        prev_subject = subject or prev_subject
        per = _period(sent_periods, q, cs, ce, ss, se)
        out.append({"start": q.start, "end": q.end, "value": value, "unit": q.unit, "low": q.low,
                    "high": q.high, "qualifier": q.qualifier, "previous_value": q.previous_value,
                    "precision": q.precision, "metric": metric, "subject": subject,
                    "period": per.value if per else None, "sentence_start": ss, "sentence_end": se})
    return out
