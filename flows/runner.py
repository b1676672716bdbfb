"""Entry points that start Prefect flow runs: once, re-extract, backfill and serve.

Imported only by commands that run flows, so read-only commands never import Prefect.
"""
from __future__ import annotations

from datetime import date, timedelta

from flows.config import Settings


def run_flow(settings: Settings, as_of: date | None = None, evaluate: bool = True) -> dict:
    from flows.daily import daily_ingest
    from flows.prefect_env import one_shot
    with one_shot():
        return daily_ingest(settings=settings, as_of=as_of, evaluate=evaluate)


def reextract_all(settings: Settings) -> dict:
    from flows.daily import reextract_flow
    from flows.prefect_env import one_shot
    from warehouse.db import read_connection
    from warehouse.queries import extraction_count
    with one_shot():
        out = reextract_flow(settings=settings)
    with read_connection(settings.db_path) as con:
        n = extraction_count(con)
    return {"articles": n, "claims": out["claims"]}


def backfill_sources(settings: Settings, day: date) -> Settings:
    """Only the sources that can be replayed for a past day: folders and dated text exports."""
    keep = [s for s in settings.sources
            if s.kind == "directory" or (s.kind == "text-export" and (s.published is None or s.published == day))]
    return settings.model_copy(update={"sources": keep})


def backfill(settings: Settings, start: date, end: date):
    """One flow run per day from `start` to `end`, each evaluated as of its day."""
    from flows.daily import daily_ingest
    from flows.prefect_env import one_shot
    day = start
    while day <= end:
        day_settings = backfill_sources(settings, day)
        with one_shot():
            result = daily_ingest.with_options(flow_run_name=f"backfill-{day.isoformat()}")(
                settings=day_settings, as_of=day, replay=True)
        yield day, result
        day += timedelta(days=1)


def serve(settings: Settings, config: str | None, db: str | None, cron: str, timezone: str) -> None:
    """Serve daily_ingest on a cron schedule; each run re-reads the config file."""
    from prefect.schedules import Cron

    from flows.daily import daily_ingest
    params = {"config": str(config) if config else None, "db": str(db) if db else None}
    daily_ingest.serve(name="thesiswatch-daily", schedules=[Cron(cron, timezone=timezone)],
                       parameters={k: v for k, v in params.items() if v})
