"""Run every thesis check on a read-only, sandboxed connection; record statuses and alerts.

A check that fails to run or returns the wrong shape gets status `error` with the reason:
never a silent pass.
"""
from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from thesis.model import (
    ASSUMPTION_STATUSES,
    GOOD_STATUSES,
    RISK_STATUSES,
    UNKNOWN,
    Check,
    Thesis,
    discover,
    referenced_params,
)
from warehouse import statuses
from warehouse.db import read_connection, utcnow
from warehouse.queries import QueryError, guarded, run_select
from warehouse.views import create_as_of_views

if TYPE_CHECKING:  # settings are passed down by flows/; only their types are named here
    from flows.config import Settings

MAX_EVIDENCE = 20


def _bind(sql: str, params: dict) -> dict:
    return {k: params[k] for k in referenced_params(sql) if k in params}


def run_check(con: duckdb.DuckDBPyConnection, kind: str, item: Check, params: dict,
              timeout: float | None = None) -> dict:
    """{status, value, detail, evidence_ids} for one assumption or risk; a check that runs
    longer than `timeout` seconds is stopped and gets status `error` with that reason."""
    allowed = ASSUMPTION_STATUSES if kind == "assumption" else RISK_STATUSES
    out = {"status": "error", "value": None, "detail": None, "evidence_ids": []}
    try:
        cols, rows = run_select(con, item.check, _bind(item.check, params), timeout)
        cols = [c.lower() for c in cols]
    except QueryError as e:
        out["detail"] = f"check failed: {e}"
        return out
    if len(rows) != 1 or "status" not in cols or "value" not in cols:
        out["detail"] = (f"check must return one row with status and value; got {len(rows)} row(s) "
                         f"with columns {', '.join(cols) or '(none)'}")
        return out
    row = dict(zip(cols, rows[0], strict=True))
    if row["status"] not in allowed:
        out["detail"] = f"check returned status {row['status']!r}; expected one of {', '.join(allowed)}"
        return out
    try:
        value = None if row["value"] is None else float(row["value"])
    except (TypeError, ValueError):
        out["detail"] = f"check returned a value that is not a number: {row['value']!r}"
        return out
    out.update(status=row["status"], value=value, detail=None if row.get("detail") is None else str(row["detail"]))
    if item.evidence:
        try:
            _, ev = run_select(con, item.evidence, _bind(item.evidence, params), timeout)
            out["evidence_ids"] = [str(r[0]) for r in ev[:MAX_EVIDENCE] if r and r[0] is not None]
        except QueryError as e:
            out["detail"] = ((out["detail"] + "; ") if out["detail"] else "") + f"evidence query failed: {e}"
    return out


def evaluate_theses(db: Path, theses: list[Thesis], as_of: date | None = None,
                    timeout: float | None = None) -> list[dict]:
    """Results for every item of every thesis, without recording anything."""
    results = []
    with read_connection(db) as con:
        guarded(con)
        if as_of:
            create_as_of_views(con, as_of)
        when = as_of or statuses.news_date(con)
        for thesis in theses:
            for kind, item in thesis.items():
                params = {**thesis.params_for(item), "as_of": when}
                res = run_check(con, kind, item, params, timeout)
                results.append({"thesis_id": thesis.id, "assumption_id": item.id, "kind": kind,
                                "severity": item.severity, "statement": item.statement, "as_of": when, **res})
    return results


def dry_run(settings: Settings, thesis: Thesis) -> list[dict]:
    return evaluate_theses(settings.db_path, [thesis], timeout=settings.sql_timeout)


def model_rows(theses: list[Thesis]) -> list[dict]:
    """Hot-set arithmetic for every model config in a `models/` folder beside a thesis file."""
    from thesis import hotset
    rows, seen = [], set()
    for t in theses:
        folder = Path(t.path).parent / "models" if t.path else None
        for f in sorted(folder.glob("*.json")) if folder and folder.is_dir() else []:
            if f.stem in seen:
                continue
            seen.add(f.stem)
            b = hotset.breakdown(hotset.load_config(str(f)))
            rows.append({"model": f.stem, "name": b.name, "total_params": b.total_params,
                         "activated_params": b.activated_params, "hot_ffn_params": b.hot_ffn_params,
                         "hot_all_params": b.hot_all_params,
                         "hot_ffn_gb_fp8": hotset.gigabytes(b.hot_ffn_params, "fp8"),
                         "hot_all_gb_fp8": hotset.gigabytes(b.hot_all_params, "fp8")})
    return rows


