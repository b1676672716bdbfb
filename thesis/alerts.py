"""Alerts through an outbox: written with the status change, sent after commit, marked sent only
when Apprise reports success. Failed sends are retried on the next run; a sent alert key is
never sent again.
"""
from __future__ import annotations

import hashlib
from datetime import date
from typing import TYPE_CHECKING

from common.exceptions import TerminalException, ThesiswatchError
from warehouse import outbox
from warehouse.db import failpoint, read_connection, utcnow

if TYPE_CHECKING:  # settings are passed down by flows/; only their types are named here
    from flows.config import AlertTarget, Settings

_RANK = {"low": 0, "medium": 1, "high": 2}


class AlertConfigError(ThesiswatchError, TerminalException):
    """An alert target Apprise cannot use."""


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


def evidence_line(e: dict) -> str:
    """One piece of evidence in words: a statement by its quote (marked as context when it is
    not an affirmed fact), a claim by its sentence, an article by its title.

    >>> evidence_line({"kind": "statement", "quote": "NVIDIA has not acquired Groq", "predicate": "acquires",
    ...                "polarity": "negated", "modality": "fact", "asserted": False, "source": "wire",
    ...                "day": "2026-01-06", "url": None})
    '- context (acquires, negated fact): "NVIDIA has not acquired Groq" (wire, 2026-01-06)'
    """
    where = f"({e['source']}, {e['day']}{', ' + e['url'] if e['url'] else ''})"
    if e.get("kind") == "statement":
        reading = f"{e['predicate']}, {e['polarity']} {e['modality']}"
        lead = f"statement ({reading})" if e["asserted"] else f"context ({reading})"
        return f"- {lead}: \"{(e['quote'] or '')[:280]}\" {where}"
    return f"- \"{(e['sentence'] or '')[:280]}\" {where}"


def _evidence_lines(evidence: list[dict]) -> list[str]:
    return [evidence_line(e) for e in evidence]


def compose_alert(r: dict, evidence: list[dict], run_id: str) -> tuple[str, str, str]:
    """(alert key, title, body) for one status change, with up to three pieces of evidence."""
    key = f"{r['thesis_id']}/{r['assumption_id']}/{run_id}"
    title = f"[thesiswatch] {r['thesis_id']}: {r['assumption_id']} {r['old_status']} -> {r['status']}"
    value = "n/a" if r["value"] is None else f"{r['value']:.6g}"
    body = "\n".join([
        f"{r['statement']}",
        f"Status: {r['old_status']} -> {r['status']} (severity {r['severity']}), value {value}.",
        *([f"Detail: {r['detail']}"] if r.get("detail") else []),
        "Evidence:" if r["evidence_ids"] else "Evidence: none recorded",
        *_evidence_lines(evidence),
        f"alert-key: {key}",
    ])
    return key, title, body


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
        pending = outbox.pending(con)
        done = outbox.delivered_pairs(con)
    if not pending:
        return {"sent": 0, "failed": 0}
    if not settings.alerts:
        return {"sent": 0, "failed": 0, "no_targets": len(pending)}
    delivered: list[tuple[str, str]] = []
    errors: dict[str, str] = {}
    for target in settings.alerts:
        tid = _target_id(target)
        rows = [r for r in pending if _RANK[r["severity"]] >= _RANK[target.min_severity]
                and (r["alert_key"], tid) not in done]
        for keys, title, body in _messages(rows, settings.digest):
            failpoint("alert-before-send")
            error = _send(target, title, body)
            failpoint("alert-after-send")  # sent but not yet recorded: the next run sends again
            if error is None:
                delivered += [(k, tid) for k in keys]
            else:
                errors.update({k: error for k in keys})
    got = done | set(delivered)
    complete = [r["alert_key"] for r in pending
                if all((r["alert_key"], _target_id(t)) in got
                       for t in settings.alerts if _RANK[r["severity"]] >= _RANK[t.min_severity])]
    ok = [k for k in complete if k not in errors]
    outbox.record_deliveries(settings.db_path, delivered, errors, ok, utcnow())
    return {"sent": len(ok), "failed": len(errors)}


def _messages(rows: list[dict], digest: bool) -> list[tuple[list[str], str, str]]:
    """(alert keys, title, body) to send: one per alert, or one per thesis in digest mode."""
    if not digest:
        return [([r["alert_key"]], r["title"], r["body"]) for r in rows]
    by_thesis: dict[str, list[dict]] = {}
    for row in rows:
        by_thesis.setdefault(row["thesis_id"], []).append(row)
    return [([r["alert_key"] for r in rs], f"[thesiswatch] {thesis_id}: {len(rs)} change(s)",
             "\n\n".join(r["title"] + "\n" + r["body"] for r in rs)) for thesis_id, rs in by_thesis.items()]


def snooze(settings: Settings, assumption_id: str, until: date, thesis_id: str | None = None) -> str:
    from thesis.model import ThesisError, discover
    matches = [(t.id, item.id) for t in discover(settings.thesis_paths()) for _, item in t.items()
               if item.id == assumption_id and (thesis_id is None or t.id == thesis_id)]
    if not matches:
        raise ThesisError(f"no assumption or risk {assumption_id!r} in the configured theses. "
                          "Run `thesiswatch status` to see the ids")
    if len(matches) > 1:
        raise ThesisError(f"{assumption_id!r} exists in several theses ({', '.join(t for t, _ in matches)}). "
                          "Pass --thesis")
    tid = matches[0][0]
    outbox.add_snooze(settings.db_path, tid, assumption_id, until)
    return tid
