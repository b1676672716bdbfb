"""RSS/Atom parsing with feedparser, fed bytes our fetcher already fetched and made safe.

feedparser is never given a URL or a path (it would fetch without caps). Before parsing we
decode the bytes ourselves (charset.py), drop any DOCTYPE with its entity declarations, so no
entity is expanded and no external entity followed, and hand feedparser clean UTF-8.
"""
from __future__ import annotations

import calendar
import re
from datetime import datetime

import feedparser

from flows.ingest.charset import decode
from flows.ingest.items import Item, Parsed
from flows.ingest.pages import html_to_text

_DOCTYPE = re.compile(r"<!DOCTYPE(?:[^\[>]|\[.*?\])*>", re.S | re.I)
_ENTITY_DECL = re.compile(r"<!ENTITY.*?>", re.S | re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# Complaints that only mean "we re-encoded the bytes", not a broken feed.
_HARMLESS = (feedparser.CharacterEncodingOverride,)


class NotAFeed(Exception):
    pass


def sanitize(body: bytes, content_type: str | None = None) -> tuple[bytes, list[str]]:
    """UTF-8 bytes without DTDs or entity declarations, plus notes on what was removed."""
    text, enc = decode(body, content_type)
    notes = []
    if enc not in ("utf-8", "ascii"):
        notes.append(f"decoded as {enc}")
    if _DOCTYPE.search(text) or _ENTITY_DECL.search(text):
        text = _ENTITY_DECL.sub("", _DOCTYPE.sub("", text))
        notes.append("removed a DOCTYPE/entity declarations (entities are never expanded)")
    text = _XML_DECL.sub('<?xml version="1.0" encoding="utf-8"?>', text, count=1)
    return text.encode("utf-8", errors="replace"), notes


def _when(entry) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        t = entry.get(key)
        if t:
            try:
                return datetime.utcfromtimestamp(calendar.timegm(t))
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _entry_item(entry) -> Item:
    content = entry.get("content") or []
    full = next((c.get("value") for c in content if c.get("value")), None)
    summary = entry.get("summary") or ""
    text = html_to_text(full or summary)
    return Item(title=html_to_text(entry.get("title") or "").strip(), text=text,
                url=entry.get("link"), guid=entry.get("id"), published_at=_when(entry),
                needs_page=full is None)


def parse_feed(body: bytes, content_type: str | None = None) -> Parsed:
    """Items of a feed; a malformed feed keeps what parsed and says what was wrong."""
    if not body.strip():
        raise NotAFeed("empty body")
    clean, notes = sanitize(body, content_type)
    d = feedparser.parse(clean, response_headers={"content-type": "application/xml; charset=utf-8"},
                         sanitize_html=True, resolve_relative_uris=False)
    complaint = None
    if d.get("bozo") and not isinstance(d.get("bozo_exception"), _HARMLESS):
        complaint = f"{type(d.bozo_exception).__name__}: {str(d.bozo_exception)[:200]}"
    if not d.entries and (complaint or not d.get("version")):
        raise NotAFeed(f"not a feed ({complaint or 'no RSS/Atom elements found'})")
    items = [_entry_item(e) for e in d.entries]
    warning = f"malformed feed, kept {len(items)} items: {complaint}" if complaint else None
    return Parsed(items=items, warning=warning, notes=notes)
