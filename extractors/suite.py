"""Score the extractor on the number suite in tests/numbers: one sentence per case, every
quantity in it with its value and unit. A case passes when every expected quantity is found
with its value, unit and range, and nothing else is read as a quantity.

Signs: the suite records a change's direction where the sentence writes it as a sign (its
`change_signed`, `sign_glued`, `paren_signed` cases, and any negative value); elsewhere it
writes magnitudes, while the extractor signs what the project's claim rules sign (a job cut, a
net loss). So a sign is compared in those cases, a magnitude in the others.

A *wrong value* is worse than a miss: a claim over an expected span whose value or unit is not
the expected one. The report counts those apart.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import yaml

from extractors.evaluate import TOLERANCE

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def default_suite_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "tests" / "numbers"


def load_suite(folder: Path) -> list[dict]:
    """Every case of every file, with the file's lang and locale and each span's offsets."""
    cases = []
    for f in sorted(folder.glob("*.yaml")):
        doc = yaml.load(f.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
        for case in doc["cases"]:
            pos = 0
            for q in case["expect"]:
                start = case["text"].find(q["span"], pos)
                if start < 0:
                    raise ValueError(f"{f.name}: {case['id']}: span {q['span']!r} not found in order")
                q["start"], q["end"], pos = start, start + len(q["span"]), start + len(q["span"])
            cases.append({**case, "file": f.name, "lang": doc["lang"], "locale": doc["locale"]})
    return cases


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b), 1e-9)


SIGNED_PHENOMENA = {"change_signed", "sign_glued", "paren_signed"}


def _magnitude(v):
    return None if v is None else abs(v)


def _none_last(v) -> tuple:
    return (v is None, v or 0)


def _same(pred: dict, want: dict, signed: bool) -> bool:
    if pred["unit"] != want["unit"]:
        return False
    if "low" not in want and "high" not in want:
        got, exp = [pred["value"]], [want["value"]]
    else:
        got, exp = [pred["low"], pred["high"]], [want.get("low"), want.get("high")]
    if not signed:  # magnitudes; a signed range's bounds swap places when made positive
        got, exp = sorted(map(_magnitude, got), key=_none_last), sorted(map(_magnitude, exp), key=_none_last)
    return all(_close(a, b) for a, b in zip(got, exp, strict=True))


def _overlaps(pred: dict, want: dict) -> bool:
    return pred["start"] < want["end"] and want["start"] < pred["end"]


def judge(case: dict, claims: list[dict]) -> dict:
    """{passed, missed, wrong, extra} for one case given the extractor's claims."""
    missed, wrong, used = [], [], set()
    for want in case["expect"]:
        near = [i for i, p in enumerate(claims) if i not in used and _overlaps(p, want)]
        signed = case["phenomenon"] in SIGNED_PHENOMENA or want["value"] < 0
        hit = next((i for i in near if _same(claims[i], want, signed)), None)
        if hit is not None:
            used.add(hit)
        elif near:
            used.add(near[0])
            p = claims[near[0]]
            wrong.append(f"{want['span']!r}: got {p['value']:.6g} {p['unit']}, want {want['value']:.6g} {want['unit']}")
        else:
            missed.append(want["span"])
    extra = [f"{p['quote']!r} = {p['value']:.6g} {p['unit']}" for i, p in enumerate(claims) if i not in used]
    return {"passed": not (missed or wrong or extra), "missed": missed, "wrong": wrong, "extra": extra}


def evaluate_suite(folder: Path | None = None) -> dict:
    """Pass rate overall, per file and per phenomenon, the wrong-value count, and the failures."""
    from extractors.pipeline import get_extractor
    cases = load_suite(folder or default_suite_dir())
    results = get_extractor().extract_many([{"text": c["text"], "lang": c["lang"], "locale": c["locale"]}
                                            for c in cases])
    by_file, by_phenomenon = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    failures, wrong = [], 0
    for case, res in zip(cases, results, strict=True):
        verdict = judge(case, res["claims"])
        for table, key in ((by_file, case["file"]), (by_phenomenon, case["phenomenon"])):
            table[key][0] += verdict["passed"]
            table[key][1] += 1
        wrong += bool(verdict["wrong"])
        if not verdict["passed"]:
            failures.append((case["id"], verdict))
    passed = sum(v[0] for v in by_file.values())
    return {"cases": len(cases), "passed": passed, "pass_rate": passed / len(cases) if cases else 0.0,
            "wrong_value_cases": wrong, "by_file": dict(by_file), "by_phenomenon": dict(by_phenomenon),
            "failures": failures}


def render_suite(r: dict, show_failures: bool = False) -> str:
    lines = [f"Number suite: {r['cases']} cases, {r['passed']} passed ({r['pass_rate']:.3f}), "
             f"{r['wrong_value_cases']} with a wrong value"]
    lines += [f"  {name:32} {ok:4}/{n:<4} {ok / n:.2f}" for name, (ok, n) in sorted(r["by_file"].items())]
    if show_failures:
        for case_id, v in r["failures"]:
            parts = [f"missed {v['missed']}"] * bool(v["missed"]) + [f"wrong {v['wrong']}"] * bool(v["wrong"]) + \
                    [f"extra {v['extra']}"] * bool(v["extra"])
            lines.append(f"{case_id}: " + "; ".join(parts))
    return "\n".join(lines)
