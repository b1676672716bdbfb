"""Check the hand-annotated gold set in tests/gold/texts/ for schema and span mistakes.

Run: python tests/gold/validate.py [--verbose] [TEXTS_DIR]. Exits 1 if any file has an error.
Spans are checked in listing order; every Arabic digit in a text must be covered by a
claim, an entity or a `non_claims` span, so a forgotten number cannot slip through.
"""
from __future__ import annotations

import datetime as dt
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

TEXTS_DIR = Path(__file__).parent / "texts"

LANGS = {"zh-Hant", "zh-Hans", "en"}
LOCALES = {"TW", "HK", "CN", "US"}
QUALIFIERS = {"exact", "approx", "at_least", "at_most"}
PRECISIONS = {"FP4", "FP8", "FP16", "BF16", "FP32", "FP64", "INT8", "MXFP4", "MXFP8"}
CURRENCIES = {"USD", "CNY", "TWD", "EUR", "JPY", "CAD", "GBP", "HKD", "KRW", "AUD", "CHF"}
UNITS = CURRENCIES | {
    "%", "pp", "bp", "x",
    "bytes", "bytes/s", "bits/s", "FLOPS", "nm", "params", "s", "W", "Hz", "m",
    "count", "points",
    "bushels", "barrels/day", "USD/oz", "USD/ton", "USD/barrel",
    "JPY/USD", "USD/EUR", "CNY/USD", "USD/GBP",
    "tons", "pounds", "GPU_hours", "tokens", "wafers/month", "users",
}
METRICS = {
    "price_target", "upside", "market_cap", "market_cap_change", "stock_change", "price",
    "price_change", "revenue", "revenue_change", "revenue_growth", "profit", "profit_change",
    "margin", "eps_change", "pe_ratio", "analyst_count", "tam", "cagr", "production_capacity",
    "capacity_share", "shipments", "sales_volume", "market_share", "compute", "memory_capacity",
    "memory_bandwidth", "interconnect_bandwidth", "latency", "process_node", "performance_ratio",
    "throughput_gain", "cost_reduction", "energy_efficiency", "parameters", "model_dimension",
    "expert_count", "headcount", "headcount_change", "investment", "deal_value", "funding", "debt",
    "trade_volume", "exports", "imports", "production", "demand", "inventory", "yield",
    "yield_change", "yield_spread", "index_level", "index_change", "exchange_rate", "inflation",
    "unemployment", "job_openings", "approval_rating", "gdp_growth", "count", "other",
    # added for the claims issue (#9): what real earnings, macro and model news reports
    "benchmark_score", "policy_rate", "policy_rate_change", "gross_margin", "operating_margin",
    "net_income", "eps", "guidance", "dividend", "buyback", "capex", "orders", "backlog",
    "wafer_capacity", "yield_rate", "users", "downloads", "tokens", "training_compute",
}
TOP_REQUIRED = {"id", "lang", "published", "locale", "text", "entities", "claims"}
TOP_ALLOWED = TOP_REQUIRED | {"non_claims"}
CLAIM_REQUIRED = {"text", "value", "unit", "subject", "metric", "period"}
# versus: the entity id a comparison is made against; subject_text: the subject as written when
# it has no entity id; benchmark: the benchmark a benchmark_score is on (MMLU-Pro, SWE-bench...).
CLAIM_ALLOWED = CLAIM_REQUIRED | {"qualifier", "low", "high", "previous_value", "precision",
                                  "versus", "subject_text", "benchmark"}
# Fiscal periods carry an FY prefix (FY2026Q3: the company's own fiscal numbering).
PERIOD_RE = re.compile(r"^(FY)?\d{4}(Q[1-4]|H[12]|-\d{2}(-\d{2})?)?$")
ID_RE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
FILE_RE = re.compile(r"^[gt]\d{3}$")  # g: dev part (texts/), t: held-out test part (test/)
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
# Characters OpenCC's s2tw rewrites although Taiwanese news writes them this way (台積電, 市占率, 宣布, 獲准).
HANT_OK = set("台占布准")
# Characters OpenCC's t2s rewrites although they are the Simplified brand spelling (昇腾, Huawei's Ascend).
HANS_OK = set("昇")

try:  # optional: only used to catch a text written in the wrong script
    import opencc
    _CONVERTERS = {"zh-Hans": opencc.OpenCC("t2s"), "zh-Hant": opencc.OpenCC("s2tw")}
except ImportError:  # pragma: no cover
    _CONVERTERS = {}


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def locate(text: str, items: list, label: str, errors: list) -> list[tuple[int, int]]:
    """Find each item's `text` in order, each search starting where the previous match ended."""
    spans, pos = [], 0
    for i, item in enumerate(items):
        needle = item["text"] if isinstance(item, dict) else item
        if not isinstance(needle, str) or not needle:
            errors.append(f"{label}[{i}]: text must be a non-empty string")
            continue
        start = text.find(needle, pos)
        if start < 0:
            where = "anywhere" if text.find(needle) < 0 else f"after offset {pos} (out of order?)"
            errors.append(f"{label}[{i}] {needle!r}: not found {where}")
            continue
        end = start + len(needle)
        spans.append((start, end))
        pos = end
    return spans


