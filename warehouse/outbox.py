"""The alert outbox, per-target deliveries and snoozes: the SQL behind alert delivery.

An alert row is written in the transaction that records its status change; deliveries are
recorded per target after Apprise reports success.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

from warehouse.db import dict_rows, transaction, utcnow


def is_snoozed(con: duckdb.DuckDBPyConnection, thesis_id: str, assumption_id: str, day: date) -> bool:
    return bool(con.execute("SELECT 1 FROM snoozes WHERE thesis_id = ? AND assumption_id = ? AND until_date >= ?",
                            [thesis_id, assumption_id, day]).fetchall())


def queue_alert(con: duckdb.DuckDBPyConnection, key: str, r: dict, title: str, body: str, now: datetime,
                muted: bool) -> None:
    """Add one alert in the caller's transaction; a key already queued is left as it is."""
    con.execute("""INSERT OR IGNORE INTO alert_outbox (alert_key, thesis_id, assumption_id, severity, old_status,
                   new_status, value, title, body, created_at, muted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [key, r["thesis_id"], r["assumption_id"], r["severity"], r["old_status"], r["status"], r["value"],
                 title, body, now, muted])


def pending(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Undelivered, unmuted alerts, oldest first: {alert_key, thesis_id, severity, title, body}."""
    return dict_rows(con.execute("""SELECT alert_key, thesis_id, severity, title, body FROM alert_outbox
                                 WHERE delivered_at IS NULL AND NOT muted ORDER BY created_at, alert_key"""))


def delivered_pairs(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(alert key, target id) already delivered, for alerts not yet complete."""
    return set(con.execute("""SELECT alert_key, target FROM alert_deliveries WHERE alert_key IN
                              (SELECT alert_key FROM alert_outbox WHERE delivered_at IS NULL)""").fetchall())


def record_deliveries(db: Path, delivered: list[tuple[str, str]], errors: dict[str, str], complete: list[str],
                      now: datetime) -> None:
    """One transaction: each (key, target) delivered, each failed key's reason, and the keys
    every target now has marked sent."""
    with transaction(db) as con:
        for key, tid in delivered:
            con.execute("INSERT OR IGNORE INTO alert_deliveries VALUES (?, ?, ?)", [key, tid, now])
        for key, error in errors.items():
            con.execute("UPDATE alert_outbox SET attempts = attempts + 1, last_error = ? WHERE alert_key = ?",
                        [error, key])
        if complete:
            con.execute("UPDATE alert_outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL "
                        "WHERE alert_key IN (SELECT unnest(?))", [now, complete])


def add_snooze(db: Path, thesis_id: str, assumption_id: str, until: date) -> None:
    with transaction(db) as con:
        con.execute("INSERT OR REPLACE INTO snoozes VALUES (?, ?, ?, ?)", [thesis_id, assumption_id, until, utcnow()])
