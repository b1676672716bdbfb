"""Every write to the warehouse, each one short and atomic, each one bulk (Arrow), each idempotent.

This module is the one place that writes. Keys are deduplicated inside a batch before insert:
DuckDB's upsert would silently keep the first of two rows with the same key in one statement.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa

from warehouse.db import dict_rows, failpoint, transaction, utcnow

_ARTICLE_COLS = ["article_id", "content_hash", "source", "canonical_url", "title", "text", "lang",
                 "locale", "published_at", "fetched_at", "publisher", "tag", "parent_id", "is_bundle"]
_LINK_COLS = ["article_id", "source", "item_key", "url", "first_seen_at", "run_id"]


def _table(rows: list[dict], cols: list[str], types: dict[str, pa.DataType] | None = None) -> pa.Table:
    types = types or {}
    arrays = []
    for c in cols:
        vals = [r.get(c) for r in rows]
        arrays.append(pa.array(vals, type=types.get(c)) if c in types else pa.array(vals))
    return pa.Table.from_arrays(arrays, names=cols)


_ARTICLE_TYPES = {c: pa.string() for c in _ARTICLE_COLS}
_ARTICLE_TYPES.update(published_at=pa.timestamp("us"), fetched_at=pa.timestamp("us"), is_bundle=pa.bool_())
_LINK_TYPES = {c: pa.string() for c in _LINK_COLS}
_LINK_TYPES.update(first_seen_at=pa.timestamp("us"))


def start_run(db: Path, run_id: str, flow_run_id: str | None, locations: dict[str, str], as_of=None
              ) -> dict[str, tuple[str | None, str | None]]:
    """Record a run as started; returns the cache validators of every source whose stored
    location is still the configured one (`locations`: name -> URL or path). A source pointed
    at a new URL starts without validators: the old URL's ETag must never make the new one
    answer 304 and hide its news."""
    with transaction(db) as con:
        # The caller holds the run lock, so any other run still marked running is dead
        # (killed, or its machine lost power): say so instead of leaving it running forever.
        con.execute("UPDATE runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'",
                    [utcnow()])
        con.execute("INSERT OR IGNORE INTO runs (run_id, flow_run_id, started_at, as_of, status, sources) "
                    "VALUES (?, ?, ?, ?, 'running', ?)", [run_id, flow_run_id, utcnow(), as_of, len(locations)])
        rows = con.execute("SELECT name, location, etag, last_modified FROM sources").fetchall()
    return {n: (e, lm) for n, loc, e, lm in rows if locations.get(n) == loc}


def finish_run(db: Path, run_id: str, status: str) -> dict:
    with transaction(db) as con:
        con.execute("""
            UPDATE runs SET finished_at = ?, status = ?,
              fetched = (SELECT coalesce(sum(items), 0) FROM fetches WHERE run_id = ?),
              new_articles = (SELECT coalesce(sum(new_articles), 0) FROM fetches WHERE run_id = ?),
              duplicates = (SELECT coalesce(sum(duplicates), 0) FROM fetches WHERE run_id = ?),
              failed = (SELECT count(*) FROM fetches WHERE run_id = ? AND status = 'failed')
            WHERE run_id = ?""", [utcnow(), status, run_id, run_id, run_id, run_id, run_id])
        return dict_rows(con.execute("SELECT * FROM runs WHERE run_id = ?", [run_id]))[0]


def source_state(db: Path, name: str, location: str) -> tuple[str | None, str | None]:
    """(etag, last_modified) remembered for a source at this location; none after a move."""
    with transaction(db) as con:
        row = next(iter(con.execute("SELECT etag, last_modified FROM sources WHERE name = ? AND location = ?",
                                    [name, location]).fetchall()), None)
    return (row[0], row[1]) if row else (None, None)


def load_fetch(db: Path, run_id: str, source: dict, fetch: dict, articles: list[dict]) -> dict:
    """One source's fetch row, its new articles and links, and its cache validators, atomically.

    The ETag is saved in the same transaction as the articles, so a crash can never leave a
    remembered ETag whose articles were not stored (the next run would get a 304 and lose them).
    Returns counts: new, duplicates.
    """
    return load_fetches(db, run_id, [(source, fetch, articles)])[0]


def load_fetches(db: Path, run_id: str, batch: list[tuple[dict, dict, list[dict]]]) -> list[dict]:
    """Several sources' results in ONE transaction, in order (the first copy of a story wins).

    Each DuckDB open/close costs a checkpoint; grouping keeps a 50-source run to a handful of
    transactions, and the per-source rows (sources, fetches) go in as one bulk insert each.
    A fetch whose status is `failed` records the failure and loads nothing.
    """
    now = utcnow()
    out, source_rows, fetch_rows = [], [], []
    with transaction(db) as con:
        for source, fetch, articles in batch:
            failed = fetch["status"] == "failed"
            counts = {"new": 0, "duplicates": 0} if failed else _load_articles(con, run_id, source, articles, now)
            out.append(counts)
            source_rows.append({"name": source["name"], "kind": source["kind"], "location": source["location"],
                                "lang": source.get("lang"), "tags": list(source.get("tags") or []),
                                "etag": None if failed else fetch.get("etag"),
                                "last_modified": None if failed else fetch.get("last_modified"), "updated_at": now})
            fetch_rows.append({"run_id": run_id, "source": source["name"], "url": fetch.get("url"),
                               "started_at": fetch["started_at"], "finished_at": now, "status": fetch["status"],
                               "http_status": fetch.get("http_status"), "bytes": fetch.get("bytes") or 0,
                               "items": len(articles), "new_articles": counts["new"],
                               "duplicates": counts["duplicates"], "error": fetch.get("error"),
                               "note": fetch.get("note")})
        con.register("batch_sources", pa.Table.from_pylist(source_rows, schema=_SOURCE_SCHEMA))
        con.execute("""
            INSERT INTO sources SELECT * FROM batch_sources
            ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, location = excluded.location,
              lang = excluded.lang, tags = excluded.tags,
              -- a 304 carries no new validators: keep the old ones, but never across a change of URL
              etag = CASE WHEN excluded.location = sources.location
                          THEN coalesce(excluded.etag, sources.etag) ELSE excluded.etag END,
              last_modified = CASE WHEN excluded.location = sources.location
                                   THEN coalesce(excluded.last_modified, sources.last_modified)
                                   ELSE excluded.last_modified END,
              updated_at = excluded.updated_at""")
        con.register("batch_fetches", pa.Table.from_pylist(fetch_rows, schema=_FETCH_SCHEMA))
        con.execute(f"INSERT INTO fetches SELECT nextval('fetch_id_seq'), {', '.join(_FETCH_SCHEMA.names)} "
                    "FROM batch_fetches")
        failpoint("load-before-commit")  # everything written, nothing committed
    failpoint("load-after-commit")
    return out


_SOURCE_SCHEMA = pa.schema([("name", pa.string()), ("kind", pa.string()), ("location", pa.string()),
                            ("lang", pa.string()), ("tags", pa.list_(pa.string())), ("etag", pa.string()),
                            ("last_modified", pa.string()), ("updated_at", pa.timestamp("us"))])
_FETCH_SCHEMA = pa.schema([("run_id", pa.string()), ("source", pa.string()), ("url", pa.string()),
                           ("started_at", pa.timestamp("us")), ("finished_at", pa.timestamp("us")),
                           ("status", pa.string()), ("http_status", pa.int32()), ("bytes", pa.int64()),
                           ("items", pa.int32()), ("new_articles", pa.int32()), ("duplicates", pa.int32()),
                           ("error", pa.string()), ("note", pa.string())])


def _load_articles(con, run_id: str, source: dict, articles: list[dict], now) -> dict:
    """Insert a source's new articles and every link; returns new/duplicate counts."""
    # Dedup inside the batch first, keeping the first occurrence of each content hash.
    by_hash: dict[str, dict] = {}
    for a in articles:
        by_hash.setdefault(a["content_hash"], a)
    key_to_id = {a["key"]: a["article_id"] for a in articles if a.get("key")}
    rows = []
    for a in by_hash.values():
        r = dict(a)
        r["parent_id"] = key_to_id.get(a.get("parent_key")) if a.get("parent_key") else None
        rows.append(r)
    links = {}
    for a in articles:
        k = (a["article_id"], source["name"], a["item_key"])
        links.setdefault(k, {"article_id": a["article_id"], "source": source["name"], "item_key": a["item_key"],
                             "url": a.get("url"), "first_seen_at": now, "run_id": run_id})
    new = 0
    if rows:
        con.register("batch_articles", _table(rows, _ARTICLE_COLS, _ARTICLE_TYPES))
        before = con.execute("SELECT count(*) FROM articles").fetchall()[0][0]
        con.execute(f"""INSERT INTO articles ({', '.join(_ARTICLE_COLS)})
            SELECT {', '.join(_ARTICLE_COLS)} FROM batch_articles b
            WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.content_hash = b.content_hash)""")
        new = con.execute("SELECT count(*) FROM articles").fetchall()[0][0] - before
        con.unregister("batch_articles")
    if links:
        con.register("batch_links", _table(list(links.values()), _LINK_COLS, _LINK_TYPES))
        con.execute(f"INSERT OR IGNORE INTO article_sources ({', '.join(_LINK_COLS)}) "
                    f"SELECT {', '.join(_LINK_COLS)} FROM batch_links")
        con.unregister("batch_links")
    return {"new": new, "duplicates": len(articles) - new}


