"""`unknown` means no evidence in the window: recorded like any status, but a change into or out
of it towards a good status is not alerted unless asked for; a change to a bad one always is."""
from __future__ import annotations

import pytest

from flows.config import Settings
from thesis.evaluate import evaluate_and_record
from warehouse.db import read_connection, transaction, write_connection

THESIS = """id: t
title: T
summary: s
owner: o
assumptions:
  - id: a
    statement: something holds
    check: SELECT (SELECT status FROM flip) AS status, 1 AS value
"""


def _setup(tmp_path, **settings) -> Settings:
    folder = tmp_path / "theses"
    folder.mkdir()
    (folder / "t.yaml").write_text(THESIS, encoding="utf-8")
    s = Settings(db=str(tmp_path / "w.duckdb"), theses=[str(folder)], **settings)
    with write_connection(s.db_path):
        pass
    return s


def _run(settings: Settings, status: str, n: int) -> dict:
    with transaction(settings.db_path) as con:  # the check reads its answer from this view
        con.execute(f"CREATE OR REPLACE VIEW flip AS SELECT '{status}' AS status")
    # a new article each time, so the evaluation is not served from the previous run's results
    with transaction(settings.db_path) as con:
        con.execute("INSERT INTO articles (article_id, content_hash, source, text, lang, fetched_at) "
                    "VALUES (?, ?, 's', 'x', 'en', now()::TIMESTAMP)", [f"a{n}", f"h{n}"])
        con.execute("INSERT INTO runs (run_id, started_at, status) VALUES (?, now()::TIMESTAMP, 'completed')",
                    [f"r{n}"])
    return evaluate_and_record(settings, f"r{n}")[0]


def _outbox(settings) -> list[tuple]:
    with read_connection(settings.db_path) as con:
        return con.execute("SELECT old_status, new_status FROM alert_outbox ORDER BY created_at").fetchall()


def test_unknown_to_holds_is_recorded_but_not_alerted_and_a_break_always_is(tmp_path):
    s = _setup(tmp_path)
    _run(s, "unknown", 1)
    r = _run(s, "holds", 2)
    assert (r["old_status"], r["status"], r["changed"], r["alerted"]) == ("unknown", "holds", True, False)
    r = _run(s, "unknown", 3)
    assert r["changed"] and not r["alerted"]
    r = _run(s, "broken", 4)
    assert r["alerted"]
    assert _outbox(s) == [("unknown", "broken")]


@pytest.mark.parametrize("alert_unknown,expected", [(False, []), (True, [("unknown", "holds")])])
def test_alert_unknown_turns_those_alerts_on(tmp_path, alert_unknown, expected):
    s = _setup(tmp_path, alert_unknown=alert_unknown)
    _run(s, "unknown", 1)
    _run(s, "holds", 2)
    assert _outbox(s) == expected
