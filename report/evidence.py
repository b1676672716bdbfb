"""Evidence as the page shows it: a quote with its marked spans, and where it came from.

A claim gives its sentence with the number marked; an article its title and first lines. A
statement (a quote with several spans and a source) fits the same shape: build an `Evidence`
with its quote as `text` and its spans as `marks`, and every block that prints evidence shows it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from report import format as fmt


@dataclass(frozen=True)
class Evidence:
    kind: str                          # claim | article (| statement)
    id: str
    text: str                          # the quote
    marks: tuple[tuple[int, int], ...]  # character spans of `text` to highlight, sorted, not overlapping
    source: str
    title: str | None = None
    url: str | None = None             # http(s) only; anything else is dropped
    published: date | None = None
    note: str | None = None            # what was read: "5M count, 2027"

    def pieces(self) -> list[tuple[str, bool]]:
        """`text` cut at the marks: (chunk, marked) in order.

        >>> Evidence("claim", "c1", "TPU volume may reach 5M units.", ((21, 23),), "feed").pieces()
        [('TPU volume may reach ', False), ('5M', True), (' units.', False)]
        """
        out, at = [], 0
        for start, end in self.marks:
            if start > at:
                out.append((self.text[at:start], False))
            out.append((self.text[start:end], True))
            at = end
        if at < len(self.text):
            out.append((self.text[at:], False))
        return out


def safe_url(url: str | None) -> str | None:
    """The URL when it is http or https, else None: escaping stops markup, not `javascript:`.

    >>> safe_url("https://example.com/a?b=1"), safe_url("javascript:alert(1)"), safe_url(" JAVASCRIPT:x")
    ('https://example.com/a?b=1', None, None)
    """
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def claim_span(sentence: str, quote: str, start: int, end: int, around: str | None, around_start: int
               ) -> tuple[int, int] | None:
    """Where the claim's number sits in its sentence.

    `start`/`end` are the claim's offsets in the article; `around` is the article text from
    offset `around_start`, long enough to hold the sentence. The sentence found there that
    covers the claim places the number exactly (a sentence can hold the same figure twice);
    without it, the first occurrence of the quote.

    >>> text = "Up 9% in May. Targets imply 9% upside."
    >>> claim_span("Targets imply 9% upside.", "9%", 28, 30, text, 0)
    (14, 16)
    >>> claim_span("Targets imply 9% upside.", "9%", 28, 30, None, 0)
    (14, 16)
    >>> claim_span("No figure here.", "9%", 0, 2, None, 0) is None
    True
    """
    if around and sentence:
        at = around.find(sentence)
        while at >= 0:
            s0 = around_start + at
            if s0 <= start and end <= s0 + len(sentence):
                return start - s0, end - s0
            at = around.find(sentence, at + 1)
    i = sentence.find(quote) if quote else -1
    return (i, i + len(quote)) if i >= 0 else None


def _date(v) -> date | None:
    return v.date() if isinstance(v, datetime) else v if isinstance(v, date) else None


def from_claim(r: dict) -> Evidence:
    span = claim_span(r["text"] or "", r["quote"] or "", r["start_char"], r["end_char"], r.get("around"),
                      r.get("around_start") or 0)
    read = [fmt.value(r.get("value"), r.get("unit")), r.get("unit") if r.get("unit") == "count" else None,
            r.get("metric"), r.get("period")]
    return Evidence(kind="claim", id=str(r["id"]), text=r["text"] or r["quote"] or "",
                    marks=(span,) if span else (), source=r["source"], title=r.get("title"),
                    url=safe_url(r.get("url")), published=_date(r.get("published_at")),
                    note=" · ".join(str(p) for p in read if p))


def from_article(r: dict) -> Evidence:
    lead = " ".join((r.get("text") or "").split())
    return Evidence(kind="article", id=str(r["id"]), text=lead + ("…" if len(lead) >= 200 else ""), marks=(),
                    source=r["source"], title=r.get("title") or None, url=safe_url(r.get("url")),
                    published=_date(r.get("published_at")))


def from_row(r: dict) -> Evidence:
    """An `evidence_items` row (warehouse/queries.py) as Evidence."""
    return from_claim(r) if r["kind"] == "claim" else from_article(r)
