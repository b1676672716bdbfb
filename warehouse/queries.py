"""Read-only queries: the SQL guard shared by `thesiswatch sql` and thesis checks, and the
canned queries behind `status`, `sources` and `alerts`.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from common.exceptions import TerminalException, ThesiswatchError
from warehouse.db import NO_EXTENSIONS, dict_rows


class QueryError(ThesiswatchError, TerminalException):
    """SQL that is refused or fails; the message is the first line of the reason."""


# Functions a SELECT may call that change state or run SQL text the guard has not read.
_FORBIDDEN_FUNCTIONS = {"nextval", "setval", "query", "query_table"}
_parser = threading.local()  # an in-memory connection per thread, only for parsing
_passed: set[str] = set()  # texts already found to be one read-only SELECT (a thesis's checks are read 2-3 times a run)


def check_select(sql: str) -> str:
    """Return `sql` if it is exactly one SELECT that only reads; raise QueryError otherwise.

    DuckDB classifies `WITH d AS (DELETE ... RETURNING *) SELECT ...` as a SELECT, so the
    statement's parse tree is read too: any data-modifying node or a call of nextval/setval/
    query/query_table is refused. Fails closed: a tree the guard cannot read is refused. The
    read-only connection stays the second wall.
    """
    if sql in _passed:
        return sql
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
    _check_tree(sql)
    _passed.add(sql)
    return sql


def _check_tree(sql: str) -> None:
    if not hasattr(_parser, "con"):
        _parser.con = duckdb.connect(config=NO_EXTENSIONS)
    tree = json.loads(_parser.con.execute("SELECT json_serialize_sql(?)", [sql]).fetchall()[0][0])
    if tree.get("error"):
        raise QueryError(f"the query's structure cannot be checked ({tree.get('error_message', 'unknown')}); "
                         "write it as a plain SELECT")
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            kind = node.get("type")
            if isinstance(kind, str) and kind.endswith("_QUERY_NODE"):
                raise QueryError(f"only reading is allowed: the query contains {kind.removesuffix('_QUERY_NODE')}")
            name = node.get("function_name")
            if node.get("class") == "FUNCTION" and str(name).lower() in _FORBIDDEN_FUNCTIONS:
                raise QueryError(f"{name}() is not allowed in a read-only query")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


@contextmanager
def statement_timeout(con: duckdb.DuckDBPyConnection, seconds: float | None) -> Iterator[None]:
    """Interrupt whatever `con` runs once `seconds` have passed; the statement then raises
    QueryError saying so. None or 0: no limit."""
    if not seconds:
        yield
        return
    timer = threading.Timer(seconds, con.interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    except duckdb.InterruptException:
        raise QueryError(f"query stopped after {seconds:g} s. Narrow it (WHERE, LIMIT) or raise --timeout") from None
    finally:
        timer.cancel()


def guarded(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No file or network access from user SQL (read_csv('/etc/passwd') and friends), and no
    way to switch it back on. Fails closed: a connection that cannot be locked down is refused."""
    try:
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except duckdb.Error as e:
        raise QueryError(f"cannot sandbox the query connection ({str(e).splitlines()[0]})") from None
    return con


def run_select(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None,
               timeout: float | None = None) -> tuple[list[str], list[tuple]]:
    """Column names and rows of one guarded SELECT, stopped after `timeout` seconds."""
    check_select(sql)
    with statement_timeout(con, timeout):
        try:
            cur = con.execute(sql, params) if params else con.execute(sql)
            cols = [d[0] for d in cur.description]
            return cols, cur.fetchall()
        except duckdb.InterruptException:
            raise
        except duckdb.Error as e:
            raise QueryError(str(e).splitlines()[0]) from None


SOURCES_SQL = """
SELECT s.name, s.kind, s.location,
       f.status AS last_status, f.finished_at AS last_fetch, f.items, f.new_articles, f.error,
       (SELECT count(*) FROM article_sources l WHERE l.source = s.name) AS articles,
       (SELECT max(g.finished_at) FROM fetches g WHERE g.source = s.name
         AND g.status IN ('ok', 'partial', 'not_modified')) AS last_success
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
    """Source name -> {name, kind, location, last_status, last_fetch, items, new_articles, error, articles,
    last_success}; a 304 counts as a success: the source answered."""
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


# One piece of evidence, whatever its kind, in the shape alerts and `thesiswatch why` print.
EVIDENCE_SQL = """
WITH wanted AS (SELECT id, ord FROM (SELECT unnest($ids) AS id, generate_subscripts($ids, 1) AS ord))
SELECT * FROM (
    SELECT 'statement' AS kind, s.statement_id AS id, w.ord, s.quote, s.sentence, s.predicate,
           s.polarity, s.modality, s.asserted, s.source, s.url, s.published_date AS day
    FROM wanted w JOIN v_statements s ON s.statement_id = w.id
    UNION ALL
    SELECT 'claim', c.claim_id, w.ord, c.quote, c.sentence, NULL, NULL, NULL, NULL, c.source, c.url,
           c.published_date
    FROM wanted w JOIN v_claims c ON c.claim_id = w.id
    UNION ALL
    SELECT 'article', a.article_id, w.ord, NULL, a.title, NULL, NULL, NULL, NULL, a.source, a.canonical_url,
           a.published_date
    FROM wanted w JOIN v_articles a ON a.article_id = w.id
) ORDER BY ord LIMIT $limit
"""


def evidence_rows(con: duckdb.DuckDBPyConnection, ids: list[str], limit: int = 3) -> list[dict]:
    """The first `limit` pieces of evidence in the order the check's evidence query gave them:
    statements (quote, polarity, modality), claims (quote, sentence) or articles (title as the
    sentence), each with kind, id, source, url and day. Ids that no longer resolve are skipped."""
    if not ids:
        return []
    return dict_rows(con.execute(EVIDENCE_SQL, {"ids": list(ids), "limit": limit}))


def status_of(con: duckdb.DuckDBPyConnection, assumption: str, thesis: str | None = None) -> list[dict]:
    """The latest status row of an assumption or risk (one per thesis that has that id)."""
    return dict_rows(con.execute("""SELECT thesis_id, assumption_id, kind, severity, status, value, detail,
                                           evidence_ids, as_of, run_id, evaluated_at
                                    FROM v_status WHERE assumption_id = $a AND ($t IS NULL OR thesis_id = $t)
                                    ORDER BY thesis_id""", {"a": assumption, "t": thesis}))
# ---------------------------------------------------------------- the report page

HISTORY_SQL = """
SELECT thesis_id, assumption_id, run_id, as_of, evaluated_at, status, value
FROM assumption_status
WHERE $thesis IS NULL OR thesis_id = $thesis
ORDER BY thesis_id, assumption_id, evaluated_at, run_id
"""

# Every item the newest evaluation recorded, beside what the evaluation before it said.
LATEST_CHANGES_SQL = """
WITH h AS (
    SELECT *, lag(status) OVER w AS old_status, lag(run_id) OVER w AS old_run_id,
              lag(evaluated_at) OVER w AS old_evaluated_at
    FROM assumption_status
    WHERE $thesis IS NULL OR thesis_id = $thesis
    WINDOW w AS (PARTITION BY thesis_id, assumption_id ORDER BY evaluated_at, run_id)
),
newest AS (SELECT run_id FROM h ORDER BY evaluated_at DESC, run_id DESC LIMIT 1)
SELECT thesis_id, assumption_id, kind, severity, run_id, as_of, evaluated_at, status, value, detail,
       evidence_ids, old_status, old_run_id, old_evaluated_at
