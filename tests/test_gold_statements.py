"""The statement gold set (tests/gold/statements) stays well-formed: every quote is in its text
in order, every predicate, polarity and modality is in the vocabulary, every id resolves, and
every thesis scenario names a real file and a real check. The extractor that it will measure
does not exist yet; this keeps the data honest until it does."""
from __future__ import annotations

import functools
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold" / "statements"
PREDICATES = {
    "outperforms", "matches", "trails", "closes_gap_with",
    "licenses_from", "licenses_to", "acquires", "invests_in", "partners_with", "hires_from",
    "remains_independent", "sues",
    "approves_export", "bans_export", "restricts", "revokes", "investigates",
    "adopts", "integrates", "replaces", "is_bottleneck", "limits", "fits_in", "exceeds",
    "raises", "cuts", "launches", "ships", "delays",
}
NO_OBJECT = {"remains_independent", "is_bottleneck"}
FILES = sorted(GOLD.glob("*/*.yaml"))


@functools.cache
def _known_ids() -> frozenset[str]:
    data = yaml.safe_load((ROOT / "extractors" / "data" / "entities.yaml").read_text(encoding="utf-8"))
    return frozenset(e["id"] for e in data["entities"])


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_statement_file_is_well_formed(path):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["id"] == path.stem and doc["lang"] in {"zh-Hant", "zh-Hans", "en"}
    assert doc["id"][0] == {"dev": "s", "test": "u"}[path.parent.name]
    known = _known_ids() | {e["id"] for e in doc.get("entities_needed") or []}
    pos = 0
    for i, s in enumerate(doc["statements"]):
        where = f"{path.name} statement {i + 1}"
        found = doc["text"].find(s["quote"], pos)
        assert found >= 0, f"{where}: quote not in the text after offset {pos}: {s['quote']!r}"
        pos = found
        assert s["predicate"] in PREDICATES, where
        assert s["polarity"] in {"affirmed", "negated"} and s["modality"] in {
            "fact", "forecast", "hedged", "conditional", "question"}, where
        for role in ("subject", "object"):
            value, text = s[role], s[f"{role}_text"]
            assert value is None or text is None, f"{where}: {role} and {role}_text both set"
            if value is not None:
                assert value in known, f"{where}: {role} {value!r} is neither in entities.yaml nor entities_needed"
            elif not (role == "object" and s["predicate"] in NO_OBJECT):
                assert text, f"{where}: no {role}"


def test_the_set_is_big_enough_and_covers_every_predicate_in_both_parts():
    by_part = {"dev": [], "test": []}
    for p in FILES:
        by_part[p.parent.name] += yaml.safe_load(p.read_text(encoding="utf-8"))["statements"]
    assert len(FILES) >= 50 and sum(map(len, by_part.values())) >= 200
    for part, statements in by_part.items():
        assert {s["predicate"] for s in statements} == PREDICATES, part
        assert {s["polarity"] for s in statements} == {"affirmed", "negated"}
        assert {"hedged", "conditional", "question"} <= {s["modality"] for s in statements}


def test_every_scenario_names_a_file_and_a_check_of_the_example_thesis():
    thesis = yaml.safe_load((ROOT / "theses" / "system-moore.yaml").read_text(encoding="utf-8"))
    statuses = {a["id"]: {"holds", "weakening", "broken"} for a in thesis["assumptions"]}
    statuses.update({r["id"]: {"clear", "elevated", "triggered"} for r in thesis["risks"]})
    scenarios = yaml.safe_load((GOLD / "scenarios.yaml").read_text(encoding="utf-8"))
    for row in scenarios:
        assert (GOLD / row["file"]).is_file(), row
        assert row["expect"] in statuses[row["check"]] | {"unknown"}, row
        assert row["role"] in {"trigger", "support", "lookalike", "unrelated"}, row