def check_boundaries(text: str, spans, label: str, numeric: bool, errors: list) -> None:
    """A span must not cut through a word or a number (e.g. '4%' inside '14%')."""
    for start, end in spans:
        frag = text[start:end]
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        if is_ascii_alnum(frag[0]) and before and is_ascii_alnum(before):
            errors.append(f"{label} {frag!r}: starts inside a word/number ({before!r} before it)")
        if is_ascii_alnum(frag[-1]) and after and is_ascii_alnum(after):
            errors.append(f"{label} {frag!r}: ends inside a word/number ({after!r} after it)")
        if numeric and frag[0].isdigit() and before in {".", ","} and start > 1 and text[start - 2].isdigit():
            errors.append(f"{label} {frag!r}: starts inside a number")


def check_overlaps(spans, label: str, text: str, errors: list) -> None:
    for (a0, a1), (b0, b1) in zip(spans, spans[1:], strict=False):
        if b0 < a1:
            errors.append(f"{label}: {text[a0:a1]!r} and {text[b0:b1]!r} overlap")


def check_claim(i: int, c: dict, errors: list, warnings: list, entity_ids: set) -> None:
    label = f"claims[{i}] {c.get('text')!r}"
    missing = CLAIM_REQUIRED - c.keys()
    if missing:
        errors.append(f"{label}: missing keys {sorted(missing)}")
    unknown = c.keys() - CLAIM_ALLOWED
    if unknown:
        errors.append(f"{label}: unknown keys {sorted(unknown)}")
    if not is_number(c.get("value")):
        errors.append(f"{label}: value {c.get('value')!r} is not a number (write 6.71e+11 or 671000000000)")
    for key in ("low", "high", "previous_value"):
        if key in c and not is_number(c[key]):
            errors.append(f"{label}: {key} {c[key]!r} is not a number")
    if ("low" in c) != ("high" in c):
        errors.append(f"{label}: give both low and high, or neither")
    if is_number(c.get("low")) and is_number(c.get("high")):
        if c["low"] > c["high"]:
            errors.append(f"{label}: low {c['low']} > high {c['high']}")
        if is_number(c.get("value")) and c["value"] != c["low"]:
            errors.append(f"{label}: for a range, value must equal low")
    if c.get("unit") not in UNITS:
        errors.append(f"{label}: unit {c.get('unit')!r} not in allowed units")
    if c.get("metric") not in METRICS:
        errors.append(f"{label}: metric {c.get('metric')!r} not in vocabulary")
    if c.get("qualifier", "exact") not in QUALIFIERS:
        errors.append(f"{label}: qualifier {c.get('qualifier')!r} not in {sorted(QUALIFIERS)}")
    if "precision" in c and c["precision"] not in PRECISIONS:
        errors.append(f"{label}: precision {c['precision']!r} not in {sorted(PRECISIONS)}")
    period = c.get("period")
    if period is not None and not (isinstance(period, str) and PERIOD_RE.match(period)):
        errors.append(f"{label}: period {period!r} must be null or match {PERIOD_RE.pattern} (quote it)")
    subject = c.get("subject")
    if subject is not None:
        if not (isinstance(subject, str) and ID_RE.match(subject)):
            errors.append(f"{label}: subject {subject!r} is not a snake_case id")
        elif subject not in entity_ids:
            warnings.append(f"{label}: subject {subject!r} is not mentioned in this text")


def digit_gaps(text: str, spans) -> list[str]:
    covered = [False] * len(text)
    for start, end in spans:
        for k in range(start, end):
            covered[k] = True
    gaps = []
    for m in re.finditer(r"\d+", text):
        if not all(covered[m.start():m.end()]):
            gaps.append(text[max(0, m.start() - 6):m.end() + 6])
    return gaps


def check_script(lang: str, text: str, warnings: list) -> None:
    """zh-Hans must survive t2s unchanged, zh-Hant s2tw (minus HANT_OK); en has no Han characters."""
    if lang == "en":
        if CJK_RE.search(text):
            warnings.append("an en text contains Han characters")
        return
    conv = _CONVERTERS.get(lang)
    if conv is None:
        return
    allowed = HANT_OK if lang == "zh-Hant" else HANS_OK
    odd = sorted({a for a, b in zip(text, conv.convert(text), strict=False) if a != b and a not in allowed})
    if odd:
        warnings.append(f"characters from the other Chinese script in a {lang} text: {''.join(odd)}")