FROM h WHERE run_id = (SELECT run_id FROM newest)
ORDER BY thesis_id, kind, assumption_id
"""

# A claim with enough of its article around it to place the number inside its sentence.
CLAIM_EVIDENCE_SQL = """
SELECT c.claim_id AS id, 'claim' AS kind, c.sentence AS text, c.quote, c.start_char, c.end_char,
       greatest(c.start_char - length(c.sentence), 0) AS around_start,
       substr(a.text, greatest(c.start_char - length(c.sentence), 0) + 1,
              2 * length(c.sentence) + (c.end_char - c.start_char)) AS around,
       c.subject, c.metric, c.value, c.unit, c.period, c.qualifier,
       a.title, a.source, a.canonical_url AS url, coalesce(a.published_at, a.fetched_at) AS published_at
FROM claims c JOIN articles a USING (article_id)
WHERE c.claim_id IN (SELECT unnest(?))
ORDER BY published_at DESC, c.claim_id
"""

ARTICLE_EVIDENCE_SQL = """
SELECT a.article_id AS id, 'article' AS kind, coalesce(a.title, '') AS title, left(a.text, 240) AS text,
       a.source, a.canonical_url AS url, coalesce(a.published_at, a.fetched_at) AS published_at
FROM articles a
WHERE a.article_id IN (SELECT unnest(?))
ORDER BY published_at DESC, a.article_id
"""

CONFLICTS_SQL = """
SELECT x.subject, x.metric, x.unit, x.period, x.value_a, x.source_a, x.claim_a, x.value_b, x.source_b, x.claim_b,
       x.rel_diff, ca.quote AS quote_a, cb.quote AS quote_b
FROM v_conflicts x
LEFT JOIN claims ca ON ca.claim_id = x.claim_a
LEFT JOIN claims cb ON cb.claim_id = x.claim_b
ORDER BY x.rel_diff DESC, x.subject, x.metric
LIMIT ?
"""

LATEST_RUN_SQL = """
SELECT run_id, started_at, finished_at, status, as_of, new_articles, duplicates, failed
FROM runs ORDER BY started_at DESC LIMIT 1
"""


def status_history(con: duckdb.DuckDBPyConnection, thesis: str | None = None) -> list[dict]:
    """Every recorded status, oldest first per (thesis, assumption): the board's timelines."""
    return dict_rows(con.execute(HISTORY_SQL, {"thesis": thesis}))


def latest_changes(con: duckdb.DuckDBPyConnection, thesis: str | None = None) -> list[dict]:
    """The newest evaluation's rows with `old_status` from the evaluation before (None the first time)."""
    return dict_rows(con.execute(LATEST_CHANGES_SQL, {"thesis": thesis}))


def evidence_items(con: duckdb.DuckDBPyConnection, ids: list[str], limit: int | None = None) -> list[dict]:
    """Newest first: claims when the ids are claim ids (with `around`, the article text near the
    claim from offset `around_start`), else articles (title and the first 240 characters)."""
    if not ids:
        return []
    rows = dict_rows(con.execute(CLAIM_EVIDENCE_SQL, [list(ids)]))
    if not rows:
        rows = dict_rows(con.execute(ARTICLE_EVIDENCE_SQL, [list(ids)]))
    return rows[:limit] if limit else rows


def conflict_rows(con: duckdb.DuckDBPyConnection, limit: int = 200) -> list[dict]:
    """v_conflicts, widest disagreement first, with both quotes."""
    return dict_rows(con.execute(CONFLICTS_SQL, [limit]))


def latest_run(con: duckdb.DuckDBPyConnection) -> dict | None:
    rows = dict_rows(con.execute(LATEST_RUN_SQL))
    return rows[0] if rows else None