def articles_to_extract(db: Path, version: str) -> list[dict]:
    """Articles with no extraction at `version` (bundles excluded: their stories are extracted)."""
    sql = """SELECT a.article_id, a.text, a.lang, a.locale,
                    coalesce(a.published_at, a.fetched_at) AS published_at
             FROM articles a LEFT JOIN extractions x
               ON x.article_id = a.article_id AND x.extractor_version = ?
             WHERE x.article_id IS NULL AND NOT a.is_bundle
             ORDER BY a.article_id"""
    with transaction(db) as con:
        cur = con.execute(sql, [version])
        return dict_rows(cur)


_CLAIM_COLS = ["claim_id", "article_id", "subject", "metric", "value", "unit", "low", "high", "qualifier",
               "previous_value", "precision", "period", "quote", "sentence", "start_char", "end_char",
               "extractor_version"]
_MENTION_COLS = ["article_id", "entity_id", "start_char", "end_char", "text"]


def load_extractions(db: Path, version: str, results: list[dict]) -> dict:
    """Replace mentions and claims of these articles and mark them done, in one transaction.

    `results`: [{"article_id", "mentions": [...], "claims": [...]}]. Re-loading the same
    results leaves the same rows.
    """
    ids = [r["article_id"] for r in results]
    claims, mentions, marks = [], {}, []
    now = utcnow()
    for r in results:
        seen_claims = set()
        for c in r["claims"]:
            cid = f"{r['article_id']}:{c['start']}-{c['end']}"
            if cid in seen_claims:
                continue
            seen_claims.add(cid)
            claims.append({**{k: c.get(k) for k in _CLAIM_COLS}, "claim_id": cid, "article_id": r["article_id"],
                           "start_char": c["start"], "end_char": c["end"], "extractor_version": version})
        for m in r["mentions"]:
            mentions.setdefault((r["article_id"], m["start"], m["id"]),
                                {"article_id": r["article_id"], "entity_id": m["id"], "start_char": m["start"],
                                 "end_char": m["end"], "text": m["text"]})
        marks.append({"article_id": r["article_id"], "extractor_version": version, "extracted_at": now,
                      "mentions": len(r["mentions"]), "claims": len(r["claims"]), "error": r.get("error")})
    claim_types = {c: pa.string() for c in _CLAIM_COLS}
    claim_types.update(value=pa.float64(), low=pa.float64(), high=pa.float64(), previous_value=pa.float64(),
                       start_char=pa.int32(), end_char=pa.int32())
    mention_types = {"article_id": pa.string(), "entity_id": pa.string(), "start_char": pa.int32(),
                     "end_char": pa.int32(), "text": pa.string()}
    with transaction(db) as con:
        con.register("batch_ids", pa.table({"article_id": pa.array(ids, pa.string())}))
        con.execute("DELETE FROM claims WHERE article_id IN (SELECT article_id FROM batch_ids)")
        con.execute("DELETE FROM mentions WHERE article_id IN (SELECT article_id FROM batch_ids)")
        con.execute("DELETE FROM extractions WHERE article_id IN (SELECT article_id FROM batch_ids)")
        if claims:
            con.register("batch_claims", _table(claims, _CLAIM_COLS, claim_types))
            con.execute(f"INSERT INTO claims SELECT {', '.join(_CLAIM_COLS)} FROM batch_claims")
        if mentions:
            con.register("batch_mentions", _table(list(mentions.values()), _MENTION_COLS, mention_types))
            con.execute(f"INSERT INTO mentions SELECT {', '.join(_MENTION_COLS)} FROM batch_mentions")
        con.register("batch_marks", pa.Table.from_pylist(marks, schema=pa.schema([
            ("article_id", pa.string()), ("extractor_version", pa.string()), ("extracted_at", pa.timestamp("us")),
            ("mentions", pa.int32()), ("claims", pa.int32()), ("error", pa.string())])))
        con.execute("INSERT INTO extractions (article_id, extractor_version, extracted_at, mentions, claims, error) "
                    "SELECT article_id, extractor_version, extracted_at, mentions, claims, error FROM batch_marks")
        failpoint("extract-before-commit")
    failpoint("extract-after-commit")
    return {"articles": len(ids), "claims": len(claims), "mentions": len(mentions),
            "skipped": [{"article_id": r["article_id"], "error": r["error"]} for r in results if r.get("error")]}


