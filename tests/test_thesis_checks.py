"""Both paths of every check in theses/system-moore.yaml, on small hand-made warehouses.

Each scenario in tests/thesis_cases.yaml states its articles (text, date, language, entity
mentions, numeric claims, statements), an evaluation date and the status the thesis must give,
with the reasoning in `why`. One parametrized test loads each scenario through the project's own
loaders into a fresh DuckDB file and evaluates the real thesis file against it.
"""
from __future__ import annotations

import re
import shutil
from datetime import date, datetime, time
from pathlib import Path

import pytest
import yaml

from extractors.gazetteer import load_entities
from extractors.metrics import metric_vocabulary
from ingest.articles import to_article
from ingest.items import Item
from tests.statement_rows import entity_rows, to_contract
from thesis.evaluate import evaluate_theses, model_rows
from thesis.model import ASSUMPTION_STATUSES, RISK_STATUSES, Thesis, load_thesis
from warehouse.db import transaction
from warehouse.load import load_extractions, load_fetch, sync_model_hotsets, sync_reference

ROOT = Path(__file__).resolve().parents[1]
THESIS = ROOT / "theses" / "system-moore.yaml"
CASES = Path(__file__).parent / "thesis_cases.yaml"
UNITS = ROOT / "extractors" / "data" / "units.yaml"
GOOD = {"holds", "clear"}
SOURCE = {"name": "thesis-cases", "kind": "file", "location": str(CASES)}

_SCENARIO_KEYS = {"name", "why", "as_of", "articles", "models", "params", "expect"}
_ARTICLE_KEYS = {"id", "text", "published", "lang", "mentions", "claims", "statements"}
_STATEMENT_KEYS = {"quote", "subject", "subject_text", "predicate", "object", "object_text", "qualifier",
                   "polarity", "modality"}
GOLD = Path(__file__).parent / "gold" / "statements"
PREDICATES = {
    "outperforms", "matches", "trails", "closes_gap_with", "licenses_from", "licenses_to", "acquires",
    "invests_in", "partners_with", "hires_from", "remains_independent", "sues", "approves_export",
    "bans_export", "restricts", "revokes", "investigates", "adopts", "integrates", "replaces",
    "is_bottleneck", "limits", "fits_in", "exceeds", "raises", "cuts", "launches", "ships", "delays"}
_CLAIM_KEYS = {"subject", "metric", "value", "unit", "period", "quote", "qualifier", "previous_value"}
_MODEL_KEYS = {"model", "ffn_gb", "all_gb"}
_EXPECT_KEYS = {"status", "value"}
# A sentence ends at 。！？!? or at a full stop followed by space (not inside "1.2").
_SENTENCE_END = re.compile(r"[。！？!?]|\.(?=\s|$)")


def _scenarios() -> list[tuple[str, dict]]:
    raw = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    return [(check_id, s) for check_id, items in raw["checks"].items() for s in items]


SCENARIOS = _scenarios()


@pytest.fixture(scope="module")
def thesis() -> Thesis:
    return load_thesis(THESIS)


# --- building a warehouse from a scenario ------------------------------------------------

