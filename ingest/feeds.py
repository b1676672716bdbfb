"""RSS/Atom parsing with feedparser, fed bytes our fetcher already fetched and made safe.

feedparser is never given a URL or a path (it would fetch without caps). Before parsing we
decode the bytes ourselves (charset.py), drop any DOCTYPE with its entity declarations, so no
entity is expanded and no external entity followed, and hand feedparser clean UTF-8.
"""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import feedparser

from ingest.charset import decode
from ingest.dates import read_date
from ingest.htmltext import html_to_text
from ingest.items import Item, NotAFeed, Parsed

_CHARREF = re.compile(r"&#(x[0-9a-fA-F]{1,8}|[0-9]{1,10});")
_UTC = ZoneInfo("UTC")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# Complaints that only mean "we re-encoded the bytes", not a broken feed.
_HARMLESS = (feedparser.CharacterEncodingOverride,)


def _declaration_end(text: str, start: int) -> int:
    """Index just past the '>' closing the declaration at `start`, honouring quotes and
    [internal subsets]; len(text) when it never closes. One pass, linear."""
    depth, quote, i, n = 0, None, start + 2, len(text)
    while i < n:
        c = text[i]
        if quote:
            if c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "[":
            depth += 1
        elif c == "]":
            depth = max(0, depth - 1)
        elif c == ">" and depth == 0:
            return i + 1
        i += 1
    return n


def strip_declarations(text: str) -> tuple[str, int]:
    """Remove every <!DOCTYPE ...> and <!ENTITY ...> outside comments and CDATA, each replaced by
    a space so the remains can never splice into a new declaration; repeated until none is left.
    Each pass is linear in the text."""
    removed_total = 0
    while True:
        out, pos, removed = [], 0, 0
        i = text.find("<!")
        while i >= 0:
            head = text[i:i + 9].lower()
            if head.startswith("<!--"):
                end = text.find("-->", i + 4)
                nxt = len(text) if end < 0 else end + 3
            elif head.startswith("<![cdata["):
                end = text.find("]]>", i + 9)
                nxt = len(text) if end < 0 else end + 3
            elif head.startswith("<!doctype") or head.startswith("<!entity"):
                nxt = _declaration_end(text, i)
                out.append(text[pos:i])
                out.append(" ")
                pos = nxt
                removed += 1
            else:
                nxt = i + 2
            i = text.find("<!", nxt)
        if not removed:
            return text, removed_total
        out.append(text[pos:])
        text = "".join(out)
        removed_total += removed


def _safe_charref(m: re.Match) -> str:
    ref = m.group(1)
    try:
        code = int(ref[1:], 16) if ref[0] in "xX" else int(ref)
    except ValueError:
        return "&#xFFFD;"
    ok = code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF
    return m.group(0) if ok else "&#xFFFD;"


def sanitize(body: bytes, content_type: str | None = None) -> tuple[bytes, list[str]]:
    """UTF-8 bytes without DTDs, entity declarations or invalid character references,
    plus notes on what was changed."""
    text, enc = decode(body, content_type)
    notes = []
    if enc not in ("utf-8", "ascii"):
        notes.append(f"decoded as {enc}")
    text, removed = strip_declarations(text)
    if removed:
        notes.append("removed a DOCTYPE/entity declarations (entities are never expanded)")
    text = _CHARREF.sub(_safe_charref, text)
    text = _XML_DECL.sub('<?xml version="1.0" encoding="utf-8"?>', text, count=1)
    return text.encode("utf-8", errors="replace"), notes


def _summarise(date_notes: list[str], show: int = 3) -> list[str]:
    """At most `show` date notes, then a count, so one bad feed does not flood the fetch row."""
    more = len(date_notes) - show
    return date_notes[:show] + ([f"{more} more date note(s)"] if more > 0 else [])


def _when(entry, tz: ZoneInfo, notes: list[str]) -> datetime | None:
    """The entry's date from its raw string (feedparser's own parse misreads zh and CST dates)."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if raw:
            when, note = read_date(raw, tz)
            if note:
                notes.append(note)
            return when
    return None


def _entry_item(entry, tz: ZoneInfo, notes: list[str]) -> Item:
    content = entry.get("content") or []
    full = next((c.get("value") for c in content if c.get("value")), None)
    summary = entry.get("summary") or ""
    text = html_to_text(full or summary)
    raw_title = entry.get("title") or ""
    # A plain-text title is already text: "History of the <blink> tag" and "&notes" stay as written.
    plain = (entry.get("title_detail") or {}).get("type") == "text/plain"
    title = " ".join(raw_title.split()) if plain else html_to_text(raw_title).strip()
    return Item(title=title, text=text,
                url=entry.get("link"), guid=entry.get("id"), published_at=_when(entry, tz, notes),
                needs_page=full is None)


def parse_feed(body: bytes, content_type: str | None = None, tz: ZoneInfo = _UTC,
               base_url: str | None = None) -> Parsed:
    """Items of a feed; a malformed feed keeps what parsed and says what was wrong. Dates
    without a zone are read in `tz`, the source's time zone; relative links resolve against
    `xml:base`, then `base_url` (the response's Content-Location or final URL)."""
    if not body.strip():
        raise NotAFeed("empty body")
    clean, notes = sanitize(body, content_type)
    try:
        # sanitize_html off: we never render HTML, html_to_text keeps only text (and it is slow)
        headers = {"content-type": "application/xml; charset=utf-8"}
        if base_url:
            headers["content-location"] = base_url
        d = feedparser.parse(clean, response_headers=headers,
                             sanitize_html=False, resolve_relative_uris=False)
    except Exception as e:  # feedparser's fallback parser can raise on junk; that is data, not a crash
        raise NotAFeed(f"not a feed (parser failed: {type(e).__name__})") from None
    complaint = None
    if d.get("bozo") and not isinstance(d.get("bozo_exception"), _HARMLESS):
        complaint = f"{type(d.bozo_exception).__name__}: {str(d.bozo_exception)[:200]}"
    if not d.entries and (complaint or not d.get("version")):
        raise NotAFeed(f"not a feed ({complaint or 'no RSS/Atom elements found'})")
    date_notes: list[str] = []
    items = [_entry_item(e, tz, date_notes) for e in d.entries]
    notes += _summarise(date_notes)
    warning = f"malformed feed, kept {len(items)} items: {complaint}" if complaint else None
    return Parsed(items=items, warning=warning, notes=notes)
