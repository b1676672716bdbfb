"""Crash safety and concurrency, with real processes: SIGKILL a run mid-load and mid-extraction,
restart it, and compare with a clean run; read the warehouse while another process writes."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time

import pytest

from tests.conftest import EXAMPLES, ROOT, run_cli, run_process
from warehouse.db import read_connection

ARTICLES = "SELECT article_id, content_hash, parent_id FROM articles ORDER BY article_id"
LINKS = "SELECT article_id, source, item_key FROM article_sources ORDER BY ALL"
CLAIMS = "SELECT claim_id, subject, metric, value, unit, period FROM claims ORDER BY claim_id"
MENTIONS = "SELECT article_id, entity_id, start_char FROM mentions ORDER BY ALL"


def _copy_examples(dest):
    """The example sources, extracted in batches of 5 so a kill can land between batches."""
    shutil.copytree(EXAMPLES, dest / "examples", ignore=shutil.ignore_patterns("*.duckdb*"))
    shutil.copytree(ROOT / "theses", dest / "theses")
    cfg = dest / "examples" / "thesiswatch.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "extract: {batch_size: 5}\n", encoding="utf-8")
    return cfg


def _snapshot(db):
    with read_connection(db) as con:
        return {name: con.execute(sql).fetchall()
                for name, sql in (("articles", ARTICLES), ("links", LINKS), ("claims", CLAIMS),
                                  ("mentions", MENTIONS))}


@pytest.fixture(scope="module")
def clean_snapshot(prefect_api, tmp_path_factory):
    cfg = _copy_examples(tmp_path_factory.mktemp("clean"))
    out = run_cli("--config", str(cfg), "run", "--no-evaluate", env={"PREFECT_API_URL": prefect_api})
    assert out.returncode == 0, out.stderr
    return _snapshot(cfg.parent / "demo.duckdb")


@pytest.mark.slow
@pytest.mark.parametrize("point", ["load-before-commit:1", "load-after-commit:1",
                                   "extract-before-commit:2", "extract-after-commit:2"])
def test_a_run_killed_mid_way_is_completed_by_the_next_run(prefect_api, tmp_path, clean_snapshot, point):
    cfg = _copy_examples(tmp_path)
    env = {"PREFECT_API_URL": prefect_api}
    killed = run_process("--config", str(cfg), "run", "--no-evaluate",
                         env={**env, "THESISWATCH_FAILPOINT": point}, timeout=300)
    assert killed.returncode == -9, (killed.returncode, killed.stderr[-2000:])
    db = cfg.parent / "demo.duckdb"
    partial = _snapshot(db)
    assert len(partial["articles"]) < len(clean_snapshot["articles"]) or \
        len(partial["claims"]) < len(clean_snapshot["claims"])  # the kill really cut the run short
    again = run_cli("--config", str(cfg), "run", "--no-evaluate", env=env)
    assert again.returncode == 0, again.stderr
    assert _snapshot(db) == clean_snapshot  # none missing, none doubled
    doctor = run_cli("--config", str(cfg), "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr


@pytest.mark.slow
def test_readers_wait_for_a_writer_instead_of_crashing(prefect_api, tmp_path):
    cfg = _copy_examples(tmp_path)
    run_cli("--config", str(cfg), "migrate")
    writer = subprocess.Popen([sys.executable, "-m", "flows.cli", "--config", str(cfg), "run"], cwd=ROOT,
                              env={**__import__("os").environ, "PREFECT_API_URL": prefect_api},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = []
    deadline = time.monotonic() + 240
    while writer.poll() is None and time.monotonic() < deadline:
        for args in (["sql", "SELECT count(*) FROM articles"], ["status"]):
            results.append(run_cli("--config", str(cfg), *args))
    writer.wait(timeout=60)
    assert writer.returncode == 0, writer.stderr.read()[-2000:]
    assert len(results) >= 2
    for r in results:
        assert "Traceback" not in r.stderr and "Could not set lock" not in r.stderr, r.stderr
        assert r.returncode == 0, r.stderr