def sync_reference(db: Path, entities: list[dict], metrics: dict[str, str]) -> None:
    """Make the entities and metrics tables match the gazetteer and vocabulary in use."""
    ent = pa.Table.from_pylist(
        [{"entity_id": e["id"], "type": e["type"], "name": e["name"], "ticker": e.get("ticker"),
          "parent": e.get("parent"), "aliases": [str(a) for a in e.get("aliases", [])]} for e in entities],
        schema=pa.schema([("entity_id", pa.string()), ("type", pa.string()), ("name", pa.string()),
                          ("ticker", pa.string()), ("parent", pa.string()), ("aliases", pa.list_(pa.string()))]))
    met = pa.table({"metric": list(metrics), "description": list(metrics.values())})
    with transaction(db) as con:
        con.execute("DELETE FROM entities")
        con.register("ref_entities", ent)
        con.execute("INSERT INTO entities SELECT * FROM ref_entities")
        con.execute("DELETE FROM metrics")
        con.register("ref_metrics", met)
        con.execute("INSERT INTO metrics SELECT * FROM ref_metrics")


def record_failure(db: Path, run_id: str, source: dict, started_at: datetime, error: str,
                   http_status: int | None = None, url: str | None = None, status: str = "failed") -> None:
    fetch = {"started_at": started_at, "error": error, "http_status": http_status, "url": url, "status": status}
    load_fetches(db, run_id, [(source, fetch, [])])


def clear_extractions(db: Path) -> None:
    """Forget which articles were extracted, so the next extraction redoes them all."""
    with transaction(db) as con:
        con.execute("DELETE FROM extractions")


def sync_model_hotsets(db: Path, rows: list[dict]) -> None:
    """Replace the model_hotsets table with freshly computed rows."""
    schema = pa.schema([("model", pa.string()), ("name", pa.string()), ("total_params", pa.float64()),
                        ("activated_params", pa.float64()), ("hot_ffn_params", pa.float64()),
                        ("hot_all_params", pa.float64()), ("hot_ffn_gb_fp8", pa.float64()),
                        ("hot_all_gb_fp8", pa.float64()), ("computed_at", pa.timestamp("us"))])
    now = utcnow()
    tbl = pa.Table.from_pylist([{**r, "computed_at": now} for r in rows], schema=schema)
    with transaction(db) as con:
        con.execute("DELETE FROM model_hotsets")
        con.register("ref_models", tbl)
        con.execute("INSERT INTO model_hotsets SELECT * FROM ref_models")
