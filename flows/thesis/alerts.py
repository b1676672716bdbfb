"""Alerts through an outbox: written with the status change, sent after commit, marked sent only
when Apprise reports success. Failed sends are retried on the next run; a sent alert key is
never sent again.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime

from flows.config import AlertTarget, Settings
from warehouse.db import failpoint, read_connection, transaction, utcnow

_RANK = {"low": 0, "medium": 1, "high": 2}


class AlertConfigError(Exception):
    pass


def _redact(url: str) -> str:
    """Scheme and host only: alert URLs often carry tokens."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("@")[-1]
    return f"{scheme}://{host}/…"


def check_targets(settings: Settings) -> None:
    """Refuse at config load a URL that Apprise cannot parse."""
    import apprise
    for i, t in enumerate(settings.alerts):
        a = apprise.Apprise()
        if not a.add(t.url):
            raise AlertConfigError(f"alerts[{i}]: Apprise cannot use the URL {_redact(t.url)}. "
                                   "Check its scheme and format (https://github.com/caronc/apprise/wiki)")


def _evidence_lines(con, ids: list[str]) -> list[str]:
    if not ids:
        return []
    rows = con.execute("""SELECT quote, sentence, source, url, published_date FROM v_claims
                          WHERE claim_id IN (SELECT unnest(?)) ORDER BY published_at DESC LIMIT 3""", [ids]).fetchall()
    if not rows:
        rows = [(None, title, source, url, day) for title, source, url, day in con.execute(
            """SELECT title, source, canonical_url, published_date FROM v_articles
               WHERE article_id IN (SELECT unnest(?)) ORDER BY published_date DESC LIMIT 3""", [ids]).fetchall()]
    out = []
    for quote, sentence, source, url, day in rows:
        text = (sentence or "")[:280]
        out.append(f"- \"{text}\" ({source}, {day}{', ' + url if url else ''})")
    return out