def _fingerprint(con, theses: list[Thesis], as_of: date | None) -> str:
    """What an evaluation depends on: the thesis and model files, the articles and extractions
    in the warehouse, and the evaluation date. Same fingerprint, same results."""
    h = hashlib.sha256()
    for t in theses:
        h.update(Path(t.path).read_bytes() if t.path else t.model_dump_json().encode())
        models = Path(t.path).parent / "models" if t.path else None
        for f in sorted(models.glob("*.json")) if models and models.is_dir() else []:
            h.update(f.read_bytes())
    h.update(repr((statuses.content_state(con), as_of or statuses.news_date(con))).encode())
    return h.hexdigest()


def alertable(old: str, new: str, alert_unknown: bool = False) -> bool:
    """A change worth an alert: always one to a bad status; one into or out of `unknown`
    towards a good one (news stopped, or started, discussing it) only when asked for.

    >>> alertable("holds", "weakening"), alertable("unknown", "holds"), alertable("holds", "unknown")
    (True, False, False)
    >>> alertable("unknown", "broken"), alertable("unknown", "holds", alert_unknown=True)
    (True, True)
    """
    if new not in GOOD_STATUSES and new != UNKNOWN:
        return True
    return alert_unknown or UNKNOWN not in (old, new)


def evaluate_and_record(settings: Settings, run_id: str, as_of: date | None = None) -> list[dict]:
    """Evaluate every configured thesis; store statuses; queue an alert for every change.

    When nothing the checks read has changed since the last run's evaluation (a morning of
    304s), the previous results are recorded again without running the checks.
    """
    theses = discover(settings.thesis_paths())
    if not theses:
        return []
    with read_connection(settings.db_path) as con:
        fp = _fingerprint(con, theses, as_of)
        last = statuses.run_with_fingerprint(con, fp, run_id)
        cached = _cached_results(statuses.recorded(con, last), theses) if last else None
    if cached is None:
        from warehouse.load import sync_model_hotsets
        sync_model_hotsets(settings.db_path, model_rows(theses))
        results = evaluate_theses(settings.db_path, theses, as_of, settings.sql_timeout)
    else:
        results = cached
    from thesis.alerts import compose_alert
    now = utcnow()
    statuses.record_evaluation(settings.db_path, run_id, results, fp, now, as_of or now.date(),
                               lambda r, evidence: compose_alert(r, evidence, run_id),
                               lambda old, new: alertable(old, new, settings.alert_unknown))
    return results


def _cached_results(recorded: dict[tuple[str, str], dict], theses: list[Thesis]) -> list[dict] | None:
    """The results a run recorded, when they cover exactly the current theses' items."""
    out = []
    for t in theses:
        for kind, item in t.items():
            r = recorded.get((t.id, item.id))
            if r is None:
                return None
            out.append({"thesis_id": t.id, "assumption_id": item.id, "kind": kind, "severity": item.severity,
                        "statement": item.statement, "status": r["status"], "value": r["value"],
                        "detail": r["detail"], "evidence_ids": list(r["evidence_ids"] or []), "as_of": r["as_of"]})
    return out if len(out) == len(recorded) else None


def replay_history(settings: Settings) -> dict:
    """Recompute every stored run's statuses with the current thesis files, each as of the date
    that run was evaluated at, and replace the whole status history with the result (ad-hoc
    `thesiswatch evaluate` rows too: they would otherwise outrank the replayed ones)."""
    theses = discover(settings.thesis_paths())
    with read_connection(settings.db_path) as con:
        runs = statuses.completed_runs(con)
    rows = []
    for run in runs:
        for r in evaluate_theses(settings.db_path, theses, run["day"], settings.sql_timeout):
            rows.append((r, run["run_id"], run["day"], run["started_at"]))
    statuses.replace_history(settings.db_path, rows)
    return {"runs": len(runs), "rows": len(rows)}
