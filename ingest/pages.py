"""An article page read into an Item: main text (trafilatura, ingest/maintext.py), title, and
published time; plus whether the page is only a stub (ingest/stubs.py). Also the text of a
feed entry's HTML fragment (html_to_text).

Title and date come first from what the page states for machines (JSON-LD NewsArticle,
article:published_time and similar meta tags, read with beautifulsoup4), then from
trafilatura's metadata (htmldate for the date), then from <h1>, <title> and <time>.
"""
from __future__ import annotations

import html
import json
import sys
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, SoupStrainer

from ingest.charset import decode
from ingest.dates import read_date
from ingest.items import Item
from ingest.maintext import BLOCKS, Extracted, parse_tree, prune_clutter, visible_text, with_soup, with_trafilatura
from ingest.stubs import paywall_signs, stub_reason, without_title

_UTC = ZoneInfo("UTC")
_META_DATES = ({"property": "article:published_time"}, {"name": "article:published_time"},
               {"itemprop": "datePublished"}, {"name": "pubdate"}, {"name": "publishdate"},
               {"name": "date"}, {"property": "og:published_time"})
_HEAD = SoupStrainer(["title", "meta", "script", "time", "h1"])


@dataclass
class Page:
    item: Item
    author: str | None = None
    partial: str | None = None  # why the page is not an article (title only, paywall stub)
    notes: list[str] = field(default_factory=list)


def soup_of(markup: bytes | str, content_type: str | None = None, parse_only=None) -> BeautifulSoup:
    text = decode(markup, content_type)[0] if isinstance(markup, bytes) else markup
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))  # deeply nested junk must not crash the parser
    try:
        return BeautifulSoup(text, "html.parser", parse_only=parse_only)
    finally:
        sys.setrecursionlimit(limit)


def _ld_objects(soup: BeautifulSoup) -> list[dict]:
    """Every JSON-LD object of the page, @graph members included."""
    out: list[dict] = []
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (ValueError, TypeError, RecursionError):
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            obj = stack.pop(0)
            if isinstance(obj, dict):
                out.append(obj)
                stack += obj.get("@graph") if isinstance(obj.get("@graph"), list) else []
    return out


def _is_article(obj: dict) -> bool:
    kinds = obj.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and (k.endswith("Article") or k.endswith("Posting")) for k in kinds)


def _names(value) -> str | None:
    """A JSON-LD author: a string, a Person, or a list of them."""
    items = value if isinstance(value, list) else [value]
    names = [v.get("name") if isinstance(v, dict) else v for v in items]
    names = [n.strip() for n in names if isinstance(n, str) and n.strip()]
    return "; ".join(names) or None


def _title(soup: BeautifulSoup, ld: dict, extracted: Extracted) -> str:
    headline = ld.get("headline")
    if isinstance(headline, str) and headline.strip():
        return " ".join(headline.split())
    if extracted.title:
        return extracted.title.strip()
    og = soup.find("meta", attrs={"property": "og:title"})
    if og and og.get("content"):
        return og["content"].strip()
    h1 = soup.find("h1")
    if h1 and h1.get_text(strip=True):
        return h1.get_text(strip=True)
    return soup.title.get_text(strip=True) if soup.title else ""


def _published(soup: BeautifulSoup, ld: dict, extracted: Extracted, tz: ZoneInfo) -> tuple[datetime | None, str | None]:
    """The page's stated time with its zone (JSON-LD, meta tags); else htmldate's day, with the
    time of the page's <time datetime> of that day when there is one. Read by ingest.dates:
    a time without a zone is in the source's zone, as for feeds."""
    stated = [ld.get("datePublished")]
    stated += [tag.get("content") for attrs in _META_DATES for tag in soup.find_all("meta", attrs=attrs)]
    for raw in stated:
        if isinstance(raw, str) and raw.strip():
            dt, note = read_date(raw, tz)
            if dt:
                return dt, note
    times = [t.get("datetime").strip() for t in soup.find_all("time") if (t.get("datetime") or "").strip()]
    if extracted.date:
        return read_date(next((t for t in times if t.startswith(extracted.date)), extracted.date), tz)
    for raw in times + [t.get_text(strip=True) for t in soup.find_all("time")]:
        dt, note = read_date(raw, tz)
        if dt:
            return dt, note
    return None, None


def read_page(body: bytes | str, content_type: str | None = None, url: str | None = None,
              tz: ZoneInfo | None = None) -> Page:
    """Read an article page. `url` is where it was finally fetched from (after redirects);
    `tz` is the source's time zone for times the page gives without one.

    >>> page = read_page(b"<html><head><title>Brief | Site</title></head><body><h1>Brief</h1></body></html>")
    >>> page.partial
    'page has only its title'
    """
    tz = tz or _UTC
    text = decode(body, content_type)[0] if isinstance(body, bytes) else body
    head = soup_of(text, parse_only=_HEAD)
    objects = _ld_objects(head)
    ld = next((o for o in objects if _is_article(o)), {})
    notes: list[str] = []
    tree = parse_tree(text)
    extracted, signs = Extracted(), []
    if tree is not None:
        tokens = {t.lower() for v in tree.xpath("//@class | //@id") for t in str(v).split()}
        signs = paywall_signs(visible_text(tree), tokens, objects)
        prune_clutter(tree)
        extracted = with_trafilatura(tree, url)
    main = extracted.text.strip()
    if not main:
        main = with_soup(soup_of(text))
        if main:
            notes.append("main text read by the fallback (trafilatura found none)")
    title = _title(head, ld, extracted)
    published, date_note = _published(head, ld, extracted, tz)
    notes += [date_note] if date_note else []
    item = Item(title=title, text=without_title(main, title), url=url, published_at=published)
    return Page(item=item, author=_names(ld.get("author")) or extracted.author,
                partial=stub_reason(main, title, signs), notes=notes)


def parse_page(body: bytes | str, content_type: str | None = None, url: str | None = None,
               tz: ZoneInfo | None = None) -> Item:
    """The page as an Item (see read_page for its author, notes and stub verdict)."""
    return read_page(body, content_type, url, tz).item


class _FragmentText(HTMLParser):
    """Text of a feed entry's HTML: no scripts or styles, a line break per block element and
    <br>, nothing at an inline tag (新台幣<b>7,597</b>億元 stays one number)."""

    _SKIP = {"script", "style", "noscript", "template", "iframe", "svg"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment (a feed's content), paragraphs on their own lines.

    A feed entry is a fragment, not a page: a streaming parser is ten times cheaper than
    building a soup, and there is no page furniture to remove.

    >>> html_to_text("<p>營收達新台幣<b>7,597</b>億元</p><p>first<br>second</p>")
    '營收達新台幣7,597億元\\nfirst\\nsecond'
    """
    if "<" not in fragment:
        return html.unescape(fragment)
    p = _FragmentText()
    try:
        p.feed(fragment)
        p.close()
    except Exception:  # malformed beyond repair: fall back to the forgiving soup
        return with_soup(soup_of(fragment))
    lines = (" ".join(ln.split()) for ln in "".join(p.parts).split("\n"))
    return "\n".join(ln for ln in lines if ln)
