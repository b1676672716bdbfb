"""An article page read into an Item: main text (trafilatura, ingest/maintext.py), title, author
and published time, and whether the page is only a stub (ingest/stubs.py).

Title, author and date come first from what the page states (JSON-LD, date meta tags, its
<h1>), then from trafilatura's metadata (htmldate for the date). Every date string goes through
ingest.dates in the source's time zone, as a feed's do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from ingest.charset import decode
from ingest.dates import read_date
from ingest.htmltext import soup_of
from ingest.items import Item
from ingest.maintext import Extracted, with_soup, with_trafilatura
from ingest.pagemeta import Stated, names, read_stated
from ingest.pagetree import parse_tree, visible_text
from ingest.stubs import paywall_signs, stub_reason, without_title

_UTC = ZoneInfo("UTC")


@dataclass
class Page:
    item: Item
    author: str | None = None
    partial: str | None = None  # why the page is not an article (title only, paywall stub)
    notes: list[str] = field(default_factory=list)


def _title(stated: Stated, extracted: Extracted) -> str:
    """The headline as the page shows it (the heading its <title> is made of, else its <h1>),
    else JSON-LD's, trafilatura's, og:title, <title>."""
    headline = stated.article.get("headline")
    for cand in (stated.headline, headline if isinstance(headline, str) else None, extracted.title,
                 stated.og_title, stated.title):
        if cand and cand.strip():
            return " ".join(cand.split())
    return ""


def _published(stated: Stated, extracted: Extracted, tz: ZoneInfo) -> tuple[datetime | None, str | None]:
    """The stated time (JSON-LD datePublished, date meta tags), else the dateline under the
    headline; else htmldate's day, with the time of a <time datetime> on that day when there is
    one; else the first readable <time>. A time without a zone is in `tz`."""
    note = None
    for raw in [stated.article.get("datePublished"), *stated.meta_dates, stated.dateline]:
        if isinstance(raw, str) and raw.strip():
            dt, note = read_date(raw, tz)
            if dt:
                return dt, note
    if extracted.date:
        same_day = next((t for t in stated.times if t.startswith(extracted.date)), extracted.date)
        return read_date(same_day, tz)
    for raw in stated.times:
        dt, note = read_date(raw, tz)
        if dt:
            return dt, note
    return None, note


def read_page(body: bytes | str, content_type: str | None = None, url: str | None = None,
              tz: ZoneInfo | None = None) -> Page:
    """Read an article page. `url` is where it was finally fetched from (after redirects);
    `tz` is the source's time zone for times the page gives without one.

    >>> page = read_page(b"<html><head><title>Brief | Site</title></head><body><h1>Brief</h1></body></html>")
    >>> page.partial
    'page has only its title'
    """
    tz = tz or _UTC
    markup = decode(body, content_type)[0] if isinstance(body, bytes) else body
    tree = parse_tree(markup)
    stated, extracted, tokens, visible = Stated(), Extracted(), set(), ""
    if tree is not None:
        stated = read_stated(tree)
        tokens = {t.lower() for v in tree.xpath("//@class | //@id") for t in str(v).split()}
        visible = visible_text(tree)
        extracted = with_trafilatura(tree, url)  # changes the tree: read everything else first
    notes: list[str] = []
    main = extracted.text.strip()
    if not main:
        main = with_soup(soup_of(markup))
        if main:
            notes.append("main text read by the fallback (trafilatura found none)")
    title = _title(stated, extracted)
    signs = paywall_signs(visible, tokens, stated.ld_objects)
    published, date_note = _published(stated, extracted, tz)
    notes += [date_note] if date_note else []
    item = Item(title=title, text=without_title(main, title), url=url, published_at=published)
    author = names(stated.article.get("author")) or extracted.author
    return Page(item=item, author=author, partial=stub_reason(main, title, signs), notes=notes)


def parse_page(body: bytes | str, content_type: str | None = None, url: str | None = None,
               tz: ZoneInfo | None = None) -> Item:
    """The page as an Item (see read_page for its author, notes and stub verdict)."""
    return read_page(body, content_type, url, tz).item
