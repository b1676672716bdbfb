"""Statements in the warehouse: loaded with claims in one transaction, their claim indexes
resolved to stored claim ids, replaced on re-extraction, unchanged by a re-run, absent without
harm when an extractor gives none, and read through v_statements with both sides' attributes."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from ingest.articles import to_article
from ingest.items import Item
from tests.statement_rows import entity_rows, to_contract
from warehouse.db import read_connection, transaction
from warehouse.load import load_extractions, load_fetch, sync_reference
from warehouse.views import create_as_of_views

TEXT = ("NVIDIA has not acquired Groq. Marvell and Astera Labs partner with AWS on a 1.6 Tbps fabric. "
        "A dense model outperformed Mixtral on code.")
ANNOTATED = [
    {"quote": "NVIDIA has not acquired Groq", "subject": "nvidia", "predicate": "acquires", "object": "groq",
     "polarity": "negated", "modality": "fact"},
    {"quote": "Marvell and Astera Labs partner with AWS on a 1.6 Tbps fabric", "subject": "marvell",
     "predicate": "partners_with", "object": "aws", "polarity": "affirmed", "modality": "fact"},
    {"quote": "Marvell and Astera Labs partner with AWS on a 1.6 Tbps fabric", "subject": "astera_labs",
     "predicate": "partners_with", "object": "aws", "polarity": "affirmed", "modality": "fact"},
    {"quote": "A dense model outperformed Mixtral on code", "subject": "dense", "predicate": "outperforms",
     "object": "mixtral", "qualifier": "code", "polarity": "affirmed", "modality": "fact"},
]
DENSE = {"id": "dense", "type": "topic", "architecture": "dense"}


def _warehouse(tmp_path, text=TEXT, published=datetime(2026, 1, 10, 9)):
    db = tmp_path / "w.duckdb"
    row = to_article(Item(title="t", text=text, guid="g1", published_at=published), "wire",
                     fetched_at=published, default_published=None, lang="en")
    load_fetch(db, "run-1", {"name": "wire", "kind": "feed", "location": "x"},
               {"url": None, "started_at": published, "status": "ok"}, [row])
    sync_reference(db, entity_rows([DENSE]), {"other": "other"})
    return db, row["article_id"]


def _claims(text):
    start = text.index("1.6 Tbps")
    return [{"subject": "marvell", "metric": "interconnect_bandwidth", "value": 1.6e12, "unit": "bits/s",
             "qualifier": "exact", "quote": "1.6 Tbps", "sentence": "", "start": start, "end": start + 8}]


def _result(aid, annotated=ANNOTATED, text=TEXT):
    claims = _claims(text)
    return {"article_id": aid, "mentions": [], "claims": claims, "statements": to_contract(text, annotated, claims)}


def _rows(db, sql="SELECT * FROM statements ORDER BY statement_id"):
    with read_connection(db) as con:
        return con.execute(sql).fetchall()


def test_statements_load_with_their_claims_and_a_rerun_changes_nothing(tmp_path):
    db, aid = _warehouse(tmp_path)
    out = load_extractions(db, "v1", [_result(aid)])
    assert out["statements"] == 4
    first = _rows(db)
    load_extractions(db, "v1", [_result(aid)])
    assert _rows(db) == first
    with read_connection(db) as con:
        ids = con.execute("SELECT subject, claim_ids FROM statements WHERE predicate = 'partners_with' "
                          "ORDER BY subject").fetchall()
        stored = con.execute("SELECT claim_id FROM claims").fetchall()
        marks = con.execute("SELECT statements FROM extractions").fetchall()
    assert ids == [("astera_labs", [stored[0][0]]), ("marvell", [stored[0][0]])]  # one clause, two rows
    assert marks == [(4,)]


def test_re_extraction_replaces_an_articles_statements(tmp_path):
    db, aid = _warehouse(tmp_path)
    load_extractions(db, "v1", [_result(aid)])
    load_extractions(db, "v2", [_result(aid, ANNOTATED[:1])])
    assert _rows(db, "SELECT predicate, polarity, extractor_version FROM statements") == [
        ("acquires", "negated", "v2")]


def test_a_batch_repeating_a_statement_stores_it_once(tmp_path):
    db, aid = _warehouse(tmp_path)
    load_extractions(db, "v1", [_result(aid, ANNOTATED[:1] * 2)])
    assert len(_rows(db)) == 1


def test_an_extractor_without_statements_still_loads(tmp_path):
    db, aid = _warehouse(tmp_path)
    out = load_extractions(db, "v1", [{"article_id": aid, "mentions": [], "claims": _claims(TEXT)}])
    assert out["statements"] == 0 and out["claims"] == 1
    assert _rows(db, "SELECT statements FROM extractions") == [(None,)]


def test_v_statements_carries_article_and_both_sides_attributes(tmp_path):
    db, aid = _warehouse(tmp_path)
    load_extractions(db, "v1", [_result(aid)])
    with read_connection(db) as con:
        row = con.execute("""SELECT subject_architecture, object_architecture, object_name, asserted, source,
                                    published_date, quote
                             FROM v_statements WHERE predicate = 'outperforms'""").fetchall()
        negated = con.execute("SELECT asserted FROM v_statements WHERE predicate = 'acquires'").fetchall()
    assert row == [("dense", "moe", "Mixtral", True, "wire", date(2026, 1, 10),
                    "A dense model outperformed Mixtral on code")]
    assert negated == [(False,)]


@pytest.mark.parametrize("as_of,expected", [(date(2026, 1, 9), 0), (date(2026, 1, 10), 4)])
def test_as_of_views_hide_statements_of_later_articles(tmp_path, as_of, expected):
    db, aid = _warehouse(tmp_path)
    load_extractions(db, "v1", [_result(aid)])
    with transaction(db) as con:
        create_as_of_views(con, as_of)
        assert con.execute("SELECT count(*) FROM v_statements").fetchall()[0][0] == expected
