"""Gather what the report page shows from the warehouse and the thesis files, then write it.

Reads only: named-row queries of warehouse/queries.py, and each item's `chart:` SELECTs on the
same sandboxed read-only connection the checks use.
"""
from __future__ import annotations

import contextlib
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from common.exceptions import TerminalException, ThesiswatchError
from report import evidence, plot
from thesis.charts import chart_data
from thesis.model import GOOD_STATUSES, UNKNOWN, Check, Thesis, discover
from warehouse import queries, statuses
from warehouse.db import read_connection, utcnow

if TYPE_CHECKING:  # settings are passed down by flows/; only their types are named here
    from flows.config import Settings

MAX_EVIDENCE = 3      # quotes under a status change, as in an alert
MAX_TIMELINE = 40     # runs shown in an item's status history


class ReportError(ThesiswatchError, TerminalException):
    """A report that cannot be written as asked."""


class UnknownThesis(ReportError):
    """--thesis names a thesis that is neither configured nor in the warehouse."""


def tone(status: str | None) -> str:
    """The colour family of a status: good, warn, bad, unknown or error.

    >>> [tone(s) for s in ("holds", "elevated", "broken", "unknown", "error", None)]
    ['good', 'warn', 'bad', 'unknown', 'error', 'none']
    """
    if status is None:
        return "none"
    if status in GOOD_STATUSES:
        return "good"
    if status in ("weakening", "elevated"):
        return "warn"
    if status in ("broken", "triggered"):
        return "bad"
    return "unknown" if status == UNKNOWN else "error"


def _evidence(con, ids: list[str] | None, limit: int | None = MAX_EVIDENCE) -> list[evidence.Evidence]:
    return [evidence.from_row(r) for r in queries.evidence_items(con, list(ids or []), limit)]


def _changes(con, rows: list[dict], statements: dict[tuple[str, str], str]) -> dict:
    """The newest evaluation against the one before: what changed, with its evidence.

    On a first evaluation there is nothing to compare with; the items not in a good status are
    listed instead, with their newest quote, so the page still opens with what needs reading.
    """
    first = bool(rows) and all(r["old_status"] is None for r in rows)
    if first:
        picked = [r for r in rows if r["status"] not in GOOD_STATUSES]
    else:
        picked = [r for r in rows if r["old_status"] is not None and r["old_status"] != r["status"]]
    newest = rows[0] if rows else None
    previous = next((r for r in rows if r["old_run_id"]), None)
    return {
        "first": first,
        "run_id": newest["run_id"] if newest else None,
        "evaluated_at": newest["evaluated_at"] if newest else None,
        "as_of": newest["as_of"] if newest else None,
        "previous_run_id": previous["old_run_id"] if previous else None,
        "previous_evaluated_at": previous["old_evaluated_at"] if previous else None,
        "entries": [{**r, "statement": statements.get((r["thesis_id"], r["assumption_id"]), ""),
                   "tone": tone(r["status"]), "old_tone": tone(r["old_status"]),
                   "evidence": _evidence(con, r["evidence_ids"], 1 if first else MAX_EVIDENCE)} for r in picked],
    }


def _chart(con, thesis: Thesis, item: Check, as_of, timeout: float | None) -> dict:
    data = chart_data(con, item, {**thesis.params_for(item), "as_of": as_of}, timeout)
    anchor = f"pt-{thesis.id}-{item.id}"
    quotes = {e.id: e for e in _evidence(con, [p["claim_id"] for p in data["points"] if p["claim_id"]], None)}
    rows = [{**p, "n": n, "anchor": f"{anchor}-{n}", "evidence": quotes.get(p["claim_id"])}
            for n, p in enumerate(data["points"], 1)]
    return {"id": f"chart-{thesis.id}-{item.id}", "item_id": item.id, "thesis_id": thesis.id,
            "title": item.chart.title or item.statement, "unit": item.chart.unit, "error": data["error"],
            "dropped": data["dropped"], "rows": rows, "lines": data["lines"],
            "svg": plot.layout(data["points"], data["lines"], item.chart.unit, anchor)}


