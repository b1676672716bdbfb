"""Runs that end badly: a killed run does not stay `running` forever, `doctor` says so and
`doctor --repair` clears it, and no process a run started outlives it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, run_cli
from warehouse import load
from warehouse.db import read_connection, transaction


def _runs(db) -> list[tuple]:
    with read_connection(db) as con:
        return con.execute("SELECT run_id, status, finished_at IS NOT NULL FROM runs ORDER BY started_at").fetchall()


def test_the_next_run_marks_a_dead_run_interrupted(tmp_path):
    db = tmp_path / "w.duckdb"
    load.start_run(db, "killed", None, {})  # a run that was SIGKILLed: never finished
    load.start_run(db, "next", None, {})
    assert _runs(db) == [("killed", "interrupted", True), ("next", "running", False)]


def test_doctor_reports_a_stuck_run_and_repair_clears_it_days_later(tmp_path):
    db = tmp_path / "w.duckdb"
    load.start_run(db, "killed", None, {})
    with transaction(db) as con:  # it was killed two days ago
        con.execute("UPDATE runs SET started_at = now()::TIMESTAMP - INTERVAL 2 DAY")
    out = run_cli("--db", str(db), "doctor")
    assert out.returncode == 1 and "runs left running" in out.stdout and "FAIL" in out.stdout
    fixed = run_cli("--db", str(db), "doctor", "--repair")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert fixed.stdout.startswith("Repaired: runs left running.")
    assert _runs(db) == [("killed", "interrupted", True)]
    assert run_cli("--db", str(db), "doctor").returncode == 0


def test_repair_refuses_while_a_run_is_writing_and_doctor_does_not_count_it(tmp_path):
    db = tmp_path / "w.duckdb"
    load.start_run(db, "live", None, {})
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from warehouse.db import RunLock; "
         f"l = RunLock({str(db)!r}); l.acquire(); print('held', flush=True); time.sleep(60)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        out = run_cli("--db", str(db), "doctor")
        assert out.returncode == 0, out.stdout  # the live run's row is not stuck
        with transaction(db) as con:
            con.execute("INSERT INTO runs (run_id, started_at, status) VALUES ('dead', now()::TIMESTAMP, 'running')")
        refused = run_cli("--db", str(db), "doctor", "--repair")
        assert refused.returncode == 1
        assert refused.stderr.startswith(f"Error: another thesiswatch run (pid {holder.pid}) is writing to {db}.")
    finally:
        holder.kill()
        holder.wait()


def test_an_orphaned_helper_process_of_a_killed_run_is_stopped_by_the_next_run():
    from flows.prefect_env import reap_orphans
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a pid that is certainly gone: the killed run
    orphan = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                              env={**os.environ, "THESISWATCH_RUN_PID": str(dead.pid)})
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                                 env={**os.environ, "THESISWATCH_RUN_PID": str(os.getpid())})  # alive owner
    try:
        time.sleep(0.3)
        assert orphan.pid in reap_orphans(grace=5)
        assert orphan.wait(timeout=10) == -signal.SIGTERM
        assert bystander.poll() is None
    finally:
        for p in (orphan, bystander):
            if p.poll() is None:
                p.kill()
                p.wait()


def _children_of(owner: int) -> list[int]:
    from pathlib import Path

    from flows.prefect_env import OWNER_VAR
    out = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if f"{OWNER_VAR}={owner}".encode() in (proc / "environ").read_bytes().split(b"\0"):
                out.append(int(proc.name))
        except OSError:
            continue
    return [p for p in out if p != owner]


@pytest.mark.slow
def test_a_sigkilled_run_leaves_no_prefect_server_behind_after_the_next_start(tmp_path):
    """A run on Prefect's temporary server is killed while the server is up; the server
    survives its parent, and the next thesiswatch start stops it."""
    import shutil

    from flows.prefect_env import reap_orphans
    from tests.conftest import EXAMPLES
    shutil.copytree(EXAMPLES, tmp_path / "examples", ignore=shutil.ignore_patterns("*.duckdb*"))
    shutil.copytree(ROOT / "theses", tmp_path / "theses")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(tmp_path / ".prefect")
    cfg = tmp_path / "examples" / "thesiswatch.yaml"
    run = subprocess.Popen([sys.executable, "-m", "flows.cli", "--config", str(cfg), "run"],
                           cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not _children_of(run.pid) and run.poll() is None:
        time.sleep(0.2)
    servers = _children_of(run.pid)
    ended = run.poll() is not None
    assert servers, f"the run ended before its server could be seen: {run.stderr.read()[-1500:] if ended else ''}"
    run.kill()
    run.wait()
    reap_orphans(grace=10)
    assert _children_of(run.pid) == []  # whether the server outlived the kill or not, none is left
