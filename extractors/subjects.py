"""Which entity a number is about: rules over the gazetteer mentions of its clause and sentence."""
from __future__ import annotations

from extractors.metrics import SPEC_METRICS
from extractors.patterns import load
from extractors.quantities import Quantity
from extractors.sentence import Sentence, Span

_RULES = load("subjects")
TIER1 = frozenset(_RULES.list("subject_types"))
_TIER2 = frozenset(_RULES.list("fallback_types"))
_SPEC_TYPES = frozenset(_RULES.list("spec_types"))
_TECHNOLOGY_UNITS = _RULES.list("technology_units")
_COMPARISON_UNITS = _RULES.list("comparison_units")
_LOCATION_BEFORE = _RULES.regex("location_before")
_BASE_AFTER = _RULES.regex("base_after")
_VERSUS_BEFORE = _RULES.regex("versus_before")
_FRAME_BEFORE = _RULES.regex("versus_frame_before")
_FRAME_AFTER = _RULES.regex("versus_frame_after")
_VERSUS_AFTER = _RULES.regex("versus_after")
_MULTIPLE_OF = _RULES.regex("multiple_of")
_FOR_AFTER = _RULES.regex("versus_for")
_CUE_IN_CLAUSE = _RULES.regex("comparison_cue")
_POSSESSIVE = _RULES.regex("possessive")
# Characters between a counterpart and the number it governs (before it) or a cue and the number
# (after it): past these, the sentence has moved on (dev gold: 12 keeps 比華為強大17倍 and drops
# "不及英伟达——分析师预计后者明年营收将增长48%").
_REACH_BACK, _REACH = 12, 40
_VERSUS_TYPES = frozenset(_RULES.list("subject_types")) | _SPEC_TYPES


def eligible(m: dict, tiers: set[str]) -> bool:
    return m["type"] in tiers and not m.get("role")


def subject_of(q: Quantity, sent: Sentence, metric: str = "other", prev: str | None = None,
               versus: str | None = None) -> str | None:
    """The entity a number is about; `prev` is the subject of the sentence's previous claim and
    `versus` the counterpart it is compared with (never its subject).

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
    clause = sent.clause(q.start)
    if prev == versus:
        prev = None
    return (_first(sent, q, metric, Span(clause.start, q.start), TIER1, versus) or prev
            or _first(sent, q, metric, Span(sent.start, q.start), TIER1, versus)
            or (sent.carry if sent.carry != versus else None)
            or _first(sent, q, metric, Span(q.end, clause.end), TIER1, versus)
            or _first(sent, q, metric, Span(sent.start, sent.end), _TIER2, versus))


def _first(sent: Sentence, q: Quantity, metric: str, within: Span, tiers: frozenset[str],
           versus: str | None) -> str | None:
    """The first usable mention inside `within` whose type is in `tiers` (spec figures: see above)."""
    pool = [m for m in sent.mentions if within.start <= m["start"] and m["end"] <= within.end
            and m["id"] != versus and _usable(sent, q, m)]
    if metric in SPEC_METRICS:  # the product or model itself, then the technology (HBM4), then anything else
        # a technology measures memory or bandwidth (HBM4's 36 GB); SwiGLU or MoE own no figure
        tech = [{"technology"}] if q.unit in _TECHNOLOGY_UNITS else []
        for types in [_SPEC_TYPES, *tech]:
            for m in pool:
                if m["type"] in types and not m.get("role"):
                    return m["id"]
    for m in pool:
        if eligible(m, tiers):
            return m["id"]
    return None


def _usable(sent: Sentence, q: Quantity, m: dict) -> bool:
    """Not a country that is only a place, nor the base a percentage or multiple is compared with."""
    text = sent.text
    if m["type"] == "country" and _LOCATION_BEFORE.search(text[max(sent.start, m["start"] - 7):m["start"]]):
        return False
    if m["end"] <= q.start and _BASE_AFTER.match(text[m["end"]:q.start]) and q.unit in _COMPARISON_UNITS \
            and _FRAME_BEFORE.search(text[max(sent.start, m["start"] - 8):m["start"]]):
        return False  # 约为NVIDIA的5%: NVIDIA is the base; in 高于GPT-5的94% the 94% is GPT-5's
    return True


def versus_of(q: Quantity, sent: Sentence, others: list[Span] = ()) -> str | None:
    """The entity the number is compared with: "较V3.1提升5个百分点", "为GB300 NVL72的3.3倍",
    "4.4x the compute of Trn2", "得分96.0%，高于GPT-5的94.6%" (96.0% against GPT-5; the 94.6% is
    GPT-5's own), "37.5%, against 26.5% for GPT-5.1". `others`: the sentence's other numbers; a
    cue reaches the number only when no other number stands between them. None when no cue does.

    >>> from extractors.sentence import Sentence
    >>> t = "V3.2的成本较V3.1下降约50%"
    >>> ms = [{"start": 0, "end": 4, "id": "v32", "type": "model"},
    ...       {"start": 8, "end": 12, "id": "v31", "type": "model"}]
    >>> s = Sentence(text=t, start=0, end=len(t), mentions=ms, periods=[], yuan="CNY")
    >>> versus_of(Quantity(start=16, end=19, value=50, unit="%"), s)
    'v31'
    """
    text = sent.text
    between = [o for o in others if o.start != q.start]

    def clear(a: int, b: int, allow: int = 0) -> bool:
        return sum(1 for o in between if a <= o.start and o.end <= b) <= allow

    cued = [m for m in sent.mentions if m["type"] in _VERSUS_TYPES and not m.get("role")]
    before = [m for m in cued if m["end"] <= q.start]
    for m in reversed(before):  # the nearest counterpart named before the number
        pre = text[max(sent.start, m["start"] - 24):m["start"]]
        post = text[m["end"]:q.start]
        owner = _FRAME_AFTER.match(post) and len(post.strip()) <= 4  # 高于GPT-5的94.6%: GPT-5's figure
        if owner and q.unit in _COMPARISON_UNITS and _FRAME_BEFORE.search(pre):
            return m["id"]  # 为GB300 NVL72的3.3倍: a multiple of it
        if owner or not clear(m["end"], q.start):
            continue
        if (_VERSUS_BEFORE.search(pre) or _VERSUS_AFTER.match(post)) and q.start - m["end"] <= _REACH_BACK:
            return m["id"]
    clause = sent.clause(q.start)
    if _CUE_IN_CLAUSE.search(text, clause.start, q.start):
        return None  # 较上一代提升5个百分点: compared with something unnamed, not with what follows
    for i, m in enumerate(cued):  # a cue after the number: "96.0%，高于GPT-5", "76.2%, however, trailed Claude"
        if m["start"] < q.end:
            continue
        pre = text[q.end:m["start"]]
        cue = _VERSUS_BEFORE.search(pre) or (q.unit == "x" and _MULTIPLE_OF.search(pre))
        if cue and len(pre) <= _REACH and clear(q.end, m["start"], allow=1 if _FOR_AFTER.search(pre) else 0):
            nxt = cued[i + 1] if i + 1 < len(cued) else None
            if nxt and _POSSESSIVE.fullmatch(text[m["end"]:nxt["start"]]):
                return nxt["id"]  # than NVIDIA's B200: the product, not its maker
            return m["id"]
    return None
