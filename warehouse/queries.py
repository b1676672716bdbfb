"""Read-only queries: the SQL guard shared by `thesiswatch sql` and thesis checks, and the
canned queries behind `status`, `sources` and `alerts`.
"""
from __future__ import annotations

import duckdb

from common.exceptions import TerminalException, ThesiswatchError
from warehouse.db import dict_rows


class QueryError(ThesiswatchError, TerminalException):
    """SQL that is refused or fails; the message is the first line of the reason."""


def check_select(sql: str) -> str:
    """Return `sql` if it is exactly one SELECT (WITH ... SELECT included); raise QueryError otherwise."""
    if not sql or not sql.strip():
        raise QueryError("empty query")
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as e:
        raise QueryError(f"SQL does not parse: {str(e).splitlines()[0]}") from None
    if len(statements) != 1:
        raise QueryError(f"expected one statement, got {len(statements)}")
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise QueryError(f"only SELECT is allowed, got {kind.name}")
    return sql


def guarded(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No file or network access from user SQL (read_csv('/etc/passwd') and friends), and no
    way to switch it back on. Fails closed: a connection that cannot be locked down is refused."""
    try:
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except duckdb.Error as e:
        raise QueryError(f"cannot sandbox the query connection ({str(e).splitlines()[0]})") from None
    return con


def run_select(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> tuple[list[str], list[tuple]]:
    check_select(sql)
    try:
        cur = con.execute(sql, params) if params else con.execute(sql)
    except duckdb.Error as e:
        raise QueryError(str(e).splitlines()[0]) from None
    cols = [d[0] for d in cur.description]
    return cols, cur.fetchall()


SOURCES_SQL = """
SELECT s.name, s.kind, s.location,
       f.status AS last_status, f.finished_at AS last_fetch, f.items, f.new_articles, f.error,
       (SELECT count(*) FROM article_sources l WHERE l.source = s.name) AS articles
FROM sources s
LEFT JOIN (SELECT * FROM fetches QUALIFY row_number() OVER (PARTITION BY source ORDER BY fetch_id DESC) = 1) f
  ON f.source = s.name
ORDER BY s.name
"""

STATUS_SQL = """
WITH cur AS (SELECT * FROM v_status),
since AS (
    SELECT h.thesis_id, h.assumption_id, min(h.evaluated_at) AS since
    FROM assumption_status h JOIN cur USING (thesis_id, assumption_id)
    WHERE h.status = cur.status
      AND h.evaluated_at > coalesce((SELECT max(x.evaluated_at) FROM assumption_status x
                                     WHERE x.thesis_id = h.thesis_id AND x.assumption_id = h.assumption_id
                                       AND x.status <> cur.status), TIMESTAMP '1970-01-01')
    GROUP BY ALL
)
SELECT cur.thesis_id, cur.assumption_id, cur.kind, cur.severity, cur.status, since.since,
       cur.value, len(coalesce(cur.evidence_ids, [])) AS evidence, cur.detail, cur.as_of
FROM cur JOIN since USING (thesis_id, assumption_id)
WHERE $thesis IS NULL OR cur.thesis_id = $thesis
ORDER BY cur.thesis_id, cur.kind, cur.assumption_id
"""

ALERT_COLUMNS = ["alert_key", "thesis_id", "assumption_id", "old_status", "new_status", "value", "created_at",
                 "state", "attempts", "last_error", "delivered_at"]

ALERTS_SQL = """
SELECT alert_key, thesis_id, assumption_id, old_status, new_status, value, created_at,
       CASE WHEN delivered_at IS NOT NULL THEN 'sent' WHEN muted THEN 'snoozed' ELSE 'pending' END AS state,
       attempts, last_error, delivered_at
FROM alert_outbox ORDER BY created_at DESC, alert_key
"""


def source_health(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Source name -> {name, kind, location, last_status, last_fetch, items, new_articles, error, articles}."""
    return {r["name"]: r for r in dict_rows(con.execute(SOURCES_SQL))}


def status_board(con: duckdb.DuckDBPyConnection, thesis: str | None = None) -> list[dict]:
    """Every assumption's current status with the time it has held since (STATUS_SQL's columns)."""
    return dict_rows(con.execute(STATUS_SQL, {"thesis": thesis}))


def thesis_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Theses with at least one recorded status."""
    return [t for (t,) in con.execute("SELECT DISTINCT thesis_id FROM assumption_status ORDER BY 1").fetchall()]


def alert_log(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every queued alert, newest first, with its state: sent, snoozed or pending."""
    return dict_rows(con.execute(ALERTS_SQL))


def extraction_count(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM extractions").fetchall()[0][0]
