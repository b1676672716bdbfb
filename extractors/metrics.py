"""The metric vocabulary (data/metrics.yaml) and the rule that picks a claim's metric, plus
which metrics are moves (signed) and which level metric a move turns into."""
from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from extractors.quantities import MONEY

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster
DATA = Path(__file__).parent / "data"


LEVEL_TO_CHANGE = {"index_level": "index_change", "price": "price_change", "market_cap": "market_cap_change",
                   "revenue": "revenue_change", "headcount": "headcount_change", "yield": "yield_change",
                   "profit": "profit_change"}


SIGNED_METRICS = {"stock_change", "market_cap_change", "revenue_change", "eps_change", "headcount_change",
                  "index_change", "price_change", "yield_change", "profit_change", "throughput_gain",
                  "imports", "exports", "gdp_growth", "other", "count", "job_openings", "production",
                  "demand", "inflation", "revenue_growth", "cost_reduction"}


@functools.lru_cache(maxsize=1)
def metric_rules() -> list[dict]:
    rules = []
    for r in _raw_metrics():
        units = set(r.get("units") or [])
        if "MONEY" in units:
            units |= MONEY
        rules.append({"metric": r["metric"], "units": units,
                      "rx": re.compile("|".join(f"(?:{k})" for k in r["keywords"]), re.I)})
    return rules


@functools.lru_cache(maxsize=1)
def _raw_metrics() -> tuple[dict, ...]:
    """metrics.yaml, parsed once for both the rules and the vocabulary."""
    return tuple(yaml.load((DATA / "metrics.yaml").read_text(encoding="utf-8"), Loader=_YAML_LOADER)["metrics"])


def metric_vocabulary() -> dict[str, str]:
    out: dict[str, str] = {}
    for r in _raw_metrics():
        out.setdefault(r["metric"], r["description"])
    return out


@functools.lru_cache(maxsize=64)
def _rules_for(unit: str) -> tuple[dict, ...]:
    return tuple(r for r in metric_rules() if not r["units"] or unit in r["units"])


def metric_for(unit: str, clause: str, sentence: str) -> str:
    rules = _rules_for(unit)
    for text in (clause, sentence):
        t = text.lower()
        for r in rules:
            if r["rx"].search(t):
                return r["metric"]
    return "other"
