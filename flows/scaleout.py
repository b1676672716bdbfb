"""Extraction on Dask: a sub-flow whose task runner is prefect-dask's DaskTaskRunner, on a local
LocalCluster (--workers N) or an existing cluster (--dask-address). Only extraction moves;
results come back to the flow process, which stays the warehouse's one writer.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator

from prefect import flow

from flows.config import Settings
from flows.tasks import extract_batch_task


def _runner(settings: Settings):
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError:  # pragma: no cover - depends on the install
        raise RuntimeError("--workers needs prefect-dask. Install with: pip install 'thesiswatch[dask]'") from None
    if settings.extract.dask_address:
        return DaskTaskRunner(address=settings.extract.dask_address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": max(1, settings.extract.workers), "threads_per_worker": 1,
                                          "processes": True, "dashboard_address": None,
                                          "silence_logs": logging.ERROR})


def extract_on_dask(batches: list[list[dict]], settings: Settings, entity_files: list[str]) -> Iterator[list[dict]]:
    """Yield each batch's extraction results, in order, computed on Dask workers."""
    if not batches:
        return iter(())

    # The batches travel to the workers as task inputs, not as flow parameters: Prefect sends
    # a flow's parameters to its API, which refuses anything over 512 KB.
    @flow(name="extract-on-dask", task_runner=_runner(settings))
    def extract_flow() -> list[list[dict]]:
        # Not quote()d here: prefect-dask hands a quoted input to the worker still wrapped.
        futures = [extract_batch_task.submit(b, settings.extract.model, entity_files) for b in batches]
        return [f.result() for f in futures]

    return iter(extract_flow())
