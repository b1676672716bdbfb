"""Extraction on a two-worker Dask LocalCluster gives exactly the claims of the serial run."""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import EXAMPLES, ROOT
from warehouse.db import read_connection

CLAIMS = ("SELECT claim_id, subject, metric, value, unit, qualifier, period, quote FROM claims "
          "ORDER BY claim_id")


@pytest.mark.slow
def test_two_dask_workers_give_the_same_claims_as_the_serial_run(prefect_api, tmp_path):
    pytest.importorskip("prefect_dask")
    from flows.config import load_settings
    from flows.runner import run_flow
    results = []
    for workers in (0, 2):
        root = tmp_path / f"w{workers}"
        shutil.copytree(EXAMPLES, root / "examples", ignore=shutil.ignore_patterns("*.duckdb*"))
        shutil.copytree(ROOT / "theses", root / "theses")
        settings = load_settings(root / "examples" / "thesiswatch.yaml")
        settings.extract.workers = workers
        settings.extract.batch_size = 5  # several batches, so both workers get some
        run_flow(settings, evaluate=False)
        with read_connection(settings.db_path) as con:
            results.append(con.execute(CLAIMS).fetchall())
    serial, parallel = results
    assert len(serial) > 100
    assert parallel == serial
