"""The analyst views as of a past date: temporary copies that only see articles published by then.

Used to evaluate a thesis "as of" a backfilled day. Temporary views shadow the stored ones for
this connection only; the warehouse itself is not touched.
"""
from __future__ import annotations

import functools
import re
from datetime import date

import duckdb

from warehouse.db import migrations


@functools.cache
def view_definitions() -> tuple[str, ...]:
    """Every CREATE VIEW of the migrations, in migration order (a later one replaces an earlier).
    Read once per process: a backfill builds the as-of views for every day it replays."""
    out = []
    for _, _, sql in migrations():
        for stmt in duckdb.extract_statements(sql):
            text = re.sub(r"^(\s*--[^\n]*\n)*", "", stmt.query).strip()
            if re.match(r"CREATE\s+(OR\s+REPLACE\s+)?VIEW\b", text, re.I):
                out.append(text)
    return tuple(out)


def create_as_of_views(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    cutoff = f"DATE '{as_of.isoformat()}'"
    filtered = (f"(SELECT * FROM main.articles WHERE coalesce(published_at, fetched_at)::DATE <= {cutoff})")
    for sql in view_definitions():
        sql = re.sub(r"\bFROM articles a\b", f"FROM {filtered} a", sql)
        sql = re.sub(r"\bJOIN articles a\b", f"JOIN {filtered} a", sql)
        sql = re.sub(r"\bFROM assumption_status s\b",
                     f"FROM (SELECT * FROM main.assumption_status WHERE as_of IS NULL OR as_of <= {cutoff}) s", sql)
        sql = re.sub(r"^CREATE\s+(OR\s+REPLACE\s+)?VIEW", "CREATE OR REPLACE TEMP VIEW", sql, flags=re.I)
        con.execute(sql)
