"""Thesis files as a user writes them: validation messages, dry runs, views, alert listing,
re-extraction, and an alert that survives a crash between sending and recording."""
from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import ROOT, run_cli, run_process
from tests.httpserver import respond
from warehouse import load
from warehouse.db import read_connection

GOOD = """id: t
title: T
summary: s
owner: o
parameters: {limit: 10}
risks:
  - id: r1
    statement: something
    check: >-
      SELECT CASE WHEN count(*) > $limit THEN 'triggered' ELSE 'clear' END AS status,
      count(*) AS value FROM v_claims
"""


@pytest.mark.parametrize("edit,message", [
    (lambda t: t.replace("owner: o\n", "owner: o\ncolour: blue\n"), "{f}: colour: unknown key"),
    (lambda t: t.replace("    statement: something\n", ""), "{f}: risk r1: statement: missing field"),
    (lambda t: t.replace("SELECT CASE", "DELETE FROM claims; SELECT CASE"),
     "{f}: risk r1: check: expected one statement, got 2"),
    (lambda t: t.replace("SELECT CASE WHEN count(*) > $limit THEN 'triggered' ELSE 'clear' END AS status,\n"
                         "      count(*) AS value FROM v_claims", "DROP TABLE claims"),
     "{f}: risk r1: check: only SELECT is allowed, got DROP"),
    (lambda t: t.replace("$limit", "$limt"), "{f}: risk r1: check uses unknown parameter $limt (known: as_of, limit)"),
])
def test_a_bad_thesis_file_gets_one_line_naming_file_item_and_problem(tmp_path, edit, message):
    f = tmp_path / "t.yaml"
    f.write_text(edit(GOOD), encoding="utf-8")
    run_cli("--db", str(tmp_path / "w.duckdb"), "migrate")
    out = run_cli("--db", str(tmp_path / "w.duckdb"), "check", str(f))
    assert out.returncode == 1
    assert out.stderr.strip() == "Error: " + message.format(f=f) + "."


def test_check_dry_runs_without_recording(tmp_path):
    f = tmp_path / "t.yaml"
    f.write_text(GOOD, encoding="utf-8")
    db = tmp_path / "w.duckdb"
    run_cli("--db", str(db), "migrate")
    out = run_cli("--db", str(db), "check", str(f))
    assert out.returncode == 0, out.stderr
    assert f"{f}: valid (0 assumptions, 1 risk conditions)" in out.stdout
    assert "r1" in out.stdout and "clear" in out.stdout
    with read_connection(db) as con:
        assert con.execute("SELECT count(*) FROM assumption_status").fetchall() == [(0,)]


def test_a_check_that_fails_is_an_error_not_a_pass(tmp_path):
    f = tmp_path / "t.yaml"
    f.write_text(GOOD.replace("FROM v_claims", "FROM no_such_view"), encoding="utf-8")
    db = tmp_path / "w.duckdb"
    run_cli("--db", str(db), "migrate")
    out = run_cli("--db", str(db), "check", str(f))
    assert out.returncode == 0
    assert "error" in out.stdout and "check failed: Catalog Error" in out.stdout


def _article(aid: str, text: str, source: str, day: str) -> dict:
    from datetime import datetime

    from ingest.articles import to_article
    from ingest.items import Item
    row = to_article(Item(title=aid, text=text, url=f"https://x.example/{aid}"), source,
                     datetime(2025, 12, 20), datetime.fromisoformat(day))
    return row


def test_revision_and_conflict_views(tmp_path):
    db = tmp_path / "w.duckdb"
    a1 = _article("a1", "A: onsemi target 70, huawei share 5.", "s1", "2025-12-01")
    a2 = _article("a2", "B: onsemi target 80, huawei share 9.", "s2", "2025-12-05")
    for a in (a1, a2):
        load.load_fetch(db, "r", {"name": a["source"], "kind": "feed", "location": "x"},
                        {"started_at": a["fetched_at"], "status": "ok"}, [a])

    def claim(start, value, subject, metric, unit, period=None, prev=None):
        return {"start": start, "end": start + 2, "value": value, "unit": unit, "subject": subject, "metric": metric,
                "period": period, "qualifier": "exact", "previous_value": prev, "quote": "q", "sentence": "s"}
    load.load_extractions(db, "v", [
        {"article_id": a1["article_id"], "mentions": [],
         "claims": [claim(0, 70, "onsemi", "price_target", "USD"),
                    claim(5, 5, "huawei", "capacity_share", "%", "2026")]},
        {"article_id": a2["article_id"], "mentions": [],
         "claims": [claim(0, 80, "onsemi", "price_target", "USD", prev=68),
                    claim(5, 9, "huawei", "capacity_share", "%", "2026")]}])
    with read_connection(db) as con:
        rev = con.execute("SELECT subject, old_value, new_value FROM v_claim_revisions "
                          "ORDER BY subject, old_value").fetchall()
        conflicts = con.execute("SELECT subject, value_a, value_b FROM v_conflicts").fetchall()
        latest = con.execute("SELECT subject, value FROM v_latest_claims ORDER BY subject").fetchall()
    assert rev == [("huawei", 5, 9), ("onsemi", 68, 80), ("onsemi", 70, 80)]
    assert conflicts == [("huawei", 5, 9)]  # same subject, metric and period; only the price target has no period
    assert latest == [("huawei", 9), ("onsemi", 80)]


