"""The numbers behind a check: run an item's `chart:` queries on a sandboxed read-only connection.

A chart query that fails or returns the wrong columns gives an `error` the page prints in place
of the chart, never a crash of the whole report (the check itself already ran).
"""
from __future__ import annotations

from datetime import date, datetime

import duckdb

from thesis.model import Check, referenced_params
from warehouse.queries import QueryError, run_select

POINT_COLUMNS = ("date", "value")
OPTIONAL_POINT_COLUMNS = ("label", "claim_id", "series")
MAX_POINTS = 500  # a chart is read by a person: more points than this is a query to narrow


def _day(v) -> date | None:
    """A DATE, TIMESTAMP or ISO string as a date; None when it is none of them."""
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str):
        try:
            return date.fromisoformat(v[:10])
        except ValueError:
            return None
    return None


def _number(v) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if f == f and abs(f) != float("inf") else None


def _run(con, sql: str, params: dict, timeout: float | None) -> list[dict]:
    bound = {k: params[k] for k in referenced_params(sql) if k in params}
    cols, rows = run_select(con, sql, bound, timeout)
    cols = [c.lower() for c in cols]
    return [dict(zip(cols, r, strict=True)) for r in rows]


def _points(rows: list[dict]) -> tuple[list[dict], int]:
    """Points with a readable date and a finite value, and how many rows were dropped."""
    out = []
    for r in rows:
        day, value = _day(r.get("date")), _number(r.get("value"))
        if day is None or value is None:
            continue
        out.append({"date": day, "value": value,
                    "label": None if r.get("label") is None else str(r["label"]),
                    "claim_id": None if r.get("claim_id") is None else str(r["claim_id"]),
                    "series": "" if r.get("series") is None else str(r["series"])})
    out.sort(key=lambda p: (p["series"], p["date"], p["value"]))
    return out, len(rows) - len(out)


def chart_data(con: duckdb.DuckDBPyConnection, item: Check, params: dict, timeout: float | None = None) -> dict:
    """{points, lines, dropped, error} for one item's chart (the item must have one).

    `params` are the thesis's and the item's parameters plus `as_of`. Each line is
    {label, value}: first the `thresholds` parameters, then the rows of `lines`.
    """
    chart = item.chart
    out = {"points": [], "lines": [], "dropped": 0, "error": None}
    try:
        rows = _run(con, chart.points, params, timeout)
        if rows and not all(c in rows[0] for c in POINT_COLUMNS):
            out["error"] = (f"chart.points must return columns date and value; got {', '.join(rows[0])}")
            return out
        out["points"], out["dropped"] = _points(rows[:MAX_POINTS])
        out["dropped"] += max(len(rows) - MAX_POINTS, 0)
        lines = [{"label": name, "value": float(params[name])} for name in chart.thresholds]
        if chart.lines:
            extra = _run(con, chart.lines, params, timeout)
            if extra and not all(c in extra[0] for c in ("label", "value")):
                out["error"] = f"chart.lines must return columns label and value; got {', '.join(extra[0])}"
                return out
            lines += [{"label": str(r["label"]), "value": _number(r["value"])} for r in extra
                      if _number(r["value"]) is not None]
        out["lines"] = lines
    except QueryError as e:
        out["error"] = f"chart query failed: {e}"
    return out
