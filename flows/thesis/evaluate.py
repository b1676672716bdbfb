"""Run every thesis check on a read-only, sandboxed connection; record statuses and alerts.

A check that fails to run or returns the wrong shape gets status `error` with the reason:
never a silent pass.
"""
from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb

from flows.config import Settings
from flows.thesis.model import ASSUMPTION_STATUSES, RISK_STATUSES, Check, Thesis, discover, referenced_params
from warehouse.db import read_connection, transaction, utcnow
from warehouse.queries import guarded
from warehouse.views import create_as_of_views

MAX_EVIDENCE = 20


def _bind(sql: str, params: dict) -> dict:
    return {k: params[k] for k in referenced_params(sql) if k in params}


def run_check(con: duckdb.DuckDBPyConnection, kind: str, item: Check, params: dict) -> dict:
    """{status, value, detail, evidence_ids} for one assumption or risk."""
    allowed = ASSUMPTION_STATUSES if kind == "assumption" else RISK_STATUSES
    out = {"status": "error", "value": None, "detail": None, "evidence_ids": []}
    try:
        cur = con.execute(item.check, _bind(item.check, params))
        cols = [d[0].lower() for d in cur.description]
        rows = cur.fetchall()
    except duckdb.Error as e:
        out["detail"] = f"check failed: {str(e).splitlines()[0]}"
        return out
    if len(rows) != 1 or "status" not in cols or "value" not in cols:
        out["detail"] = (f"check must return one row with status and value; got {len(rows)} row(s) "
                         f"with columns {', '.join(cols) or '(none)'}")
        return out
    row = dict(zip(cols, rows[0]))
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
            ev = con.execute(item.evidence, _bind(item.evidence, params)).fetchall()
            out["evidence_ids"] = [str(r[0]) for r in ev[:MAX_EVIDENCE] if r and r[0] is not None]
        except duckdb.Error as e:
            out["detail"] = ((out["detail"] + "; ") if out["detail"] else "") + \
                f"evidence query failed: {str(e).splitlines()[0]}"
    return out


def evaluate_theses(db: Path, theses: list[Thesis], as_of: date | None = None) -> list[dict]:
    """Results for every item of every thesis, without recording anything."""
    results = []
    with read_connection(db) as con:
        guarded(con)
        if as_of:
            create_as_of_views(con, as_of)
        when = as_of or news_date(con)
        for thesis in theses:
            for kind, item in thesis.items():
                params = {**thesis.params_for(item), "as_of": when}
                res = run_check(con, kind, item, params)
                results.append({"thesis_id": thesis.id, "assumption_id": item.id, "kind": kind,
                                "severity": item.severity, "statement": item.statement, "as_of": when, **res})
    return results


def news_date(con: duckdb.DuckDBPyConnection) -> date:
    """$as_of for a run without one: the newest article's date, never later than today.

    Windows ("news of the last 120 days") then mean the same thing for an archive loaded
    today as for the daily run that saw it arrive.
    """
    newest = con.execute("SELECT max(published_date) FROM v_articles WHERE published_date <= current_date").fetchall()[0][0]
    return newest or date.today()


def dry_run(settings: Settings, thesis: Thesis) -> list[dict]:
    return evaluate_theses(settings.db_path, [thesis])


def _previous(con) -> dict[tuple[str, str], str]:
    """(thesis, assumption) -> its latest recorded status, in one read."""
    return {(t, a): st for t, a, st in con.execute("SELECT thesis_id, assumption_id, status FROM v_status").fetchall()}


