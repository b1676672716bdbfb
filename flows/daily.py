"""The `daily_ingest` Prefect flow: fetch -> parse -> dedup -> load -> extract -> evaluate -> alert.

Each task wraps one plain function from flows/ingest, extractors, warehouse or flows/thesis.
Work is batched per source and per chunk of articles, never per article: a Prefect task run
costs milliseconds, a flow run about a second.
"""
from __future__ import annotations

import time
import uuid
from datetime import date

from flows.prefect_env import configure

configure()

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

from flows.config import Settings, load_settings  # noqa: E402
from flows.ingest.sources import SourceResult, fetch_all  # noqa: E402
from flows.progress import report  # noqa: E402
from warehouse import load  # noqa: E402
from warehouse.db import RunLock  # noqa: E402


LOAD_GROUP_ARTICLES = 1000  # articles per load transaction: short for readers, few for speed


def _load_groups(results: list[SourceResult]) -> list[list[SourceResult]]:
    """Consecutive results cut so that each group carries about LOAD_GROUP_ARTICLES articles;
    a morning of 304s is one transaction."""
    groups, current, size = [], [], 0
    for r in results:
        current.append(r)
        size += len(r.articles)
        if size >= LOAD_GROUP_ARTICLES:
            groups.append(current)
            current, size = [], 0
    if current:
        groups.append(current)
    return groups


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
    from extractors.pipeline import get_extractor
    return get_extractor(model, tuple(entity_files)).extract_records(batch)


@task(name="load-extractions", cache_policy=NO_CACHE)
def load_extractions_task(settings: Settings, version: str, results: list[dict]) -> dict:
    return load.load_extractions(settings.db_path, version, results)


def extract_pending(settings: Settings, t: "_Stopwatch | None" = None) -> int:
    """Extract every article not yet extracted at the current version; returns claims written."""
    from extractors.version import EXTRACTOR_VERSION
    pending = load.articles_to_extract(settings.db_path, EXTRACTOR_VERSION)
    if not pending:
        return 0  # nothing new: don't even load spaCy
    from extractors.pipeline import get_extractor, metric_vocabulary
    entity_files = [str(settings.resolve(p)) for p in settings.extract.entities]
    ex = get_extractor(settings.extract.model, tuple(entity_files))
    load.sync_reference(settings.db_path, ex.entities, metric_vocabulary())
    size = max(1, settings.extract.batch_size)
    batches = [pending[i:i + size] for i in range(0, len(pending), size)]
    report("extract-start", articles=len(pending), batches=len(batches))
    claims = 0
    if settings.extract.workers or settings.extract.dask_address:
        from flows.scaleout import extract_on_dask
        results_iter = extract_on_dask(batches, settings, entity_files)
    else:
        # quote(): Prefect would otherwise walk every article and claim looking for futures.
        results_iter = (extract_batch_task(quote(b), settings.extract.model, entity_files) for b in batches)
    for results in results_iter:
        start = time.perf_counter()
        claims += load_extractions_task(settings, EXTRACTOR_VERSION, quote(results))["claims"]
        if t is not None:
            t.add("claims_load", time.perf_counter() - start)
        report("extract-batch", articles=len(results))
    return claims


@task(name="evaluate-and-alert", cache_policy=NO_CACHE)
def evaluate_task(settings: Settings, run_id: str, as_of: date | None) -> tuple[list[dict], dict]:
    """Evaluate every thesis, record statuses and queue alerts, then deliver the outbox."""
    from flows.thesis.alerts import deliver_pending
    from flows.thesis.evaluate import evaluate_and_record
    statuses = evaluate_and_record(settings, run_id, as_of)
    return statuses, deliver_pending(settings)


@flow(name="daily_ingest", log_prints=True)
def daily_ingest(config: str | None = None, db: str | None = None, as_of: date | None = None,
                 evaluate: bool = True, settings: Settings | None = None, replay: bool = False) -> dict:
    """Ingest every configured source once, extract claims, evaluate theses, send alerts.

    Deployments pass `config`/`db`; the CLI passes the `settings` it already built.
    """
    settings = settings or load_settings(config, db)
    return run_pipeline(settings, as_of=as_of, evaluate=evaluate, replay=replay)


@flow(name="reextract")
def reextract_flow(settings: Settings) -> dict:
    """Rebuild every article's mentions and claims with the current extractor."""
    with RunLock(settings.db_path):
        load.clear_extractions(settings.db_path)
        claims = extract_pending(settings)
    return {"claims": claims}


def run_pipeline(settings: Settings, as_of: date | None = None, evaluate: bool = True,
                 replay: bool = False) -> dict:
    """The flow's body, callable inside any flow. `as_of` sets the evaluation date; `replay`
    (backfill) also reads only that day's files from folder sources, without cache validators."""
    logger = get_run_logger()
    run_id = f"{(as_of.isoformat() + '-') if as_of else ''}{uuid.uuid4().hex[:12]}"
    db_path = settings.db_path
    t = _Stopwatch()
    with RunLock(db_path):
        from prefect.runtime import flow_run
        states = load.start_run(db_path, run_id, str(flow_run.id or ""), len(settings.sources), as_of)
        report("fetch-start", sources=[s.name for s in settings.sources])
        fetch_start = time.perf_counter()
        if replay:
            states = {}  # a backfill replays files: no cache validators
        future = fetch_sources_task.submit(list(settings.sources), settings,
                                           [states.get(s.name, (None, None)) for s in settings.sources],
                                           as_of if replay else None)
        per_source = []
        status = "failed"
        try:
            with t("fetch_wait"):
                results = future.result()
            t.seconds["fetch_phase"] = max((r.ended for r in results), default=fetch_start) - fetch_start
            # Load in the config's order (when the same story arrives from two sources the stored
            # copy is always the same one), a few sources per short transaction.
            for group in _load_groups(results):
                with t("dedup_load"):
                    counts = load_sources_task(settings, run_id, quote(group))
                for result, c in zip(group, counts):
                    row = {"source": result.source["name"], "status": result.status,
                           "fetched": len(result.articles), "new": c["new"], "duplicates": c["duplicates"],
                           "error": result.error}
                    per_source.append(row)
                    report("fetch-done", **row)
            with t("extract_load"):
                claims = extract_pending(settings, t)
            statuses, alerts = [], {}
            if evaluate:
                with t("evaluate"):
                    statuses, alerts = evaluate_task(settings, run_id, as_of)
            status = "completed"
        finally:
            summary = load.finish_run(db_path, run_id, status)
    order = {s.name: i for i, s in enumerate(settings.sources)}
    per_source.sort(key=lambda r: order.get(r["source"], 0))
    logger.info("run %s: %s new articles, %s duplicates, %s failed sources, %s claims",
                run_id, summary["new_articles"], summary["duplicates"], summary["failed"], claims)
    return {"run_id": run_id, "sources": per_source, "claims": claims, "statuses": statuses,
            "alerts": alerts, "db": str(db_path), "timings": t.seconds}


class _Stopwatch:
    """Seconds spent per stage of a run, for the summary and the benchmark."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def add(self, stage: str, secs: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + secs

    def __call__(self, stage: str):
        import contextlib

        @contextlib.contextmanager
        def timed():
            start = time.perf_counter()
            try:
                yield
            finally:
                self.add(stage, time.perf_counter() - start)
        return timed()
