"""Hand-annotated statements (the gold set's `statements:` lists, and the scenario files') turned
into the statements extractor's output contract, and the entity rows their checks compare on.

Annotations name a quote, not offsets; the quote is placed at its next occurrence in the text
(annotations are in text order), its sentence cut at 。！？!?; or a full stop before a space.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ATTRIBUTES = ROOT / "tests" / "gold" / "statements" / "attributes.yaml"
_SENTENCE_END = re.compile(r"[。！？!?；;]|\.(?=\s|$)")
_FIELDS = ("subject", "subject_text", "predicate", "object", "object_text", "qualifier", "polarity", "modality")


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) of the sentence holding text[start:end]."""
    begin = 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() <= start:
            begin = m.end()
        elif m.start() >= end - 1:
            stop = m.end()
            break
    else:
        stop = len(text)
    while begin < start and text[begin].isspace():
        begin += 1
    return begin, stop


def to_contract(text: str, annotated: list[dict], claims: list[dict] | None = None) -> list[dict]:
    """The extractor contract's statements for annotations [{quote, subject, predicate, ...}].
    A claim whose span lies inside a statement's quote is that statement's claim (by index)."""
    out, pos = [], 0
    for a in annotated:
        start = text.find(a["quote"], pos)
        if start < 0:
            start = text.find(a["quote"])  # one clause carrying two statements is quoted twice
        assert start >= 0, f"quote not in the text: {a['quote']!r}"
        pos = start
        end = start + len(a["quote"])
        s_start, s_end = sentence_span(text, start, end)
        inside = [i for i, c in enumerate(claims or []) if start <= c["start"] and c["end"] <= end]
        out.append({**{k: a.get(k) for k in _FIELDS}, "quote": a["quote"], "start": start, "end": end,
                    "sentence": text[s_start:s_end], "sentence_start": s_start, "sentence_end": s_end,
                    "claims": inside})
    return out


@functools.cache
def _attributes() -> dict[str, dict]:
    raw = yaml.safe_load(ATTRIBUTES.read_text(encoding="utf-8"))
    return {eid: attrs for group in raw.values() for eid, attrs in group.items()}


def entity_rows(needed: list[dict] = ()) -> list[dict]:
    """The shipped gazetteer with the attributes of tests/gold/statements/attributes.yaml, plus
    `needed` (entries in the gold files' entities_needed shape), as sync_reference takes them."""
    from extractors.gazetteer import load_entities
    rows = {e.id: e.model_dump() for e in load_entities()}
    for eid, attrs in _attributes().items():
        if eid in rows:
            rows[eid].update({k: v for k, v in attrs.items() if not rows[eid].get(k)})
    for e in needed:
        rows.setdefault(e["id"], {"id": e["id"], "type": e["type"], "name": e.get("name") or e["id"],
                                  "parent": e.get("parent"), "aliases": e.get("aliases") or []})
        rows[e["id"]].update({k: e[k] for k in ("architecture", "tier", "medium") if e.get(k)})
    return list(rows.values())