def model_rows(theses: list[Thesis]) -> list[dict]:
    """Hot-set arithmetic for every model config in a `models/` folder beside a thesis file."""
    from flows import hotset
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
    state = con.execute("""SELECT (SELECT count(*) FROM articles), (SELECT max(fetched_at) FROM articles),
                                  (SELECT count(*) FROM extractions), (SELECT max(extracted_at) FROM extractions),
                                  (SELECT count(*) FROM mentions), (SELECT count(*) FROM claims)""").fetchall()[0]
    h.update(repr((state, as_of or news_date(con))).encode())
    return h.hexdigest()


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
        last = con.execute("""SELECT run_id FROM runs WHERE eval_fingerprint = ? AND run_id <> ?
                              ORDER BY started_at DESC LIMIT 1""", [fp, run_id]).fetchall()
        cached = _cached_results(con, last[0][0], theses) if last else None
    if cached is None:
        from warehouse.load import sync_model_hotsets
        sync_model_hotsets(settings.db_path, model_rows(theses))
        results = evaluate_theses(settings.db_path, theses, as_of)
    else:
        results = cached
    from flows.thesis.alerts import make_alert
    now = utcnow()
    with transaction(settings.db_path) as con:
        previous = _previous(con)
        for r in results:
            prev = previous.get((r["thesis_id"], r["assumption_id"]))
            r["old_status"] = prev
            r["changed"] = prev is not None and prev != r["status"]
            con.execute("""INSERT OR REPLACE INTO assumption_status
                (thesis_id, assumption_id, kind, severity, run_id, as_of, evaluated_at, status, value, detail, evidence_ids)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [r["thesis_id"], r["assumption_id"], r["kind"], r["severity"], run_id, r["as_of"], now, r["status"],
                 r["value"], r["detail"], r["evidence_ids"]])
            if r["changed"]:
                make_alert(con, r, run_id, now, as_of)
        con.execute("UPDATE runs SET eval_fingerprint = ? WHERE run_id = ?", [fp, run_id])
    return results


def _cached_results(con, run_id: str, theses: list[Thesis]) -> list[dict] | None:
    """The results recorded by `run_id`, when they cover exactly the current theses' items."""
    rows = con.execute("""SELECT thesis_id, assumption_id, kind, severity, status, value, detail, evidence_ids, as_of
                          FROM assumption_status WHERE run_id = ?""", [run_id]).fetchall()
    by_key = {(r[0], r[1]): r for r in rows}
    out = []
    for t in theses:
        for kind, item in t.items():
            r = by_key.get((t.id, item.id))
            if r is None:
                return None
            out.append({"thesis_id": t.id, "assumption_id": item.id, "kind": kind, "severity": item.severity,
                        "statement": item.statement, "status": r[4], "value": r[5], "detail": r[6],
                        "evidence_ids": list(r[7] or []), "as_of": r[8]})
    return out if len(out) == len(rows) else None


def replay_history(settings: Settings) -> dict:
    """Recompute every stored run's statuses with the current thesis files, each as of the date
    that run was evaluated at, and replace the whole status history with the result (ad-hoc
    `thesiswatch evaluate` rows too: they would otherwise outrank the replayed ones)."""
    theses = discover(settings.thesis_paths())
    with read_connection(settings.db_path) as con:
        runs = con.execute("""SELECT r.run_id,
                                     coalesce((SELECT max(s.as_of) FROM assumption_status s WHERE s.run_id = r.run_id),
                                              r.as_of, r.started_at::DATE) AS day,
                                     r.started_at
                              FROM runs r WHERE r.status = 'completed' ORDER BY day, r.started_at""").fetchall()
    rows = []
    for run_id, day, started in runs:
        for r in evaluate_theses(settings.db_path, theses, day):
            rows.append((r, run_id, day, started))
    with transaction(settings.db_path) as con:
        con.execute("DELETE FROM assumption_status")
        for r, run_id, day, started in rows:
            con.execute("""INSERT OR REPLACE INTO assumption_status
                (thesis_id, assumption_id, kind, severity, run_id, as_of, evaluated_at, status, value, detail, evidence_ids)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [r["thesis_id"], r["assumption_id"], r["kind"], r["severity"], run_id, day, started, r["status"],
                 r["value"], r["detail"], r["evidence_ids"]])
    return {"runs": len(runs), "rows": len(rows)}
