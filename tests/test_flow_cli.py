"""The daily_ingest flow for real (Prefect temporary server) and the CLI as a user runs it."""
from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import EXAMPLES, ROOT, make_settings, run_cli, run_process
from tests.httpserver import respond
from warehouse.db import RunLock, read_connection


def _counts(db) -> dict:
    with read_connection(db) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                for t in ("articles", "article_sources", "claims", "mentions", "extractions")}


@pytest.fixture
def example_config(tmp_path):
    """The bundled example sources and thesis, copied so the test owns its warehouse."""
    shutil.copytree(EXAMPLES, tmp_path / "examples", ignore=shutil.ignore_patterns("*.duckdb*"))
    shutil.copytree(ROOT / "theses", tmp_path / "theses")
    return tmp_path / "examples" / "thesiswatch.yaml"


@pytest.mark.slow
def test_running_the_flow_twice_leaves_identical_counts(prefect_api, example_config):
    from flows.config import load_settings
    from flows.runner import run_flow
    settings = load_settings(example_config)
    first = run_flow(settings)
    c1 = _counts(settings.db_path)
    second = run_flow(settings)
    c2 = _counts(settings.db_path)
    assert c1 == c2
    assert c1["articles"] >= 25 and c1["claims"] > 100 and c1["extractions"] == c1["articles"] - 1  # bundle
    assert sum(r["new"] for r in first["sources"]) == c1["articles"], first["sources"]
    assert sum(r["new"] for r in second["sources"]) == 0
    assert second["claims"] == 0
    # the CFR story comes once in Traditional script (export) and once in Simplified (Atom feed)
    assert sum(r["duplicates"] for r in first["sources"]) == 1
    with read_connection(settings.db_path) as con:
        runs = con.execute("SELECT status, flow_run_id <> '' FROM runs").fetchall()
    assert runs == [("completed", True), ("completed", True)]


@pytest.mark.slow
def test_demo_command_prints_the_summary_table(prefect_api, example_config):
    out = run_cli("--config", str(example_config), "run", env={"PREFECT_API_URL": prefect_api})
    assert out.returncode == 0, out.stderr
    for name in ("morning-export", "chips-rss", "asia-tech-atom", "aws-trainium3-page", "onsemi-page"):
        assert name in out.stdout
    assert "new articles" in out.stdout and "claims extracted" in out.stdout
    assert "Traceback" not in out.stderr and "telemetry" not in out.stderr.lower()
    status = run_cli("--config", str(example_config), "status", "--json")
    rows = json.loads(status.stdout)
    assert {r["assumption_id"] for r in rows} >= {"hot_set_few_gb", "tpu_volume", "nvidia_drawdown"}


@pytest.mark.slow
def test_a_failing_source_is_reported_and_the_run_goes_on(prefect_api, tmp_path, server):
    from flows.runner import run_flow
    url = server.route("/dead.xml", respond(404))
    (tmp_path / "ok.txt").write_text("#T\n標題\n某公司今年營收成長12%。（某報）\n", encoding="utf-8")
    settings = make_settings(tmp_path, [
        {"name": "dead", "kind": "feed", "url": url},
        {"name": "local", "kind": "text-export", "path": "ok.txt", "published": "2025-12-01"}])
    result = run_flow(settings)
    rows = {r["source"]: r for r in result["sources"]}
    assert rows["dead"]["status"] == "failed" and rows["dead"]["error"] == "HTTP 404"
    assert rows["local"]["new"] == 1


def test_sql_refuses_anything_but_one_select(tmp_path, example_config):
    db = tmp_path / "x.duckdb"
    assert run_cli("--db", str(db), "migrate").returncode == 0
    for query, why in [("DELETE FROM articles", "only SELECT is allowed, got DELETE"),
                       ("SELECT 1; SELECT 2", "expected one statement, got 2"),
                       ("DROP TABLE claims", "only SELECT is allowed, got DROP")]:
        out = run_cli("--db", str(db), "sql", query)
        assert out.returncode == 1
        assert out.stderr.strip() == f"Error: {why}."


def test_sql_cannot_read_local_files(tmp_path):
    db = tmp_path / "x.duckdb"
    run_cli("--db", str(db), "migrate")
    out = run_cli("--db", str(db), "sql", "SELECT * FROM read_text('/etc/passwd')")
    assert out.returncode == 1 and "root:" not in out.stdout
    assert out.stderr.startswith("Error: ")


def test_sql_formats(tmp_path):
    db = tmp_path / "x.duckdb"
    run_cli("--db", str(db), "migrate")
    q = "SELECT 1 AS a, 'x' AS b"
    assert json.loads(run_cli("--db", str(db), "sql", q, "--format", "json").stdout) == [{"a": 1, "b": "x"}]
    assert run_cli("--db", str(db), "sql", q, "--format", "csv").stdout.splitlines() == ["a,b", "1,x"]


def test_a_second_writer_gets_a_clear_message(example_config, tmp_path):
    db = tmp_path / "locked.duckdb"
    with RunLock(db):
        out = run_process("--config", str(example_config), "--db", str(db), "run")  # the lock is per process
    assert out.returncode == 1
    assert out.stderr.strip().startswith("Error: another thesiswatch run (pid ")
    assert "Wait for it to finish, then run again." in out.stderr
    assert "Traceback" not in out.stderr


def test_missing_warehouse_and_bad_config_are_one_line_errors(tmp_path):
    out = run_cli("--db", str(tmp_path / "none.duckdb"), "status")
    assert out.returncode == 1
    assert out.stderr.strip() == (f"Error: no warehouse at {tmp_path / 'none.duckdb'}. "
                                  "Run `thesiswatch run` first, or pass --db.")
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("sources:\n  - {name: a, kind: fed, url: 'http://x'}\n")
    out = run_cli("--config", str(cfg), "sources")
    assert out.returncode == 1
    assert out.stderr.strip() == (f"Error: {cfg}: sources.0.kind: 'fed' is not one of 'feed', 'page', "
                                  "'text-export' or 'directory'. Fix the config file.")