def make_alert(con, r: dict, run_id: str, now: datetime, as_of: date | None) -> None:
    """Queue one alert in the caller's transaction (the one that records the status change)."""
    key = f"{r['thesis_id']}/{r['assumption_id']}/{run_id}"
    snoozed = con.execute("SELECT 1 FROM snoozes WHERE thesis_id = ? AND assumption_id = ? AND until_date >= ?",
                          [r["thesis_id"], r["assumption_id"], as_of or now.date()]).fetchall()
    title = f"[thesiswatch] {r['thesis_id']}: {r['assumption_id']} {r['old_status']} -> {r['status']}"
    value = "n/a" if r["value"] is None else f"{r['value']:.6g}"
    body = "\n".join([
        f"{r['statement']}",
        f"Status: {r['old_status']} -> {r['status']} (severity {r['severity']}), value {value}.",
        *([f"Detail: {r['detail']}"] if r.get("detail") else []),
        "Evidence:" if r["evidence_ids"] else "Evidence: none recorded",
        *_evidence_lines(con, r["evidence_ids"]),
        f"alert-key: {key}",
    ])
    con.execute("""INSERT OR IGNORE INTO alert_outbox (alert_key, thesis_id, assumption_id, severity, old_status,
                   new_status, value, title, body, created_at, muted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [key, r["thesis_id"], r["assumption_id"], r["severity"], r["old_status"], r["status"], r["value"],
                 title, body, now, bool(snoozed)])


def _target_id(t: AlertTarget) -> str:
    return hashlib.sha256(t.url.encode()).hexdigest()[:16]


def _send(target: AlertTarget, title: str, body: str) -> str | None:
    """None on success, else the reason (naming the target without its secrets)."""
    import apprise
    a = apprise.Apprise()
    if not a.add(target.url):
        return f"Apprise cannot use {_redact(target.url)}"
    if not a.notify(title=title, body=body):
        return f"{_redact(target.url)}: delivery failed (target unreachable or refused)"
    return None


def deliver_pending(settings: Settings) -> dict:
    """Send every undelivered, unmuted alert to each target that wants it and has not had it.

    Delivery is recorded per target, so a target that is down gets the alert on a later run
    while the others never get it twice. An alert is marked sent once every target that admits
    its severity has it. With `digest: true`, each target gets one message per thesis.
    """
    with read_connection(settings.db_path) as con:
        pending = con.execute("""SELECT alert_key, thesis_id, severity, title, body FROM alert_outbox
                                 WHERE delivered_at IS NULL AND NOT muted ORDER BY created_at, alert_key""").fetchall()
        done = set(con.execute("""SELECT alert_key, target FROM alert_deliveries WHERE alert_key IN
                                  (SELECT alert_key FROM alert_outbox WHERE delivered_at IS NULL)""").fetchall())
    if not pending:
        return {"sent": 0, "failed": 0}
    if not settings.alerts:
        return {"sent": 0, "failed": 0, "no_targets": len(pending)}
    delivered: list[tuple[str, str]] = []
    errors: dict[str, str] = {}
    for target in settings.alerts:
        tid = _target_id(target)
        rows = [r for r in pending if _RANK[r[2]] >= _RANK[target.min_severity] and (r[0], tid) not in done]
        for keys, title, body in _messages(rows, settings.digest):
            failpoint("alert-before-send")
            error = _send(target, title, body)
            failpoint("alert-after-send")  # sent but not yet recorded: the next run sends again
            if error is None:
                delivered += [(k, tid) for k in keys]
            else:
                errors.update({k: error for k in keys})
    now = utcnow()
    got = done | set(delivered)
    complete = [r[0] for r in pending
                if all((r[0], _target_id(t)) in got for t in settings.alerts if _RANK[r[2]] >= _RANK[t.min_severity])]
    with transaction(settings.db_path) as con:
        for key, tid in delivered:
            con.execute("INSERT OR IGNORE INTO alert_deliveries VALUES (?, ?, ?)", [key, tid, now])
        for key, error in errors.items():
            con.execute("UPDATE alert_outbox SET attempts = attempts + 1, last_error = ? WHERE alert_key = ?",
                        [error, key])
        ok = [k for k in complete if k not in errors]
        if ok:
            con.execute("UPDATE alert_outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL "
                        "WHERE alert_key IN (SELECT unnest(?))", [now, ok])
    return {"sent": len([k for k in complete if k not in errors]), "failed": len(errors)}


def _messages(rows: list[tuple], digest: bool) -> list[tuple[list[str], str, str]]:
    """(alert keys, title, body) to send: one per alert, or one per thesis in digest mode."""
    if not digest:
        return [([k], title, body) for k, _, _, title, body in rows]
    by_thesis: dict[str, list] = {}
    for row in rows:
        by_thesis.setdefault(row[1], []).append(row)
    return [([r[0] for r in rs], f"[thesiswatch] {thesis_id}: {len(rs)} change(s)",
             "\n\n".join(r[3] + "\n" + r[4] for r in rs)) for thesis_id, rs in by_thesis.items()]


def snooze(settings: Settings, assumption_id: str, until: date, thesis_id: str | None = None) -> str:
    from flows.thesis.model import ThesisError, discover
    matches = [(t.id, item.id) for t in discover(settings.thesis_paths()) for _, item in t.items()
               if item.id == assumption_id and (thesis_id is None or t.id == thesis_id)]
    if not matches:
        raise ThesisError(f"no assumption or risk {assumption_id!r} in the configured theses. "
                          "Run `thesiswatch status` to see the ids")
    if len(matches) > 1:
        raise ThesisError(f"{assumption_id!r} exists in several theses ({', '.join(t for t, _ in matches)}). "
                          "Pass --thesis")
    tid = matches[0][0]
    with transaction(settings.db_path) as con:
        con.execute("INSERT OR REPLACE INTO snoozes VALUES (?, ?, ?, ?)", [tid, assumption_id, until, utcnow()])
    return tid