def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of `text` holding text[start:end], as an extractor would store it."""
    begin = 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() <= start:
            begin = m.end()
        elif m.start() >= end:
            return text[begin:m.end()].strip()
    return text[begin:].strip()


def _at_noon(d: date) -> datetime:
    return datetime.combine(d, time(12, 0))


def _article_row(a: dict) -> dict:
    when = _at_noon(a["published"])
    item = Item(title=a["id"], text=a["text"], guid=a["id"], published_at=when)
    row = to_article(item, SOURCE["name"], fetched_at=when, default_published=None, lang=a["lang"])
    assert row is not None, f"article {a['id']}: no text"
    return row


def _extraction(a: dict, row: dict) -> dict:
    text = row["text"]
    mentions = []
    for m in a.get("mentions") or []:
        start = text.find(m["text"])
        assert start >= 0, f"article {a['id']}: mention {m['text']!r} is not in the text"
        mentions.append({"id": m["entity"], "start": start, "end": start + len(m["text"]), "text": m["text"]})
    claims = []
    for c in a.get("claims") or []:
        assert set(c) <= _CLAIM_KEYS, f"article {a['id']}: unknown claim keys {set(c) - _CLAIM_KEYS}"
        start = text.find(c["quote"])
        assert start >= 0, f"article {a['id']}: quote {c['quote']!r} is not in the text"
        assert text.find(c["quote"], start + 1) < 0, f"article {a['id']}: quote {c['quote']!r} occurs twice"
        end = start + len(c["quote"])
        claims.append({"subject": c["subject"], "metric": c["metric"], "value": float(c["value"]),
                       "unit": c["unit"], "period": c.get("period"), "qualifier": c.get("qualifier", "exact"),
                       "previous_value": None if c.get("previous_value") is None else float(c["previous_value"]),
                       "quote": c["quote"], "sentence": sentence_around(text, start, end),
                       "start": start, "end": end})
    annotated = [{"polarity": "affirmed", "modality": "fact", **st} for st in a.get("statements") or []]
    for st in annotated:
        assert set(st) <= _STATEMENT_KEYS, f"article {a['id']}: unknown statement keys {set(st) - _STATEMENT_KEYS}"
    return {"article_id": row["article_id"], "mentions": mentions, "claims": claims,
            "statements": to_contract(text, annotated, claims)}


def gold_entities_needed() -> list[dict]:
    """The topic and model ids the statement gold set adds to the gazetteer, one entry each."""
    needed: dict[str, dict] = {}
    for f in sorted(GOLD.glob("*/*.yaml")):
        for e in yaml.safe_load(f.read_text(encoding="utf-8")).get("entities_needed") or []:
            needed.setdefault(e["id"], e)
    return list(needed.values())


_NEEDED = gold_entities_needed()


def _model_rows(scenario: dict, thesis: Thesis) -> list[dict]:
    models = scenario.get("models")
    if models == "shipped":
        return model_rows([thesis])
    if isinstance(models, str) and models.startswith("shipped:"):
        rows = [r for r in model_rows([thesis]) if r["model"] == models.split(":", 1)[1]]
        assert rows, f"no shipped model config {models}"
        return rows
    rows = []
    for m in models or []:
        assert set(m) <= _MODEL_KEYS, f"unknown model keys {set(m) - _MODEL_KEYS}"
        # FP8 stores one byte per parameter, so N GB at FP8 is N billion parameters.
        ffn, hot = m["ffn_gb"] * 1e9, m["all_gb"] * 1e9
        rows.append({"model": m["model"], "name": m["model"], "total_params": hot * 20,
                     "activated_params": hot * 2, "hot_ffn_params": ffn, "hot_all_params": hot,
                     "hot_ffn_gb_fp8": m["ffn_gb"], "hot_all_gb_fp8": m["all_gb"]})
    return rows


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Path:
    """A fresh file with every migration applied and the entities (with the attributes statement
    checks compare on) in place; each scenario starts from a copy."""
    db = tmp_path_factory.mktemp("template") / "warehouse.duckdb"
    with transaction(db):
        pass
    sync_reference(db, entity_rows(_NEEDED), {"other": "other"})
    return db


def build_warehouse(db: Path, scenario: dict, thesis: Thesis, template: Path) -> None:
    shutil.copy(template, db)
    articles = scenario.get("articles") or []
    rows = [_article_row(a) for a in articles]
    if rows:
        fetch = {"url": None, "started_at": min(r["fetched_at"] for r in rows), "status": "ok"}
        counts = load_fetch(db, "run-1", SOURCE, fetch, rows)
        assert counts["new"] == len(rows), "two scenario articles have the same text"
        load_extractions(db, "test", [_extraction(a, r) for a, r in zip(articles, rows, strict=True)])
    if scenario.get("models"):
        sync_model_hotsets(db, _model_rows(scenario, thesis))


def with_params(thesis: Thesis, check_id: str, params: dict | None) -> Thesis:
    """A copy of the thesis with one check's parameters changed; the file is not touched."""
    if not params:
        return thesis
    copy = thesis.model_copy(deep=True)
    item = next(i for _, i in copy.items() if i.id == check_id)
    known = copy.params_for(item)
    unknown = set(params) - set(known)
    assert not unknown, f"{check_id} has no parameter {sorted(unknown)} (known: {sorted(known)})"
    item.parameters.update(params)
    return copy


def only(thesis: Thesis, check_id: str) -> Thesis:
    """The thesis with just one check: scenarios are about one check each, and 14 cost 14 times."""
    return thesis.model_copy(update={"assumptions": [a for a in thesis.assumptions if a.id == check_id],
                                     "risks": [r for r in thesis.risks if r.id == check_id]})


# --- the scenarios -------------------------------------------------------------------------

@pytest.mark.parametrize(("check_id", "scenario"), SCENARIOS,
                         ids=[f"{c}/{s['name']}" for c, s in SCENARIOS])
def test_check_gives_expected_status(tmp_path, thesis, template, check_id, scenario):
    assert set(scenario) <= _SCENARIO_KEYS, f"unknown scenario keys {set(scenario) - _SCENARIO_KEYS}"
    expect = scenario["expect"]
    assert set(expect) <= _EXPECT_KEYS, f"unknown expect keys {set(expect) - _EXPECT_KEYS}"
    db = tmp_path / "warehouse.duckdb"
    build_warehouse(db, scenario, thesis, template)
    tuned = only(with_params(thesis, check_id, scenario.get("params")), check_id)

    results = evaluate_theses(db, [tuned], scenario["as_of"])

    by_id = {r["assumption_id"]: r for r in results}
    got = by_id[check_id]
    assert got["status"] == expect["status"], (
        f"{check_id}/{scenario['name']}: got {got['status']} (value {got['value']}, detail {got['detail']!r}); "
        f"expected {expect['status']} because: {scenario['why']}")
    if "value" in expect:
        if expect["value"] is None:
            assert got["value"] is None
        else:
            assert got["value"] == pytest.approx(expect["value"], rel=1e-3, abs=1e-6)


