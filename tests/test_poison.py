"""One article must never sink a run: an article the extractor cannot read is recorded with
its reason, skipped by later runs at the same extractor version, and the rest of its batch
is extracted as usual."""
from __future__ import annotations

from extractors.isolate import extract_isolated
from extractors.pipeline import get_extractor
from tests.conftest import run_cli
from warehouse import load
from warehouse.db import read_connection, transaction

GOOD = "輝達第三季營收成長62%，達570億美元。"


def _article(article_id: str, text) -> dict:
    return {"article_id": article_id, "text": text, "lang": "zh-Hant", "locale": "TW", "published_at": None}


def test_a_failing_article_is_reported_and_its_batch_neighbours_are_extracted():
    rows = extract_isolated(get_extractor(), [_article("a1", GOOD), _article("bad", None), _article("a3", GOOD)])
    by_id = {r["article_id"]: r for r in rows}
    assert [r["article_id"] for r in rows] == ["a1", "bad", "a3"]
    assert by_id["a1"]["claims"] and by_id["a3"]["claims"] and "error" not in by_id["a1"]
    assert by_id["bad"]["claims"] == [] and by_id["bad"]["error"].startswith("extraction failed: TypeError")


def test_a_recorded_failure_is_skipped_until_the_extractor_changes_and_doctor_shows_it(tmp_path):
    db = tmp_path / "w.duckdb"
    with transaction(db) as con:
        for aid in ("a1", "bad"):
            con.execute("INSERT INTO articles (article_id, content_hash, source, text, lang, fetched_at) "
                        "VALUES (?, ?, 's', ?, 'zh-Hant', now()::TIMESTAMP)", [aid, aid * 8, GOOD])
            con.execute("INSERT INTO article_sources VALUES (?, 's', ?, NULL, now()::TIMESTAMP, 'r1')", [aid, aid])
    out = load.load_extractions(db, "v1", [{"article_id": "a1", "mentions": [], "claims": []},
                                           {"article_id": "bad", "mentions": [], "claims": [],
                                            "error": "extraction failed: MemoryError"}])
    assert out["skipped"] == [{"article_id": "bad", "error": "extraction failed: MemoryError"}]
    assert load.articles_to_extract(db, "v1") == []                      # not met again at v1
    assert [a["article_id"] for a in load.articles_to_extract(db, "v2")] == ["a1", "bad"]  # a new version retries
    with read_connection(db) as con:
        assert con.execute("SELECT error FROM extractions WHERE article_id = 'bad'").fetchall() == [
            ("extraction failed: MemoryError",)]
    doctor = run_cli("--db", str(db), "doctor")
    assert doctor.returncode == 0, doctor.stdout
    assert "articles skipped by extraction" in doctor.stdout and "1 article(s); newest: bad" in doctor.stdout
