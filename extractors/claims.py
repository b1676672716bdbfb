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
from extractors.quantities import (
    NUM_START,
    WORDY,
    Quantity,
    bare_unit,
    is_not_claim,
    link_changes,
    qualifier_of,
    read_quantity,
    refine_units,
    try_range,
    wordy_quantity,
)
from extractors.sentence import Sentence, Span
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
_LOCAL_YUAN = _RULES.dictionary("local_yuan")
_YUAN = frozenset(_LOCAL_YUAN.values())
_COMMODITY_PRICE_UNITS = _RULES.list("commodity_price_units")


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
        named = [m["id"] for m in in_sent if eligible(m, TIER1)]
        if not _MAYBE_NUMBER.search(text, ss, se):
            carry = named[0] if named else carry
            continue  # no digit, no numeral: nothing to read
        try:
            sent = Sentence(text=text, start=ss, end=se, mentions=in_sent, yuan=yuan, carry=carry,
                            periods=[p for p in periods if p.start < se and p.end > ss])
            claims = _sentence_claims(sent)
        except Exception:  # an unreadable sentence yields nothing; the rest of the text still counts
            log.debug("claims: skipped sentence at %d", ss, exc_info=True)
            continue
        out += claims
        subjects = [c["subject"] for c in claims if c["subject"]]
        carry = subjects[-1] if subjects else (named[0] if named else carry)
        if claims and claims[-1]["unit"] in _YUAN:
            yuan = claims[-1]["unit"]
    return out


def _sentence_claims(sent: Sentence) -> list[dict]:
    quantities = _numeral_quantities(sent)
    _add_wordy_quantities(sent, quantities)
    quantities.sort(key=lambda x: x.start)
    refine_units(sent, quantities)
    link_changes(sent, quantities)
    return _claims(sent, [q for q in quantities if not q.consumed])


def _numeral_quantities(sent: Sentence) -> list[Quantity]:
    out: list[Quantity] = []
    pos = sent.start
    for m in NUM_START.finditer(sent.text, sent.start, sent.end):
        if m.start() < pos:
            continue  # inside the previous quantity (its range end, its unit)
        q = _numeral_quantity(sent, m)
        if q is not None:
            out.append(q)
            pos = q.end
    return out


def _numeral_quantity(sent: Sentence, m) -> Quantity | None:
    q = read_quantity(sent.text, m, sent.yuan)
    if q is None:
        return None
    if q.unit in _YUAN and not m.group("cur"):
        sent.yuan = q.unit  # an explicit 人民币/新台币 decides the article's later bare 元
    if sent.in_period(m.start("num")):
        return None  # 2027年, 12月18日: time, not quantity
    if q.unit is None and not q.chinese:
        try_range(sent, q, m)
    if q.unit is None and not q.chinese:
        bare_unit(sent, q, m)
    if is_not_claim(sent, m, q):
        return None
    q.qualifier = qualifier_of(sent, q)
    if q.low is None:
        try_range(sent, q, m)
    return q


def _add_wordy_quantities(sent: Sentence, quantities: list[Quantity]) -> None:
    """四分之三, 减半, a third...: where no number was read, and not inside an entity name."""
    for m in WORDY.finditer(sent.text, sent.start, sent.end):
        if any(q.start <= m.start() < q.end or m.start() <= q.start < m.end() for q in quantities):
            continue
        if sent.in_name(m.start()):
            continue
        q = wordy_quantity(sent.text, m)
        if q is not None:
            q.qualifier = qualifier_of(sent, q)
            quantities.append(q)


def _claims(sent: Sentence, quantities: list[Quantity]) -> list[dict]:
    out: list[dict] = []
    last_sign, last_end = 0, sent.start  # the previous claim's move, for "fell 179 points, or 0.38%"
    prev_subject = None
    for q in quantities:
        clause = sent.clause(q.start)
        metric = metric_for(q.unit, sent.text[clause.start:clause.end], sent.body)
        sign = _move_sign(sent, q, clause, last_sign, last_end)
        last_sign, last_end = sign, q.end
        metric, value = _signed(sent, q, clause, metric, sign)
        subject = subject_of(q, sent, metric, prev_subject)
        prev_subject = subject or prev_subject
        per = _period(sent, q)
        out.append({"start": q.start, "end": q.end, "value": value, "unit": q.unit, "low": q.low,
                    "high": q.high, "qualifier": q.qualifier, "previous_value": q.previous_value,
                    "precision": q.precision, "metric": metric, "subject": subject,
                    "period": per.value if per else None, "sentence_start": sent.start, "sentence_end": sent.end})
    return out


def _move_sign(sent: Sentence, q: Quantity, clause: Span, last_sign: int, last_end: int) -> int:
    """-1 / +1 when the number is a fall / rise, 0 for a level; a change with a previous value has none."""
    if q.extra.get("sign"):
        return q.extra["sign"]  # 减半 is a fall by construction
    sign = _sign(sent.text, q, clause) if q.previous_value is None else 0
    if not sign and _OR.match(sent.text[last_end:q.start]):
        return last_sign  # fell 179.03 points, or 0.38%: the same move twice
    return sign


def _signed(sent: Sentence, q: Quantity, clause: Span, metric: str, sign: int) -> tuple[str, float]:
    """The metric and value once the move is applied: a loss is a negative profit, a level with a
    direction word becomes its change, and a fall is negative (a range flips its ends)."""
    value = q.value
    if not sign and metric == "profit" and _LOSS.search(sent.text[max(clause.start, q.start - 8):q.start]):
        value = -value  # 净亏损6.244亿元 is a negative profit, not a change
    if sign and metric in LEVEL_TO_CHANGE and q.unit not in _COMMODITY_PRICE_UNITS:
        metric = LEVEL_TO_CHANGE[metric]  # 下跌179.03点 is a move of the index, not its level
    if sign < 0 and value > 0 and metric in SIGNED_METRICS:  # every change partner is signed (metrics.py)
        value = -value
        if q.low is not None:
            q.low, q.high = -q.high, -q.low
            value = q.low
    return metric, value


def _sign(text: str, q: Quantity, clause: Span) -> int:
    """-1 when a falling word governs the number in its clause, +1 for a rising word, 0 for none."""
    window = text[clause.start:q.start]
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


def _period(sent: Sentence, q: Quantity) -> Period | None:
    """The period the number is for: in its clause, else in its sentence; the one written before
    it first ("2025年达80万个、2026年200万个": the time is written before what it dates)."""
    clause = sent.clause(q.start)
    inside = [p for p in sent.periods if not (p.start <= q.start < p.end)]
    pool = [p for p in inside if clause.start <= p.start < clause.end]
    pool = pool or [p for p in inside if sent.start <= p.start < sent.end]
    if not pool:
        return None
    before = [p for p in pool if p.end <= q.start]
    return before[-1] if before else min(pool, key=lambda p: abs(p.start - q.start))
