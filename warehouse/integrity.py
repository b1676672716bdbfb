"""Integrity checks behind `thesiswatch doctor`: each returns ok and a detail line."""
from __future__ import annotations

import duckdb

from warehouse.db import LATEST_VERSION, schema_version

_CHECKS = [
    ("orphan article links", "SELECT count(*) FROM article_sources l LEFT JOIN articles a USING (article_id) "
                             "WHERE a.article_id IS NULL"),
    ("duplicate content hashes",
     "SELECT count(*) FROM (SELECT content_hash FROM articles GROUP BY 1 HAVING count(*) > 1)"),
    ("articles without a link", "SELECT count(*) FROM articles a WHERE NOT EXISTS "
                                "(SELECT 1 FROM article_sources l WHERE l.article_id = a.article_id)"),
    ("stories pointing at missing bundles",
     "SELECT count(*) FROM articles s WHERE s.parent_id IS NOT NULL AND NOT EXISTS "
     "(SELECT 1 FROM articles p WHERE p.article_id = s.parent_id)"),
    ("claims pointing at missing articles", "SELECT count(*) FROM claims c LEFT JOIN articles a USING (article_id) "
                                            "WHERE a.article_id IS NULL"),
    ("mentions pointing at missing articles", "SELECT count(*) FROM mentions m LEFT JOIN articles a USING (article_id) "
                                              "WHERE a.article_id IS NULL"),
    ("claims of unextracted articles", "SELECT count(*) FROM claims c LEFT JOIN extractions x USING (article_id) "
                                       "WHERE x.article_id IS NULL"),
    ("fetches of unknown sources", "SELECT count(*) FROM fetches f LEFT JOIN sources s ON s.name = f.source "
                                   "WHERE s.name IS NULL"),
    ("status rows of unknown runs",
     "SELECT count(*) FROM assumption_status s LEFT JOIN runs r USING (run_id) "
     "WHERE r.run_id IS NULL AND s.run_id NOT LIKE 'eval-%' AND s.run_id NOT LIKE 'replay-%'"),
]


# What `doctor --repair` may clear: rows that point at nothing, and runs marked running whose
# process is gone. Articles are never deleted.
_REPAIRS = {
    "orphan article links": "DELETE FROM article_sources WHERE article_id NOT IN (SELECT article_id FROM articles)",
    "claims pointing at missing articles":
        "DELETE FROM claims WHERE article_id NOT IN (SELECT article_id FROM articles)",
    "mentions pointing at missing articles":
        "DELETE FROM mentions WHERE article_id NOT IN (SELECT article_id FROM articles)",
    "claims of unextracted articles":
        "DELETE FROM claims WHERE article_id NOT IN (SELECT article_id FROM extractions)",
    "runs left running": "UPDATE runs SET status = 'interrupted', finished_at = now()::TIMESTAMP "
                         "WHERE status = 'running'",
}


def run_checks(con: duckdb.DuckDBPyConnection, run_in_progress: bool = False) -> list[dict]:
    """Every check with ok and a detail line. `run_in_progress`: a run holds the lock, so the
    newest running row is alive and not counted."""
    version = schema_version(con)
    out = [{"check": "schema version", "ok": version == LATEST_VERSION,
            "detail": f"{version} (this thesiswatch: {LATEST_VERSION})"}]
    for name, sql in _CHECKS:
        n = con.execute(sql).fetchall()[0][0]
        out.append({"check": name, "ok": n == 0, "detail": f"{n} row(s)"})
    stuck = con.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchall()[0][0]
    stuck -= min(stuck, 1 if run_in_progress else 0)
    skipped = con.execute("SELECT article_id, error FROM extractions WHERE error IS NOT NULL "
                          "ORDER BY extracted_at DESC").fetchall()
    newest = f"; newest: {skipped[0][0]}: {skipped[0][1]}" if skipped else ""
    out.append({"check": "articles skipped by extraction", "ok": True,  # recorded, not broken
                "detail": f"{len(skipped)} article(s){newest}"})
    out.append({"check": "runs left running", "ok": stuck == 0,
                "detail": f"{stuck} row(s)" + (" (their process is gone: `doctor --repair` marks them interrupted)"
                                               if stuck else "")})
    return out


def repair(con: duckdb.DuckDBPyConnection, failed: list[str]) -> list[str]:
    """Clear what can be cleared of the `failed` checks, in the caller's transaction; returns
    the checks it repaired. The caller holds the run lock."""
    done = []
    for name in failed:
        if name in _REPAIRS:
            con.execute(_REPAIRS[name])
            done.append(name)
    return done