@pytest.mark.slow
def test_reextract_rebuilds_the_same_claims(prefect_api, tmp_path):
    from tests.conftest import EXAMPLES
    shutil.copytree(EXAMPLES, tmp_path / "examples", ignore=shutil.ignore_patterns("*.duckdb*"))
    shutil.copytree(ROOT / "theses", tmp_path / "theses")
    cfg = tmp_path / "examples" / "thesiswatch.yaml"
    env = {"PREFECT_API_URL": prefect_api}
    assert run_cli("--config", str(cfg), "run", "--no-evaluate", env=env).returncode == 0
    q = "SELECT count(*), sum(value) FILTER (WHERE unit = 'USD') FROM claims"
    before = json.loads(run_cli("--config", str(cfg), "sql", q, "--format", "json").stdout)
    out = run_cli("--config", str(cfg), "reextract", env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Re-extracted 28 articles: ")
    after = json.loads(run_cli("--config", str(cfg), "sql", q, "--format", "json").stdout)
    assert after == before


@pytest.mark.slow
def test_an_alert_sent_just_before_a_crash_is_sent_again_with_the_same_key(prefect_api, tmp_path, server):
    server.route(("POST", "/hook"), respond(200, b"ok"))
    (tmp_path / "d1.txt").write_text("#N\n標題\n輝達發表新平台。（日報）\n", encoding="utf-8")
    (tmp_path / "theses").mkdir()
    shutil.copy(ROOT / "theses" / "system-moore.yaml", tmp_path / "theses")
    cfg = tmp_path / "thesiswatch.yaml"
    hook = server.base.replace("http://", "json://") + "/hook"
    base = f"db: tw.duckdb\ntheses: [theses]\nalerts: ['{hook}']\nsources:\n" \
           "  - {name: d1, kind: text-export, path: d1.txt, published: 2025-12-01}\n"
    cfg.write_text(base, encoding="utf-8")
    env = {"PREFECT_API_URL": prefect_api}
    assert run_cli("--config", str(cfg), "run", env=env).returncode == 0
    (tmp_path / "d2.txt").write_text("#N\n標題\n輝達股價較高點下跌20%。（日報）\n", encoding="utf-8")
    cfg.write_text(base + "  - {name: d2, kind: text-export, path: d2.txt, published: 2025-12-02}\n", encoding="utf-8")
    crashed = run_process("--config", str(cfg), "run", env={**env, "THESISWATCH_FAILPOINT": "alert-after-send:1"})
    assert crashed.returncode == -9
    again = run_cli("--config", str(cfg), "run", env=env)
    assert again.returncode == 0, again.stderr
    keys = [json.loads(body)["message"].split("alert-key: ")[1].strip() for _, _, body in server.posts]
    assert len(keys) == 2 and len(set(keys)) == 1  # delivered twice, one key: the receiver keeps one
    listed = run_cli("--config", str(cfg), "alerts", "--format", "json")
    rows = json.loads(listed.stdout)
    assert [(r["assumption_id"], r["state"], r["attempts"]) for r in rows] == [("nvidia_drawdown", "sent", 1)]


def test_duplicate_ids_are_refused_even_without_risks(tmp_path):
    f = tmp_path / "t.yaml"
    f.write_text("id: t\ntitle: T\nsummary: s\nowner: o\nassumptions:\n"
                 "  - {id: a1, statement: x, check: \"SELECT 'holds' AS status, 1 AS value\"}\n"
                 "  - {id: a1, statement: y, check: \"SELECT 'holds' AS status, 1 AS value\"}\n", encoding="utf-8")
    out = run_cli("--db", str(tmp_path / "w.duckdb"), "check", str(f))
    assert out.returncode == 1 and out.stderr.strip() == f"Error: {f}: ids used twice: a1."


def test_why_lists_the_statement_that_moved_a_check_and_the_context(tmp_path):
    """`thesiswatch why` prints a check's status, detail and evidence: the counted statement
    first, then a negated one marked as context."""
    from datetime import date

    from flows.config import Settings
    from tests.statement_rows import entity_rows, to_contract
    from thesis.evaluate import evaluate_and_record
    db = tmp_path / "w.duckdb"
    text = "NVIDIA has not acquired Groq, the companies said. On Friday Groq said NVIDIA acquired the company outright."
    row = _article("deal", text, "wire", "2026-01-10")
    load.load_fetch(db, "r1", {"name": "wire", "kind": "feed", "location": "x"},
                    {"url": None, "started_at": row["fetched_at"], "status": "ok"}, [row])
    load.sync_reference(db, entity_rows(), {"other": "other"})
    statements = to_contract(text, [
        {"quote": "NVIDIA has not acquired Groq", "subject": "nvidia", "predicate": "acquires", "object": "groq",
         "polarity": "negated", "modality": "fact"},
        {"quote": "NVIDIA acquired the company outright", "subject": "nvidia", "predicate": "acquires",
         "object": "groq", "polarity": "affirmed", "modality": "fact"}])
    load.load_extractions(db, "v1", [{"article_id": row["article_id"], "mentions": [], "claims": [],
                                      "statements": statements}])
    settings = Settings(db=str(db), theses=[str(ROOT / "theses" / "system-moore.yaml")])
    evaluate_and_record(settings, "eval-1", date(2026, 1, 15))
    out = run_cli("--db", str(db), "why", "deal_is_licence")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "system-moore/deal_is_licence: broken (value 0, as of 2026-01-15)"
    assert 'report a takeover: statement ' in lines[1] and "NVIDIA acquired the company outright" in lines[1]
    assert "not counted: 1 negated fact statement(s)" in lines[1]
    assert lines[2] == "Evidence (2):"
    assert lines[3].startswith('- statement (acquires, affirmed fact): "NVIDIA acquired the company outright" (wire, ')
    assert lines[4].startswith('- context (acquires, negated fact): "NVIDIA has not acquired Groq" (wire, ')
    out = run_cli("--db", str(db), "why", "no_such_check")
    assert out.returncode == 2 and "no status recorded for 'no_such_check'" in out.stderr
