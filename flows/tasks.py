"""Prefect tasks: each a thin wrapper around one plain function of ingest/, extractors/,
warehouse/ or thesis/. Work is batched per group of sources and per chunk of articles, never
per article: a task run costs milliseconds, a flow run about a second.
"""
from __future__ import annotations

from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.config import Settings
from ingest.sources import SourceResult, fetch_all
from warehouse import load


@task(name="start-run", cache_policy=NO_CACHE)
def start_run_task(settings: Settings, run_id: str, as_of: date | None, replay: bool) -> list[tuple]:
    """Record the run as started; return each source's cache validators (none for a replay)."""
    from prefect.runtime import flow_run
    locations = {s.name: s.location for s in settings.sources}
    states = load.start_run(settings.db_path, run_id, str(flow_run.id or ""), locations, as_of)
    if replay:
        states = {}  # a backfill replays files: no cache validators
    return [states.get(s.name, (None, None)) for s in settings.sources]


@task(name="fetch-sources", cache_policy=NO_CACHE)
def fetch_sources_task(sources: list, settings: Settings, validators: list[tuple], replay_day: date | None
                       ) -> list[SourceResult]:
    """All sources, fetched concurrently inside one task: a task run costs more than a 304."""
    return fetch_all(sources, settings, validators, replay_day)


@task(name="load-sources", cache_policy=NO_CACHE)
def load_sources_task(settings: Settings, run_id: str, results: list[SourceResult]) -> list[dict]:
    """Load the results of sources that finished together, in one short transaction."""
    return load.load_fetches(settings.db_path, run_id, [(r.source, r.fetch_row(), r.articles) for r in results])


@task(name="extract-batch", cache_policy=NO_CACHE)
def extract_batch_task(batch: list[dict], model: str | None, entity_files: list[str]) -> list[dict]:
    from extractors.isolate import extract_isolated
    from extractors.pipeline import get_extractor
    return extract_isolated(get_extractor(model, tuple(entity_files)), batch)


@task(name="load-extractions", cache_policy=NO_CACHE)
def load_extractions_task(settings: Settings, version: str, results: list[dict]) -> dict:
    return load.load_extractions(settings.db_path, version, results)


@task(name="evaluate-and-alert", cache_policy=NO_CACHE)
def evaluate_task(settings: Settings, run_id: str, as_of: date | None) -> tuple[list[dict], dict]:
    """Evaluate every thesis, record statuses and queue alerts, then deliver the outbox."""
    from thesis.alerts import deliver_pending
    from thesis.evaluate import evaluate_and_record
    statuses = evaluate_and_record(settings, run_id, as_of)
    return statuses, deliver_pending(settings)


@task(name="finish-run", cache_policy=NO_CACHE)
def finish_run_task(settings: Settings, run_id: str, status: str) -> dict:
    return load.finish_run(settings.db_path, run_id, status)


@task(name="write-report", cache_policy=NO_CACHE)
def report_task(settings: Settings) -> dict:
    """Write the report page after a run: {path} or {error}. A page that cannot be written is
    reported in the run summary; the run it describes has already completed."""
    from common.exceptions import ThesiswatchError
    from report.page import write_report  # the page's imports are paid only when one is written
    try:
        return {"path": str(write_report(settings)), "error": None}
    except ThesiswatchError as e:
        return {"path": str(settings.report_path), "error": str(e).rstrip(".")}
