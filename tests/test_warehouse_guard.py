"""The warehouse refuses what it must: writes disguised as SELECTs, queries that never end,
files that are not DuckDB warehouses (without ever reaching for an extension download), and
numeric options below their range."""
from __future__ import annotations

import sqlite3
import time

import pytest

from tests.conftest import run_cli
from warehouse.queries import QueryError, check_select


@pytest.mark.parametrize("sql,message", [
    ("WITH d AS (DELETE FROM articles RETURNING *) SELECT count(*) FROM d",
     "only reading is allowed: the query contains DELETE"),
    ("WITH u AS (UPDATE runs SET status = 'x' RETURNING *) SELECT * FROM u",
     "only reading is allowed: the query contains UPDATE"),
    ("WITH i AS (INSERT INTO snoozes VALUES ('a', 'b', DATE '2030-01-01', now()) RETURNING *) SELECT * FROM i",
     "only reading is allowed: the query contains INSERT"),
    ("SELECT nextval('fetch_id_seq')", "nextval() is not allowed in a read-only query"),
    ("SELECT * FROM query('DELETE FROM articles')", "query() is not allowed in a read-only query"),
    ("SELECT * FROM query_table('articles')", "query_table() is not allowed in a read-only query"),
    ("SELECT 1 WHERE 2 IN (SELECT setval('fetch_id_seq', 5))", "setval() is not allowed in a read-only query"),
    ("DELETE FROM articles", "only SELECT is allowed, got DELETE"),
])
def test_the_guard_reads_the_statement_tree(sql, message):
    with pytest.raises(QueryError) as e:
        check_select(sql)
    assert str(e.value) == message


@pytest.mark.parametrize("sql", [
    "SELECT 1",
    "WITH x AS (SELECT 1 AS a) SELECT a FROM x UNION ALL SELECT 2",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
    "SELECT $as_of::DATE AS d, 'nextval' AS word, 'DELETE FROM x' AS text",
    "FROM range(3) SELECT range",
])
def test_the_guard_lets_reads_through(sql):
    assert check_select(sql) == sql


def test_a_disguised_delete_is_refused_by_the_cli_and_deletes_nothing(tmp_path):
    db = str(tmp_path / "w.duckdb")
    run_cli("--db", db, "migrate")
    out = run_cli("--db", db, "sql", "WITH d AS (DELETE FROM runs RETURNING *) SELECT count(*) FROM d")
    assert (out.returncode, out.stderr) == (1, "Error: only reading is allowed: the query contains DELETE.\n")


def test_an_unbounded_query_is_stopped_with_one_line(tmp_path):
    db = str(tmp_path / "w.duckdb")
    run_cli("--db", db, "migrate")
    start = time.monotonic()
    out = run_cli("--db", db, "sql", "SELECT count(*) FROM range(1000000000000) a, range(1000) b", "--timeout", "1")
    took = time.monotonic() - start
    assert (out.returncode, out.stderr) == (
        1, "Error: query stopped after 1 s. Narrow it (WHERE, LIMIT) or raise --timeout.\n")
    assert took < 10
    again = run_cli("--db", db, "sql", "SELECT 42 AS answer", "--format", "csv")
    assert again.returncode == 0 and again.stdout == "answer\n42\n"


def test_a_thesis_check_that_never_ends_is_an_error_and_the_others_still_run(tmp_path):
    from flows.config import Settings
    from thesis.evaluate import evaluate_and_record
    from warehouse.db import write_connection
    theses = tmp_path / "theses"
    theses.mkdir()
    (theses / "t.yaml").write_text(
        "id: t\ntitle: T\nsummary: s\nowner: o\nassumptions:\n"
        "  - id: slow\n    statement: never ends\n"
        "    check: SELECT 'holds' AS status, count(*) AS value FROM range(1000000000000) a, range(1000) b\n"
        "  - id: quick\n    statement: answers at once\n    check: SELECT 'holds' AS status, 1 AS value\n",
        encoding="utf-8")
    settings = Settings(db=str(tmp_path / "w.duckdb"), theses=[str(theses)], sql_timeout=1)
    with write_connection(settings.db_path):
        pass
    start = time.monotonic()
    results = {r["assumption_id"]: r for r in evaluate_and_record(settings, "eval-1")}
    assert time.monotonic() - start < 15
    assert results["slow"]["status"] == "error"
    assert results["slow"]["detail"] == ("check failed: query stopped after 1 s. "
                                         "Narrow it (WHERE, LIMIT) or raise --timeout")
    assert results["quick"]["status"] == "holds"


def _sqlite(path):
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()


@pytest.mark.parametrize("make,what", [
    (_sqlite, "an SQLite database"),
    (lambda p: p.write_bytes(b""), "an empty file"),
    (lambda p: p.write_text("just some notes\n"), "not a database"),
])
@pytest.mark.parametrize("command", [["status"], ["sql", "SELECT 1"], ["migrate"], ["doctor"]])
def test_a_file_that_is_not_a_duckdb_warehouse_is_refused_in_one_line(tmp_path, make, what, command):
    path = tmp_path / "other.db"
    make(path)
    before = path.read_bytes()
    out = run_cli("--db", str(path), *command)
    assert out.returncode == 1
    line = out.stderr.strip()
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    if what == "an empty file":
        assert line == (f"Error: {path} is an empty file, not a DuckDB warehouse. Delete it, or pass --db "
                        "with another file name.")
    else:
        assert line == (f"Error: {path} is {what}, not a DuckDB warehouse. Pass --db with a thesiswatch "
                        "warehouse, or a new file name.")
    assert path.read_bytes() == before  # untouched


def test_no_connection_may_install_or_load_an_extension(tmp_path):
    from warehouse.db import read_connection, write_connection
    db = tmp_path / "w.duckdb"
    with write_connection(db) as con:
        settings = dict(con.execute("SELECT name, value FROM duckdb_settings() WHERE name IN "
                                    "('autoinstall_known_extensions', 'autoload_known_extensions')").fetchall())
    assert settings == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}
    with read_connection(db) as con:
        assert con.execute("SELECT value FROM duckdb_settings() WHERE name = 'autoload_known_extensions'"
                           ).fetchall() == [("false",)]


@pytest.mark.parametrize("args", [["sql", "SELECT 1", "--wait", "-5"], ["status", "--wait", "-1"],
                                  ["sql", "SELECT 1", "--timeout", "0"], ["run", "--workers", "-2"]])
def test_numeric_options_below_their_range_are_usage_errors(args, tmp_path):
    out = run_cli("--db", str(tmp_path / "w.duckdb"), *args)
    assert out.returncode == 2 and "Invalid value" in out.stderr, out.stderr