def check_file(path: Path, errors: list, warnings: list):
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        errors.append(f"YAML error: {exc}")
        return None
    if not isinstance(doc, dict):
        errors.append("top level must be a mapping")
        return None
    missing = TOP_REQUIRED - doc.keys()
    if missing:
        errors.append(f"missing keys {sorted(missing)}")
        return None
    unknown = doc.keys() - TOP_ALLOWED
    if unknown:
        errors.append(f"unknown keys {sorted(unknown)}")
    if doc["id"] != path.stem or not FILE_RE.match(path.stem):
        errors.append(f"id {doc['id']!r} must equal the file name stem gNNN")
    if doc["lang"] not in LANGS:
        errors.append(f"lang {doc['lang']!r} not in {sorted(LANGS)}")
    if doc["locale"] not in LOCALES:
        errors.append(f"locale {doc['locale']!r} not in {sorted(LOCALES)}")
    published = doc["published"]
    if isinstance(published, str):
        try:
            dt.date.fromisoformat(published)
        except ValueError:
            errors.append(f"published {published!r} is not an ISO date")
    elif not isinstance(published, dt.date):
        errors.append(f"published {published!r} is not an ISO date")
    text = doc["text"]
    if not isinstance(text, str) or not text.strip():
        errors.append("text must be a non-empty string")
        return None
    check_script(doc["lang"], text, warnings)
    entities, claims = doc["entities"] or [], doc["claims"] or []
    non_claims = doc.get("non_claims") or []
    for i, e in enumerate(entities):
        if not isinstance(e, dict) or set(e) != {"id", "text"}:
            errors.append(f"entities[{i}]: must have exactly the keys id and text")
        elif not ID_RE.match(str(e["id"])):
            errors.append(f"entities[{i}]: id {e['id']!r} is not lower snake_case")
    if any(not isinstance(e, dict) or "text" not in e for e in entities):
        return None
    entity_ids = {e["id"] for e in entities}
    for i, c in enumerate(claims):
        if not isinstance(c, dict) or "text" not in c:
            errors.append(f"claims[{i}]: must be a mapping with a text key")
            return None
        check_claim(i, c, errors, warnings, entity_ids)
    e_spans = locate(text, entities, "entities", errors)
    c_spans = locate(text, claims, "claims", errors)
    n_spans = locate(text, non_claims, "non_claims", errors)
    check_boundaries(text, e_spans, "entity", False, errors)
    check_boundaries(text, c_spans, "claim", True, errors)
    check_overlaps(e_spans, "entities", text, errors)
    check_overlaps(c_spans, "claims", text, errors)
    for gap in digit_gaps(text, e_spans + c_spans + n_spans):
        errors.append(f"digits not covered by a claim, entity or non_claims span: ...{gap}...")
    return doc, e_spans


def unannotated_mentions(docs, warnings_by_file) -> None:
    """Warn where a surface form annotated somewhere in the set appears unannotated elsewhere."""
    surfaces = defaultdict(set)
    for doc, _ in docs.values():
        for e in doc["entities"]:
            surfaces[e["text"]].add(e["id"])
    for name, (doc, e_spans) in docs.items():
        text = doc["text"]
        for surface in surfaces:
            if len(surface) < 2:
                continue
            for m in re.finditer(re.escape(surface), text):
                s, t = m.start(), m.end()
                if is_ascii_alnum(surface[0]) and s > 0 and is_ascii_alnum(text[s - 1]):
                    continue
                if is_ascii_alnum(surface[-1]) and t < len(text) and is_ascii_alnum(text[t]):
                    continue
                if not any(a <= s and t <= b for a, b in e_spans):
                    warnings_by_file[name].append(
                        f"{surface!r} at offset {s} is annotated elsewhere as {sorted(surfaces[surface])} but not here")


def main(argv: list[str]) -> int:
    verbose = "--verbose" in argv
    dirs = [a for a in argv if not a.startswith("--")]
    texts_dir = Path(dirs[0]) if dirs else TEXTS_DIR
    files = sorted(texts_dir.glob("*.yaml"))
    if not files:
        print(f"Error: no gold files in {texts_dir}. Add gNNN.yaml files.")
        return 1
    errors_by_file, warnings_by_file, docs = defaultdict(list), defaultdict(list), {}
    for path in files:
        result = check_file(path, errors_by_file[path.name], warnings_by_file[path.name])
        if result:
            docs[path.name] = result
    unannotated_mentions(docs, warnings_by_file)

    n_err = sum(len(v) for v in errors_by_file.values())
    n_warn = sum(len(v) for v in warnings_by_file.values())
    for name in sorted(set(errors_by_file) | set(warnings_by_file)):
        for msg in errors_by_file[name]:
            print(f"ERROR {name}: {msg}")
        for msg in warnings_by_file[name]:
            print(f"warn  {name}: {msg}")

    per_lang = defaultdict(Counter)
    ids = set()
    for doc, _ in docs.values():
        c = per_lang[doc["lang"]]
        c["texts"] += 1
        c["claims"] += len(doc["claims"])
        c["entities"] += len(doc["entities"])
        ids.update(e["id"] for e in doc["entities"])
        ids.update(cl["subject"] for cl in doc["claims"] if cl.get("subject"))
    total = Counter()
    for lang in sorted(per_lang):
        c = per_lang[lang]
        total.update(c)
        print(f"{lang:8} texts={c['texts']:3} claims={c['claims']:4} entity_mentions={c['entities']:4}")
    print(f"{'total':8} texts={total['texts']:3} claims={total['claims']:4} entity_mentions={total['entities']:4}")
    print(f"{len(ids)} entity ids; {n_err} errors; {n_warn} warnings")
    if verbose:
        print("ids: " + ", ".join(sorted(ids)))
    return 1 if n_err else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