def _board(thesis: Thesis, current: dict[str, dict], history: dict[str, list[dict]]) -> list[dict]:
    out = []
    for kind, item in thesis.items():
        row = current.get(item.id)
        runs = history.get(item.id, [])[-MAX_TIMELINE:]
        out.append({"id": item.id, "kind": kind, "statement": item.statement, "severity": item.severity,
                    "status": row["status"] if row else None, "tone": tone(row["status"] if row else None),
                    "since": row["since"] if row else None, "value": row["value"] if row else None,
                    "detail": row["detail"] if row else None, "evidence": row["evidence"] if row else 0,
                    "timeline": [{**h, "tone": tone(h["status"])} for h in runs],
                    "has_chart": item.chart is not None})
    return out


def _sources(settings: Settings, health: dict[str, dict]) -> list[dict]:
    configured = [s.name for s in settings.sources]
    names = configured + sorted(set(health) - set(configured))
    empty = dict.fromkeys(("kind", "location", "last_status", "last_fetch", "last_success", "items",
                           "new_articles", "error", "articles"))
    kinds = {s.name: s.kind for s in settings.sources}
    return [{**empty, "kind": kinds.get(n), **(health.get(n) or {}), "name": n, "configured": n in configured}
            for n in names]


def _section(con, t: Thesis, board: dict, history: dict, news_day, timeout: float | None) -> dict:
    """One thesis: its board and its charts, each chart as of the day its item was last evaluated."""
    current = {a: r for (tid, a), r in board.items() if tid == t.id}
    hist = {a: rows for (tid, a), rows in history.items() if tid == t.id}
    charts = [_chart(con, t, item, (current.get(item.id) or {}).get("as_of") or news_day, timeout)
              for _, item in t.items() if item.chart]
    ids = {i.id for _, i in t.items()}
    return {"id": t.id, "title": t.title, "summary": t.summary, "path": _shown(t.path),
            "board": _board(t, current, hist), "charts": charts, "orphans": sorted(set(current) - ids)}


def _shown(path: str | None) -> str | None:
    """A file relative to the working folder when it is inside it: no home paths on a page that is shared."""
    if not path:
        return None
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path


def build(settings: Settings, thesis_id: str | None = None, wait: float = 30.0,
          now: datetime | None = None) -> dict:
    """Everything the page template needs, read in one read-only connection."""
    theses = discover(settings.thesis_paths())
    with read_connection(settings.db_path, wait) as con:
        queries.guarded(con)  # chart SELECTs are user SQL, like checks
        known = sorted({t.id for t in theses} | set(queries.thesis_ids(con)))
        if thesis_id is not None and thesis_id not in known:
            raise UnknownThesis(f"no thesis {thesis_id!r} in the configuration or the warehouse "
                                f"(known: {', '.join(known) or 'none'})")
        shown = [t for t in theses if thesis_id in (None, t.id)]
        board = {(r["thesis_id"], r["assumption_id"]): r for r in queries.status_board(con, thesis_id)}
        history: dict[tuple[str, str], list[dict]] = {}
        for h in queries.status_history(con, thesis_id):
            history.setdefault((h["thesis_id"], h["assumption_id"]), []).append(h)
        statements = {(t.id, i.id): i.statement for t in theses for _, i in t.items()}
        changes = _changes(con, queries.latest_changes(con, thesis_id), statements)
        news_day = statuses.news_date(con)
        sections = [_section(con, t, board, history, news_day, settings.sql_timeout) for t in shown]
        page = {"generated_at": now or utcnow(), "db": _shown(str(settings.db_path)), "news_day": news_day,
                "run": queries.latest_run(con), "changes": changes, "theses": sections,
                "conflicts": queries.conflict_rows(con), "sources": _sources(settings, queries.source_health(con)),
                "thesis_filter": thesis_id}
    return page


def write_report(settings: Settings, out: Path | None = None, thesis_id: str | None = None,
                 wait: float = 30.0) -> Path:
    """Write the page to `out` (default: the config's report.path, else report.html beside the
    warehouse) and return its path. The file is replaced whole: a reader never sees half a page."""
    from report.render import render  # jinja2 is imported only when a page is written
    path = Path(out) if out else settings.report_path
    html = render(build(settings, thesis_id, wait))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # same folder: the rename is atomic
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        raise ReportError(f"cannot write the report to {path} ({e.strerror or e}). "
                          "Pass --out with a writable file, or fix report.path in the config") from None
    finally:
        with contextlib.suppress(OSError):  # a folder that cannot be written has no temporary file either
            tmp.unlink(missing_ok=True)
    return path
