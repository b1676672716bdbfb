"""The thesis's statement checks against the statement gold set, independently of any extractor.

For every row of tests/gold/statements/scenarios.yaml, the gold file's hand-annotated statements
(converted to the extractor's output contract) are loaded through the real loader into a fresh
warehouse holding that one text, the real thesis file is evaluated as of the text's date, and
the check must read the status the row expects. One warehouse per gold file serves all its rows.
"""
from __future__ import annotations

import shutil
from datetime import datetime, time
from pathlib import Path

import pytest
import yaml

from ingest.articles import to_article
from ingest.items import Item
from tests.statement_rows import entity_rows, to_contract
from thesis.evaluate import evaluate_theses
from thesis.model import load_thesis
from warehouse.db import transaction
from warehouse.load import load_extractions, load_fetch, sync_reference

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold" / "statements"
THESIS = ROOT / "theses" / "system-moore.yaml"
ROWS = yaml.safe_load((GOLD / "scenarios.yaml").read_text(encoding="utf-8"))


def template_warehouse(db: Path) -> Path:
    """A migrated warehouse whose entities table holds the gazetteer, the gold set's attributes
    and every gold file's entities_needed (each id has one entry wherever it is used)."""
    needed = {}
    for f in sorted(GOLD.glob("*/*.yaml")):
        for e in yaml.safe_load(f.read_text(encoding="utf-8")).get("entities_needed") or []:
            needed.setdefault(e["id"], e)
    with transaction(db):
        pass
    sync_reference(db, entity_rows(list(needed.values())), {"other": "other"})
    return db


def gold_warehouse(db: Path, doc: dict) -> None:
    """Load one gold text and its annotated statements into `db`, as a run would."""
    when = datetime.combine(doc["published"], time(9, 0))
    row = to_article(Item(title=doc["id"], text=doc["text"], guid=doc["id"], published_at=when), "gold",
                     fetched_at=when, default_published=None, lang=doc["lang"])
    load_fetch(db, "gold-run", {"name": "gold", "kind": "file", "location": str(GOLD)},
               {"url": None, "started_at": when, "status": "ok"}, [row])
    statements = to_contract(row["text"], doc["statements"])
    load_extractions(db, "gold", [{"article_id": row["article_id"], "mentions": [], "claims": [],
                                   "statements": statements}])


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    thesis = load_thesis(THESIS)
    template = template_warehouse(tmp_path_factory.mktemp("template") / "w.duckdb")
    cache: dict[str, dict[str, dict]] = {}

    def results(file: str) -> dict[str, dict]:
        if file not in cache:
            doc = yaml.safe_load((GOLD / file).read_text(encoding="utf-8"))
            db = tmp_path_factory.mktemp(doc["id"]) / "w.duckdb"
            shutil.copy(template, db)  # one text per warehouse: the row is about that text alone
            gold_warehouse(db, doc)
            wanted = {r["check"] for r in ROWS if r["file"] == file}
            only = thesis.model_copy(update={"assumptions": [a for a in thesis.assumptions if a.id in wanted],
                                             "risks": [r for r in thesis.risks if r.id in wanted]})
            cache[file] = {r["assumption_id"]: r for r in evaluate_theses(db, [only], doc["published"])}
        return cache[file]
    return results


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['file']}:{r['check']}:{r['role']}" for r in ROWS])
def test_a_statement_check_reads_what_the_gold_text_says(evaluated, row):
    got = evaluated(row["file"])[row["check"]]
    assert got["status"] == row["expect"], (
        f"{row['file']} ({row['role']}): {row['check']} read {got['status']}, expected {row['expect']}; "
        f"detail: {got['detail']}")


def test_a_moved_check_names_the_statement_that_moved_it(evaluated):
    got = evaluated("dev/s009.yaml")["deal_is_licence"]
    assert got["status"] == "broken"
    assert "公司已被英伟达以约200亿美元全资收购" in got["detail"]
    assert got["evidence_ids"] and ":s" in got["evidence_ids"][0]


def test_context_statements_are_shown_but_not_counted(evaluated):
    got = evaluated("dev/s015.yaml")["moe_dominates"]
    assert got["status"] == "holds" and got["value"] == 0
    assert "not counted: 3" in got["detail"] and "negated fact" in got["detail"]
    assert len(got["evidence_ids"]) == 5  # two trails (asserted) first, then the three not counted
