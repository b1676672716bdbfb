"""The two steps of a run that loop over tasks: loading sources in groups and extracting
pending articles in batches. Plain functions that call tasks, so any flow can use them."""
from __future__ import annotations

import time

from prefect.utilities.annotations import quote

from flows.config import Settings
from flows.progress import Stopwatch, report
from flows.tasks import extract_batch_task, load_extractions_task, load_sources_task
from ingest.sources import SourceResult
from warehouse import load

LOAD_GROUP_ARTICLES = 1000  # articles per load transaction: short for readers, few for speed


def load_groups(results: list[SourceResult]) -> list[list[SourceResult]]:
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


def load_sources(settings: Settings, run_id: str, results: list[SourceResult], t: Stopwatch) -> list[dict]:
    """Load every source's result in the config's order (when the same story arrives from two
    sources the stored copy is always the same one); one summary row per source."""
    rows = []
    for group in load_groups(results):
        with t("dedup_load"):
            counts = load_sources_task(settings, run_id, quote(group))
        for result, c in zip(group, counts, strict=True):
            row = {"source": result.source["name"], "status": result.status, "fetched": len(result.articles),
                   "new": c["new"], "duplicates": c["duplicates"], "error": result.error}
            rows.append(row)
            report("fetch-done", **row)
    order = {s.name: i for i, s in enumerate(settings.sources)}
    return sorted(rows, key=lambda r: order.get(r["source"], 0))


def extract_pending(settings: Settings, t: Stopwatch | None = None, skipped: list | None = None) -> int:
    """Extract every article not yet extracted at the current version; returns claims written.
    Articles that could not be extracted are appended to `skipped` ({article_id, error})."""
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
        loaded = load_extractions_task(settings, EXTRACTOR_VERSION, quote(results))
        claims += loaded["claims"]
        if skipped is not None:
            skipped += loaded["skipped"]
        if t is not None:
            t.add("claims_load", time.perf_counter() - start)
        report("extract-batch", articles=len(results))
    return claims
