"""Backfill, replay and serve, run as a user runs them (CLI subprocesses, a real Prefect server)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, run_cli
from warehouse.db import read_connection

DAY1 = "#NVIDIA\n輝達發表新平台\n輝達表示新平台已開始出貨，目前市值約4.5兆美元。（科技日報）\n"
DAY2 = "#NVIDIA\n輝達股價回檔\n輝達股價較高點下跌20%，投資人擔心AI支出放緩。（科技日報）\n"


@pytest.fixture
def archive(tmp_path):
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "2025-12-01.txt").write_text(DAY1, encoding="utf-8")
    (tmp_path / "archive" / "2025-12-03.txt").write_text(DAY2, encoding="utf-8")
    thesis = (ROOT / "theses" / "system-moore.yaml").read_text(encoding="utf-8")
    (tmp_path / "theses").mkdir()
    (tmp_path / "theses" / "system-moore.yaml").write_text(thesis, encoding="utf-8")
    shutil_models(tmp_path)
    cfg = tmp_path / "thesiswatch.yaml"
    cfg.write_text("db: tw.duckdb\ntheses: [theses]\nsources:\n"
                   "  - {name: archive, kind: directory, path: archive, pattern: '*.txt'}\n", encoding="utf-8")
    return cfg


def shutil_models(tmp_path):
    import shutil
    shutil.copytree(ROOT / "theses" / "models", tmp_path / "theses" / "models")


def _history(db, assumption):
    with read_connection(db) as con:
        return con.execute("SELECT as_of, status FROM assumption_status WHERE assumption_id = ? ORDER BY as_of",
                           [assumption]).fetchall()


@pytest.mark.slow
def test_backfill_replays_each_day_and_records_the_history(prefect_api, archive):
    env = {"PREFECT_API_URL": prefect_api}
    out = run_cli("--config", str(archive), "backfill", "--from", "2025-12-01", "--to", "2025-12-03", env=env)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert [ln.split(":")[0] for ln in lines] == ["2025-12-01", "2025-12-02", "2025-12-03"]
    assert lines[0].startswith("2025-12-01: 1 new articles") and lines[1].startswith("2025-12-02: 0 new articles")
    assert "1 status change(s)" in lines[2]
    db = archive.parent / "tw.duckdb"
    hist = _history(db, "nvidia_drawdown")
    assert [(d.isoformat(), s) for d, s in hist] == [
        ("2025-12-01", "clear"), ("2025-12-02", "clear"), ("2025-12-03", "triggered")]

    # Tighten the threshold in the thesis file and replay: history moves with it.
    thesis = archive.parent / "theses" / "system-moore.yaml"
    text = thesis.read_text(encoding="utf-8")
    thesis.write_text(text.replace("triggered_at: 20\n", "triggered_at: 25\n", 1), encoding="utf-8")
    out = run_cli("--config", str(archive), "evaluate", "--replay", env=env)
    assert out.returncode == 0, out.stderr
    assert "Replayed 3 run date(s)" in out.stdout
    assert [s for _, s in _history(db, "nvidia_drawdown")] == ["clear", "clear", "elevated"]


@pytest.mark.slow
def test_serve_registers_a_scheduled_deployment_and_stops_on_ctrl_c(prefect_api, archive):
    # Output goes to a file: an unread pipe can fill up and block the server's shutdown.
    log = open(archive.parent / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "--config", str(archive), "serve",
                             "--cron", "30 6 * * 1-5", "--timezone", "Asia/Taipei"], cwd=ROOT,
                            env={**os.environ, "PREFECT_API_URL": prefect_api},
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        deployment = _wait_for_deployment(timeout=90)
        assert deployment is not None, "serve did not register a deployment"
        sched = deployment.schedules[0].schedule
        assert (sched.cron, sched.timezone) == ("30 6 * * 1-5", "Asia/Taipei")
        assert deployment.parameters["config"] == str(archive)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        finally:
            log.close()


def _wait_for_deployment(timeout: float):
    from prefect.client.orchestration import get_client
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with get_client(sync_client=True) as client:
            try:
                return client.read_deployment_by_name("daily_ingest/thesiswatch-daily")
            except Exception:
                time.sleep(1)
    return None


@pytest.mark.slow
def test_replay_without_edits_reproduces_the_recorded_statuses(prefect_api, archive):
    env = {"PREFECT_API_URL": prefect_api}
    assert run_cli("--config", str(archive), "run", env=env).returncode == 0
    assert run_cli("--config", str(archive), "evaluate", env=env).returncode == 0  # an ad-hoc evaluation too
    db = archive.parent / "tw.duckdb"
    q = "SELECT assumption_id, status, value FROM v_status ORDER BY 1"
    with read_connection(db) as con:
        before = con.execute(q).fetchall()
    out = run_cli("--config", str(archive), "evaluate", "--replay", env=env)
    assert out.returncode == 0, out.stderr
    with read_connection(db) as con:
        assert con.execute(q).fetchall() == before
        assert con.execute("SELECT count(*) FROM assumption_status WHERE run_id LIKE 'eval-%'").fetchall() == [(0,)]