def test_bad_usage_exits_2():
    out = run_cli("sql")
    assert out.returncode == 2 and "Missing argument" in out.stderr


def _commands() -> list[str]:
    from flows.cli import cli
    return sorted(cli.commands)


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_and_the_global_options(command):
    out = run_cli(command, "--help")
    assert out.returncode == 0 and "Usage: " in out.stdout and len(out.stdout.splitlines()) >= 3
    for option in ("--config", "--db", "--debug"):
        assert option in out.stdout, f"{command} --help does not list {option}"


@pytest.mark.parametrize("command", _commands())
def test_global_options_work_after_every_command_name(command, tmp_path):
    """`thesiswatch COMMAND --config FILE --db FILE` must reach the command: a missing config
    file named after the command name is refused with the same one-line error as before it."""
    missing = tmp_path / "nope.yaml"
    before = run_cli("--config", str(missing), "--db", str(tmp_path / "w.duckdb"), command, "--help")
    after = run_cli(command, "--config", str(missing), "--db", str(tmp_path / "w.duckdb"), "--help")
    assert before.returncode == after.returncode == 0, after.stderr


def test_options_after_the_command_override_those_before_it(tmp_path):
    run_cli("--db", str(tmp_path / "a.duckdb"), "migrate")
    out = run_cli("--db", str(tmp_path / "a.duckdb"), "migrate", "--db", str(tmp_path / "b.duckdb"))
    from warehouse.db import LATEST_VERSION
    assert out.stdout.strip() == f"{tmp_path / 'b.duckdb'}: schema version {LATEST_VERSION}."
    assert (tmp_path / "b.duckdb").exists()


def test_config_after_the_command_name_is_used(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("sources:\n  - {name: only-one, kind: feed, url: 'http://127.0.0.1:9/x.xml'}\n")
    out = run_cli("sources", "--config", str(cfg), "--db", str(tmp_path / "w.duckdb"))
    assert out.returncode == 0, out.stderr
    assert "only-one" in out.stdout
    missing = tmp_path / "missing.yaml"
    out = run_cli("status", "--config", str(missing))
    assert (out.returncode, out.stderr) == (1, f"Error: config file {missing} not found. "
                                               "Pass --config with an existing file.\n")


def test_debug_prints_the_traceback_it_promises(tmp_path):
    missing = tmp_path / "missing.yaml"
    plain = run_cli("--config", str(missing), "status")
    assert "Traceback" not in plain.stderr and plain.returncode == 1
    for args in (["--debug", "--config", str(missing), "status"], ["status", "--config", str(missing), "--debug"]):
        out = run_cli(*args)
        assert out.returncode == 1
        assert out.stderr.startswith("Traceback (most recent call last):"), out.stderr
        assert "ConfigError: config file" in out.stderr


def test_read_commands_do_not_import_prefect_or_spacy(tmp_path):
    db = tmp_path / "x.duckdb"
    run_cli("--db", str(db), "migrate")
    code = ("import sys; from flows.cli import cli\n"
            f"try:\n    cli(['--db', {str(db)!r}, 'sql', 'SELECT 1'], standalone_mode=False)\nexcept SystemExit: pass\n"
            "print(sorted(m for m in ('prefect', 'spacy') if m in sys.modules))")
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.slow
def test_an_offline_run_on_prefects_temporary_server_prints_no_tracebacks(example_config):
    import os
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(example_config.parent / ".prefect")  # a fresh Prefect home, like a new machine
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "flows.cli", "--config", str(example_config), "run"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    noise = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert not any("Traceback" in ln or "telemetry" in ln.lower() or "ERROR" in ln for ln in noise), noise[:20]
    assert "29 new articles" in out.stdout


def test_config_and_input_mistakes_are_one_line_errors(tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("sources:\n  - {name: a, kind: text-export, path: a.txt, published: 2025-13-40}\n")
    out = run_cli("--config", str(cfg), "sources")
    assert out.returncode == 1 and out.stderr.startswith(f"Error: {cfg}: month must be in 1..12")
    assert len(out.stderr.strip().splitlines()) == 1
    cfg.write_text("schedule: {cron: 'every morning', timezone: Mars/Olympus}\n")
    out = run_cli("--config", str(cfg), "sources")
    assert out.returncode == 1 and "schedule.cron" in out.stderr and "five-field cron" in out.stderr
    out = run_cli("sources", env={"THESISWATCH_WORKERS": "two"})
    assert out.returncode == 1 and "THESISWATCH_WORKERS: 'two' is not a whole number" in out.stderr
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    out = run_cli("extract", str(binary))
    assert out.returncode == 2 and "looks binary" in out.stderr
    out = run_cli("--config", str(EXAMPLES / "thesiswatch.yaml"), "serve", env={"PREFECT_API_URL": None})
    assert out.returncode == 1 and out.stderr.startswith("Error: serve needs a Prefect server")


def test_status_of_an_unknown_thesis_is_a_usage_error(tmp_path, example_config):
    from warehouse.db import transaction
    db = tmp_path / "s.duckdb"
    with transaction(db) as con:
        con.execute("INSERT INTO assumption_status VALUES ('system-moore', 'a', 'risk', 'low', 'r', NULL, now(), "
                    "'clear', 1, NULL, [])")
    out = run_cli("--db", str(db), "status", "nope")
    assert out.returncode == 2 and "no thesis 'nope' in the warehouse (known: system-moore)" in out.stderr
