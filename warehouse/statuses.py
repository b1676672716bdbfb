"""Assumption statuses: what an evaluation reads before it runs and records after it.

The thesis layer decides statuses and words alerts; this module holds the SQL.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import duckdb

from warehouse.db import dict_rows, transaction
from warehouse.outbox import evidence_rows, is_snoozed, queue_alert

_INSERT_STATUS = """INSERT OR REPLACE INTO assumption_status
    (thesis_id, assumption_id, kind, severity, run_id, as_of, evaluated_at, status, value, detail, evidence_ids)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""


def news_date(con: duckdb.DuckDBPyConnection) -> date:
    """$as_of for a run without one: the newest article's date, never later than today.

    Windows ("news of the last 120 days") then mean the same thing for an archive loaded
    today as for the daily run that saw it arrive.
    """
    newest = con.execute("SELECT max(published_date) FROM v_articles "
                         "WHERE published_date <= current_date").fetchall()[0][0]
    return newest or date.today()


def content_state(con: duckdb.DuckDBPyConnection) -> tuple:
    """What the checks can read, summarised: counts and newest times of articles, extractions,
    mentions and claims. Part of an evaluation's fingerprint."""
    return con.execute("""SELECT (SELECT count(*) FROM articles), (SELECT max(fetched_at) FROM articles),
                                 (SELECT count(*) FROM extractions), (SELECT max(extracted_at) FROM extractions),
                                 (SELECT count(*) FROM mentions), (SELECT count(*) FROM claims)""").fetchall()[0]


def run_with_fingerprint(con: duckdb.DuckDBPyConnection, fingerprint: str, other_than: str) -> str | None:
    """The newest run (not `other_than`) whose evaluation had this fingerprint."""
    rows = con.execute("""SELECT run_id FROM runs WHERE eval_fingerprint = ? AND run_id <> ?
                          ORDER BY started_at DESC LIMIT 1""", [fingerprint, other_than]).fetchall()
    return rows[0][0] if rows else None


def recorded(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[tuple[str, str], dict]:
    """(thesis, assumption) -> the status row `run_id` recorded."""
    cur = con.execute("""SELECT thesis_id, assumption_id, kind, severity, status, value, detail, evidence_ids, as_of
                         FROM assumption_status WHERE run_id = ?""", [run_id])
    return {(r["thesis_id"], r["assumption_id"]): r for r in dict_rows(cur)}


def completed_runs(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every completed run, oldest first, with the day it was evaluated as of."""
    cur = con.execute("""SELECT r.run_id,
                                coalesce((SELECT max(s.as_of) FROM assumption_status s WHERE s.run_id = r.run_id),
                                         r.as_of, r.started_at::DATE) AS day,
                                r.started_at
                         FROM runs r WHERE r.status = 'completed' ORDER BY day, r.started_at""")
    return dict_rows(cur)


def _previous(con) -> dict[tuple[str, str], str]:
    return {(t, a): st for t, a, st in con.execute("SELECT thesis_id, assumption_id, status FROM v_status").fetchall()}


def _status_params(r: dict, run_id: str, as_of, evaluated_at) -> list:
    return [r["thesis_id"], r["assumption_id"], r["kind"], r["severity"], run_id, as_of, evaluated_at,
            r["status"], r["value"], r["detail"], r["evidence_ids"]]


def record_evaluation(db: Path, run_id: str, results: list[dict], fingerprint: str, now: datetime,
                      alert_day: date, compose: Callable[[dict, list[dict]], tuple[str, str, str]],
                      alertable: Callable[[str, str], bool] = lambda old, new: True) -> None:
    """Store every result, and queue an alert for each change `alertable(old, new)` admits, in
    one transaction: a crash leaves either both or neither.

    Sets `old_status`, `changed` and `alerted` on each result. `compose(result, evidence)` words
    an alert and returns (key, title, body); `alert_day` decides whether a snooze still mutes it.
    """
    with transaction(db) as con:
        previous = _previous(con)
        for r in results:
            prev = previous.get((r["thesis_id"], r["assumption_id"]))
            r["old_status"] = prev
            r["changed"] = prev is not None and prev != r["status"]
            r["alerted"] = r["changed"] and alertable(prev, r["status"])
            con.execute(_INSERT_STATUS, _status_params(r, run_id, r["as_of"], now))
            if r["alerted"]:
                key, title, body = compose(r, evidence_rows(con, r["evidence_ids"]))
                muted = is_snoozed(con, r["thesis_id"], r["assumption_id"], alert_day)
                queue_alert(con, key, r, title, body, now, muted)
        con.execute("UPDATE runs SET eval_fingerprint = ? WHERE run_id = ?", [fingerprint, run_id])


def replace_history(db: Path, rows: list[tuple[dict, str, date, datetime]]) -> None:
    """Replace the whole status history with (result, run_id, as_of, evaluated_at) rows."""
    with transaction(db) as con:
        con.execute("DELETE FROM assumption_status")
        for r, run_id, day, started in rows:
            con.execute(_INSERT_STATUS, _status_params(r, run_id, day, started))
