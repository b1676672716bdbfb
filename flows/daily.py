"""The `daily_ingest` Prefect flow: fetch -> load -> extract -> evaluate -> alert, and the
`reextract` flow. Each step is a task from flows/tasks.py or a loop of them from flows/steps.py.
"""
from __future__ import annotations

import time
import uuid
from datetime import date

from flows.prefect_env import configure

configure()

from prefect import flow, get_run_logger  # noqa: E402

from flows.config import Settings, load_settings  # noqa: E402
from flows.progress import Stopwatch, report  # noqa: E402
from flows.steps import extract_pending, load_sources  # noqa: E402
from flows.tasks import (  # noqa: E402
    evaluate_task,
    fetch_sources_task,
    finish_run_task,
    report_task,
    start_run_task,
)
from warehouse import load  # noqa: E402
from warehouse.db import RunLock  # noqa: E402


@flow(name="daily_ingest", log_prints=True)
def daily_ingest(config: str | None = None, db: str | None = None, as_of: date | None = None,
                 evaluate: bool = True, settings: Settings | None = None, replay: bool = False) -> dict:
    """Ingest every configured source once, extract claims, evaluate theses, send alerts.

    Deployments pass `config`/`db`; the CLI passes the `settings` it already built. `as_of`
    sets the evaluation date; `replay` (backfill) reads only that day's files from folder
    sources, without cache validators.
    """
    settings = settings or load_settings(config, db)
    return run_pipeline(settings, as_of=as_of, evaluate=evaluate, replay=replay)


def run_pipeline(settings: Settings, as_of: date | None = None, evaluate: bool = True,
                 replay: bool = False) -> dict:
    """The flow's body, callable inside any flow."""
    run_id = f"{(as_of.isoformat() + '-') if as_of else ''}{uuid.uuid4().hex[:12]}"
    t, status, skipped = Stopwatch(), "failed", []
    with RunLock(settings.db_path):
        validators = start_run_task(settings, run_id, as_of, replay)
        try:
            report("fetch-start", sources=[s.name for s in settings.sources])
            fetch_start = time.perf_counter()
            with t("fetch_wait"):
                results = fetch_sources_task(list(settings.sources), settings, validators, as_of if replay else None)
            t.add("fetch_phase", max((r.ended for r in results), default=fetch_start) - fetch_start)
            per_source = load_sources(settings, run_id, results, t)
            with t("extract_load"):
                claims = extract_pending(settings, t, skipped)
            with t("evaluate"):
                statuses, alerts = evaluate_task(settings, run_id, as_of) if evaluate else ([], {})
            status = "completed"
        finally:
            summary = finish_run_task(settings, run_id, status)
    page = None
    if evaluate and settings.report.after_run:
        with t("report"):
            page = report_task(settings)
    get_run_logger().info("run %s: %s new articles, %s duplicates, %s failed sources, %s claims", run_id,
                          summary["new_articles"], summary["duplicates"], summary["failed"], claims)
    return {"run_id": run_id, "sources": per_source, "claims": claims, "skipped_articles": skipped,
            "statuses": statuses, "report": page,
            "alerts": alerts, "db": str(settings.db_path), "timings": t.seconds}


@flow(name="reextract")
def reextract_flow(settings: Settings) -> dict:
    """Rebuild every article's mentions and claims with the current extractor."""
    with RunLock(settings.db_path):
        load.clear_extractions(settings.db_path)
        claims = extract_pending(settings)
    return {"claims": claims}
