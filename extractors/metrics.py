"""The metric vocabulary (data/metrics.yaml), checked on load, and the rule that picks a claim's
metric. `python -m extractors.metrics --markdown` prints the README's table; `--readme FILE` rewrites it.
"""
from __future__ import annotations

import argparse
import functools
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from common.exceptions import DataFileError
from extractors.quantities import MONEY

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster
DATA = Path(__file__).parent / "data"
README_START, README_END = "<!-- metrics:start -->", "<!-- metrics:end -->"
_ID = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_ENTRY_KEYS = {"metric", "description", "units", "signed", "change", "spec", "rules"}
_RULE_KEYS = {"keywords", "units", "after", "sentence"}


@dataclass(frozen=True)
class Rule:
    metric: str
    units: frozenset[str]  # empty: any unit
    rx: re.Pattern
    after: str | None = None
    sentence: bool = False  # its keywords may name the metric anywhere in the sentence, not only the clause


@dataclass(frozen=True)
class Metric:
    id: str
    description: str
    units: tuple[str, ...] = ()
    signed: bool = False
    change: str | None = None
    spec: bool = False
    rules: tuple[Rule, ...] = ()


def read_vocabulary(path: Path) -> tuple[Metric, ...]:
    """Every metric of a metrics file, checked; a mistake raises DataFileError naming the key."""
    try:
        raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, yaml.YAMLError) as e:
        raise DataFileError(path, "(file)", f"cannot be read ({str(e).splitlines()[0]})") from None
    if not isinstance(raw, dict) or set(raw) != {"metrics"} or not isinstance(raw["metrics"], list):
        raise DataFileError(path, "(file)", "must hold one key, metrics, a list of metric entries")
    out: list[Metric] = []
    for i, entry in enumerate(raw["metrics"]):
        out.append(_metric(path, f"metrics[{i}]", entry, {m.id for m in out}))
    _check_links(path, out)
    return tuple(out)


def _metric(path: Path, key: str, entry, seen: set[str]) -> Metric:
    if not isinstance(entry, dict):
        raise DataFileError(path, key, "must be a mapping with metric, description and rules")
    unknown = sorted(set(entry) - _ENTRY_KEYS)
    if unknown:
        raise DataFileError(path, f"{key}.{unknown[0]}", f"unknown key (allowed: {', '.join(sorted(_ENTRY_KEYS))})")
    mid = entry.get("metric")
    if not isinstance(mid, str) or not _ID.fullmatch(mid):
        raise DataFileError(path, f"{key}.metric", "must be a snake_case id")
    key = f"metrics.{mid}"
    if mid in seen:
        raise DataFileError(path, key, "is listed twice")
    if not isinstance(entry.get("description"), str) or not entry["description"].strip():
        raise DataFileError(path, f"{key}.description", "must be a non-empty string")
    units = _strings(path, f"{key}.units", entry.get("units", []))
    for flag in ("signed", "spec"):
        if not isinstance(entry.get(flag, False), bool):
            raise DataFileError(path, f"{key}.{flag}", "must be true or false")
    change = entry.get("change")
    if change is not None and not isinstance(change, str):
        raise DataFileError(path, f"{key}.change", "must be a metric id")
    rules = entry.get("rules", [])
    if not isinstance(rules, list):
        raise DataFileError(path, f"{key}.rules", "must be a list of rules")
    return Metric(mid, entry["description"], units, entry.get("signed", False), change, entry.get("spec", False),
                  tuple(_rule(path, f"{key}.rules[{j}]", mid, units, r) for j, r in enumerate(rules)))


def _rule(path: Path, key: str, mid: str, family: tuple[str, ...], rule) -> Rule:
    if not isinstance(rule, dict):
        raise DataFileError(path, key, "must be a mapping with keywords")
    unknown = sorted(set(rule) - _RULE_KEYS)
    if unknown:
        raise DataFileError(path, f"{key}.{unknown[0]}", f"unknown key (allowed: {', '.join(sorted(_RULE_KEYS))})")
    keywords = _strings(path, f"{key}.keywords", rule.get("keywords"))
    if not keywords:
        raise DataFileError(path, f"{key}.keywords", "must list at least one keyword")
    for k, word in enumerate(keywords):
        try:
            re.compile(word)
        except re.error as e:
            raise DataFileError(path, f"{key}.keywords[{k}]", f"does not compile ({e})") from None
    units = _strings(path, f"{key}.units", rule.get("units", list(family)))
    outside = [u for u in units if family and u not in family]
    if outside:
        raise DataFileError(path, f"{key}.units", f"{outside[0]!r} is not in the metric's units")
    after = rule.get("after")
    if after is not None and not isinstance(after, str):
        raise DataFileError(path, f"{key}.after", "must be a metric id")
    if not isinstance(rule.get("sentence", False), bool):
        raise DataFileError(path, f"{key}.sentence", "must be true or false")
    expanded = set(units) | (MONEY if "MONEY" in units else set())
    rx = re.compile("|".join(f"(?:{k})" for k in keywords), re.I)
    return Rule(mid, frozenset(expanded), rx, after, rule.get("sentence", False))


