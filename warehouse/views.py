"""The analyst views as of a past date: temporary copies that only see articles published by then.

Used to evaluate a thesis "as of" a backfilled day. Temporary views shadow the stored ones for
this connection only; the warehouse itself is not touched.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb

_MIGRATIONS = Path(__file__).parent / "migrations"
_CREATE_VIEW = re.compile(r"^\s*CREATE\s+(OR\s+REPLACE\s+)?VIEW\b", re.IGNORECASE)


def _view_statements() -> str:
    """Every view definition of every migration, in migration order (a later one replaces)."""
    out = []
    for f in sorted(_MIGRATIONS.glob("*.sql")):
        for stmt in duckdb.extract_statements(f.read_text(encoding="utf-8")):
            body = "\n".join(ln for ln in stmt.query.splitlines() if not ln.lstrip().startswith("--"))
            if _CREATE_VIEW.match(body):
                out.append(_CREATE_VIEW.sub("CREATE VIEW", body, count=1) + ";")
    return "\n".join(out)


def create_as_of_views(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    sql = _view_statements()
    cutoff = f"DATE '{as_of.isoformat()}'"
    filtered = (f"(SELECT * FROM main.articles WHERE coalesce(published_at, fetched_at)::DATE <= {cutoff})")
    sql = re.sub(r"\bFROM articles a\b", f"FROM {filtered} a", sql)
    sql = re.sub(r"\bJOIN articles a\b", f"JOIN {filtered} a", sql)
    sql = re.sub(r"\bFROM assumption_status s\b",
                 f"FROM (SELECT * FROM main.assumption_status WHERE as_of IS NULL OR as_of <= {cutoff}) s", sql)
    sql = sql.replace("CREATE VIEW", "CREATE OR REPLACE TEMP VIEW")
    for stmt in duckdb.extract_statements(sql):
        con.execute(stmt.query)
