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


def eligible(m: dict, tiers: set[str]) -> bool:
    return m["type"] in tiers and not m.get("role")


def subject_of(q: Quantity, sent: Sentence, metric: str = "other", prev: str | None = None) -> str | None:
    """The entity a number is about; `prev` is the subject of the sentence's previous claim.

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
    return (_first(sent, q, metric, Span(clause.start, q.start), TIER1) or prev
            or _first(sent, q, metric, Span(sent.start, q.start), TIER1) or sent.carry
            or _first(sent, q, metric, Span(q.end, clause.end), TIER1)
            or _first(sent, q, metric, Span(sent.start, sent.end), _TIER2))


def _first(sent: Sentence, q: Quantity, metric: str, within: Span, tiers: frozenset[str]) -> str | None:
    """The first usable mention inside `within` whose type is in `tiers` (spec figures: see above)."""
    pool = [m for m in sent.mentions if within.start <= m["start"] and m["end"] <= within.end and _usable(sent, q, m)]
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
    if m["end"] <= q.start and _BASE_AFTER.match(text[m["end"]:q.start]) and q.unit in _COMPARISON_UNITS:
        return False
    return True