# --- the scenario file itself --------------------------------------------------------------

def _statuses_in_sql(sql: str) -> set[str]:
    return set(re.findall(r"'(holds|weakening|broken|clear|elevated|triggered|unknown)'", sql))


def test_every_check_has_a_good_and_a_bad_scenario(thesis):
    """A new check, or a new status level in a check's SQL, fails here until it has scenarios."""
    seen: dict[str, set[str]] = {}
    for check_id, s in SCENARIOS:
        seen.setdefault(check_id, set()).add(s["expect"]["status"])
    problems = []
    for _, item in thesis.items():
        statuses = seen.get(item.id, set())
        if not statuses & GOOD:
            problems.append(f"{item.id}: no scenario where it holds / is clear")
        if not statuses - GOOD - {"unknown"}:
            problems.append(f"{item.id}: no scenario where it weakens, breaks or triggers")
        missing = _statuses_in_sql(item.check) - statuses
        if missing:
            problems.append(f"{item.id}: its SQL can return {sorted(missing)} but no scenario expects it")
    assert not problems, "\n".join(problems)


def test_scenarios_name_real_checks_and_statuses(thesis):
    kinds = {item.id: kind for kind, item in thesis.items()}
    names = [f"{c}/{s['name']}" for c, s in SCENARIOS]
    assert len(names) == len(set(names)), "two scenarios share a name"
    for check_id, s in SCENARIOS:
        assert check_id in kinds, f"{check_id}: no such check in {THESIS.name}"
        allowed = ASSUMPTION_STATUSES if kinds[check_id] == "assumption" else RISK_STATUSES
        assert s["expect"]["status"] in allowed, f"{check_id}/{s['name']}: {s['expect']['status']!r}"
        assert s.get("why", "").strip(), f"{check_id}/{s['name']}: say why this status is expected"


def test_scenarios_use_ids_the_extractors_can_produce():
    """Entity, metric, unit and predicate ids in the scenarios exist in the shipped gazetteer (or
    the statement gold set's entities_needed) and vocabularies, so a scenario cannot pass on data
    the pipeline would never write."""
    entities = {e.id for e in load_entities()} | {e["id"] for e in _NEEDED}
    metrics = set(metric_vocabulary())
    units = {u["unit"] for u in yaml.safe_load(UNITS.read_text(encoding="utf-8"))["units"]}
    problems = []
    for check_id, s in SCENARIOS:
        for a in s.get("articles") or []:
            assert set(a) <= _ARTICLE_KEYS, f"{check_id}/{s['name']}: unknown article keys {set(a) - _ARTICLE_KEYS}"
            assert a["lang"] in ("en", "zh-Hans", "zh-Hant"), f"{a['id']}: lang {a['lang']!r}"
            for m in a.get("mentions") or []:
                if m["entity"] not in entities:
                    problems.append(f"{check_id}/{s['name']}: unknown entity {m['entity']}")
            for st in a.get("statements") or []:
                for role in ("subject", "object"):
                    if st.get(role) is not None and st[role] not in entities:
                        problems.append(f"{check_id}/{s['name']}: unknown {role} {st[role]}")
                if st["predicate"] not in PREDICATES:
                    problems.append(f"{check_id}/{s['name']}: unknown predicate {st['predicate']}")
                if st.get("polarity", "affirmed") not in ("affirmed", "negated") or st.get("modality", "fact") not in (
                        "fact", "forecast", "hedged", "conditional", "question"):
                    problems.append(f"{check_id}/{s['name']}: bad polarity or modality in {st['quote']!r}")
            for c in a.get("claims") or []:
                if c["subject"] not in entities:
                    problems.append(f"{check_id}/{s['name']}: unknown subject {c['subject']}")
                if c["metric"] not in metrics:
                    problems.append(f"{check_id}/{s['name']}: unknown metric {c['metric']}")
                if c["unit"] not in units:
                    problems.append(f"{check_id}/{s['name']}: unknown unit {c['unit']}")
    assert not problems, "\n".join(problems)


def test_sentence_around_stops_at_sentence_ends_not_decimal_points():
    text = "First one. NVIDIA leads Huawei by 1.2x today! 第三句。"
    start = text.index("1.2x")
    assert sentence_around(text, start, start + 4) == "NVIDIA leads Huawei by 1.2x today!"
    assert sentence_around(text, text.index("第三"), text.index("第三") + 2) == "第三句。"
