"""Score the extractor against the gold set in tests/gold/texts: precision, recall, F1.

- entity mentions: same entity id and same character span;
- claim values: same unit and value within 0.5% (for a range, the same low/high pair counts too),
  paired one-to-one, preferring the gold claim whose quote overlaps;
- subject and period accuracy: over matched claims.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from extractors.pipeline import get_extractor

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster

TOLERANCE = 0.005


def default_gold_dir(part: str = "dev") -> Path:
    """tests/gold/texts (the dev part, tuned on) or tests/gold/test (the held-out test part)."""
    return Path(__file__).resolve().parent.parent / "tests" / "gold" / ("texts" if part == "dev" else "test")


def load_gold(folder: Path) -> list[dict]:
    docs = []
    for f in sorted(folder.glob("*.yaml")):
        d = yaml.load(f.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
        text = d["text"]
        pos = 0
        for e in d.get("entities") or []:
            i = text.find(e["text"], pos)
            if i < 0:
                raise ValueError(f"{f.name}: entity text {e['text']!r} not found in order")
            e["start"], e["end"], pos = i, i + len(e["text"]), i + len(e["text"])
        pos = 0
        for c in d.get("claims") or []:
            i = text.find(str(c["text"]), pos)
            if i < 0:
                raise ValueError(f"{f.name}: claim text {c['text']!r} not found in order")
            c["start"], c["end"], pos = i, i + len(str(c["text"])), i + 1
        d["file"] = f.name
        docs.append(d)
    return docs


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if a == b:
        return True
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b))


def value_match(p: dict, g: dict) -> bool:
    if p["unit"] != g["unit"]:
        return False
    if _close(p["value"], float(g["value"])):
        return True
    if g.get("low") is not None and p.get("low") is not None:
        return _close(min(p["low"], p["high"]), min(float(g["low"]), float(g["high"]))) and \
            _close(max(p["low"], p["high"]), max(float(g["low"]), float(g["high"])))
    return False


def _overlap(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def match_claims(pred: list[dict], gold: list[dict]) -> list[tuple[dict, dict]]:
    pairs, used = [], set()
    for overlap_pass in (True, False):
        for p in pred:
            if id(p) in {id(x) for x, _ in pairs}:
                continue
            for j, g in enumerate(gold):
                if j in used or not value_match(p, g):
                    continue
                if overlap_pass and not _overlap(p, g):
                    continue
                pairs.append((p, g))
                used.add(j)
                break
    return pairs


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "tp": tp,
            "predicted": n_pred, "gold": n_gold}


def evaluate_gold(folder: Path) -> dict:
    docs = load_gold(folder)
    ex = get_extractor()
    results = ex.extract_many([{"text": d["text"], "lang": d.get("lang"), "published_at": d.get("published"),
                                "locale": d.get("locale")} for d in docs])
    counts = dict.fromkeys(("ent_tp", "ent_pred", "ent_gold", "cl_tp", "cl_pred", "cl_gold", "subj_ok", "per_ok"), 0)
    errors: list[tuple[str, str, str]] = []
    for d, res in zip(docs, results, strict=True):
        _score_entities(d, res, counts, errors)
        _score_claims(d, res, counts, errors)
    cl_tp = counts["cl_tp"]
    return {
        "texts": len(docs),
        "entities": _prf(counts["ent_tp"], counts["ent_pred"], counts["ent_gold"]),
        "claims": _prf(cl_tp, counts["cl_pred"], counts["cl_gold"]),
        "subject_accuracy": counts["subj_ok"] / cl_tp if cl_tp else 0.0,
        "period_accuracy": counts["per_ok"] / cl_tp if cl_tp else 0.0,
        "errors": errors,
    }


def _score_entities(d: dict, res: dict, counts: dict, errors: list) -> None:
    gold_ents = {(e["id"], e["start"], e["end"]) for e in d.get("entities") or []}
    pred_ents = {(e["id"], e["start"], e["end"]) for e in res["entities"]}
    counts["ent_tp"] += len(gold_ents & pred_ents)
    counts["ent_pred"] += len(pred_ents)
    counts["ent_gold"] += len(gold_ents)
    for e in sorted(gold_ents - pred_ents, key=lambda x: x[1]):
        errors.append((d["file"], "entity missed", f"{e[0]} {d['text'][e[1]:e[2]]!r}"))
    for e in sorted(pred_ents - gold_ents, key=lambda x: x[1]):
        errors.append((d["file"], "entity extra", f"{e[0]} {d['text'][e[1]:e[2]]!r}"))


def _score_claims(d: dict, res: dict, counts: dict, errors: list) -> None:
    gold_claims = d.get("claims") or []
    pairs = match_claims(res["claims"], gold_claims)
    counts["cl_tp"] += len(pairs)
    counts["cl_pred"] += len(res["claims"])
    counts["cl_gold"] += len(gold_claims)
    for p, g in pairs:
        if p["subject"] == g.get("subject"):
            counts["subj_ok"] += 1
        else:
            errors.append((d["file"], "subject", f"{g['text']!r}: got {p['subject']}, gold {g.get('subject')}"))
        if p["period"] == (None if g.get("period") is None else str(g.get("period"))):
            counts["per_ok"] += 1
        else:
            errors.append((d["file"], "period", f"{g['text']!r}: got {p['period']}, gold {g.get('period')}"))
    matched_p = {id(p) for p, _ in pairs}
    matched_g = {id(g) for _, g in pairs}
    for g in gold_claims:
        if id(g) not in matched_g:
            errors.append((d["file"], "claim missed", f"{g['text']!r} = {g['value']} {g['unit']}"))
    for p in res["claims"]:
        if id(p) not in matched_p:
            errors.append((d["file"], "claim extra", f"{p['quote']!r} = {p['value']:.6g} {p['unit']}"))


def render_report(r: dict, show_errors: bool = False) -> str:
    lines = [f"Gold set: {r['texts']} texts, {r['claims']['gold']} claims, {r['entities']['gold']} entity mentions",
             f"{'':22}{'precision':>10}{'recall':>10}{'F1':>10}"]
    for name, key in (("entity mentions", "entities"), ("claim values", "claims")):
        m = r[key]
        lines.append(f"{name:22}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>10.3f}")
    lines.append(f"{'subject accuracy':22}{r['subject_accuracy']:>30.3f}   (on matched claims)")
    lines.append(f"{'period accuracy':22}{r['period_accuracy']:>30.3f}   (on matched claims)")
    if show_errors:
        lines.append("")
        lines += [f"{f}: {kind}: {detail}" for f, kind, detail in r["errors"]]
    return "\n".join(lines)