def _check_links(path: Path, metrics: list[Metric]) -> None:
    by_id = {m.id: m for m in metrics}
    if "other" not in by_id:
        raise DataFileError(path, "metrics", "needs an `other` metric, for quantities no rule places")
    for m in metrics:
        if m.change is not None:
            partner = by_id.get(m.change)
            if partner is None or partner is m:
                raise DataFileError(path, f"metrics.{m.id}.change", f"{m.change!r} is not another metric")
            if not partner.signed:
                raise DataFileError(path, f"metrics.{m.id}.change", f"{m.change!r} is a move, so it must be signed")
        for j, r in enumerate(m.rules):
            if r.after is not None and (r.after not in by_id or r.after == m.id):
                raise DataFileError(path, f"metrics.{m.id}.rules[{j}].after", f"{r.after!r} is not another metric")


def _strings(path: Path, key: str, value) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DataFileError(path, key, "must be a list of strings")
    return tuple(value)


@functools.cache
def vocabulary() -> tuple[Metric, ...]:
    return read_vocabulary(DATA / "metrics.yaml")


def rule_order(metrics: tuple[Metric, ...]) -> tuple[Rule, ...]:
    """Rules in file order, except that a rule with `after: X` comes right after X's rules."""
    later: dict[str, list[Rule]] = {}
    for m in metrics:
        for r in m.rules:
            if r.after:
                later.setdefault(r.after, []).append(r)
    out: list[Rule] = []
    for m in metrics:
        out += [r for r in m.rules if not r.after]
        out += later.get(m.id, [])
    return tuple(out)


@functools.cache
def metric_rules() -> tuple[Rule, ...]:
    return rule_order(vocabulary())


def metric_vocabulary() -> dict[str, str]:
    """Metric id -> description, in file order (the warehouse's metrics table)."""
    return {m.id: m.description for m in vocabulary()}


LEVEL_TO_CHANGE = {m.id: m.change for m in vocabulary() if m.change}
SIGNED_METRICS = frozenset(m.id for m in vocabulary() if m.signed)
SPEC_METRICS = frozenset(m.id for m in vocabulary() if m.spec)


@functools.lru_cache(maxsize=64)
def _rules_for(unit: str) -> tuple[Rule, ...]:
    return tuple(r for r in metric_rules() if not r.units or unit in r.units)


def metric_for(unit: str, clause: str, sentence: str) -> str:
    """The first rule whose keywords occur in the clause wins; before a catch-all rule (keyword
    '.') takes the claim, a `sentence: true` rule may find its keywords elsewhere in the sentence
    ("在AIME 2025测试中，V3.2得分96.0%": the benchmark is named outside the number's clause)."""
    rules = _rules_for(unit)
    c, s = clause.lower(), sentence.lower()
    if not c:
        return next((r.metric for r in rules if r.rx.search(s)), "other")
    fallback = "other"
    for r in rules:
        if r.rx.pattern == "(?:.)":
            fallback = r.metric
            break
        if r.rx.search(c):
            return r.metric
    for r in rules:
        if r.sentence and r.rx.search(s):
            return r.metric
    return fallback


def _notes(m: Metric, moves_of: dict[str, str]) -> str:
    notes = []
    if m.signed:
        notes.append("signed")
    if m.change:
        notes.append(f"a direction word makes it `{m.change}`")
    if m.id in moves_of:
        notes.append(f"the move of `{moves_of[m.id]}`")
    if m.spec:
        notes.append("chip/model spec")
    return "; ".join(notes)


def markdown_table(metrics: tuple[Metric, ...] | None = None) -> str:
    """The README's metric table: one row per metric, in file order."""
    metrics = vocabulary() if metrics is None else metrics
    moves_of = {m.change: m.id for m in metrics if m.change}
    rows = ["| metric | meaning | units | notes |", "|---|---|---|---|"]
    for m in metrics:
        units = ", ".join("money" if u == "MONEY" else f"`{u}`" for u in m.units) or "any"
        cells = [f"`{m.id}`", m.description, units, _notes(m, moves_of)]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows) + "\n"


def with_table(readme: str) -> str:
    """`readme` with the text between the metrics markers replaced by the generated table."""
    start, end = readme.find(README_START), readme.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"README has no {README_START} ... {README_END} section")
    return readme[:start + len(README_START)] + "\n\n" + markdown_table() + "\n" + readme[end:]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m extractors.metrics", description=__doc__.splitlines()[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--markdown", action="store_true", help="print the metric table as Markdown")
    group.add_argument("--readme", type=Path, metavar="FILE", help="rewrite the table between the markers in FILE")
    args = ap.parse_args(argv)
    if args.markdown:
        sys.stdout.write(markdown_table())
        return 0
    text = args.readme.read_text(encoding="utf-8")
    new = with_table(text)
    if new != text:
        args.readme.write_text(new, encoding="utf-8")
    print(f"{args.readme}: metric table {'updated' if new != text else 'already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
