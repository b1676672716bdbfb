"""Main text, title and published time of an article page (beautifulsoup4).

Clutter is removed by tag (script, style, nav, header, footer, aside, form) and by class/id
words (ad, banner, cookie, sidebar, related, share...). The story is the <article> element if
there is one, else the block holding the most paragraph text.
"""
from __future__ import annotations

import html
import json
import re
import sys
from datetime import UTC, datetime
from html.parser import HTMLParser

from bs4 import BeautifulSoup, Tag

from ingest.charset import decode
from ingest.items import Item

_DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form",
              "iframe", "svg", "button", "template", "figure"]
_CLUTTER = re.compile(r"(^|[\s_-])(ads?|advert\w*|banner|cookie\w*|consent|sidebar|related|promo\w*|"
                      r"subscribe|newsletter|share|social|comments?|menu|breadcrumbs?|popup|modal)"
                      r"($|[\s_-])", re.I)
_BLOCKS = ["p", "h2", "h3", "li", "blockquote"]


def parse_datetime(value: str | None) -> datetime | None:
    """ISO-8601 (with or without zone) to naive UTC; None when unreadable."""
    if not value:
        return None
    v = value.strip().replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(v)
    except ValueError:
        m = re.match(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", v)
        if not m:
            return None
        dt = datetime(int(m[1]), int(m[2]), int(m[3]))
    if dt.tzinfo:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt


def soup_of(html: bytes | str, content_type: str | None = None) -> BeautifulSoup:
    text = decode(html, content_type)[0] if isinstance(html, bytes) else html
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))  # deeply nested junk must not crash the parser
    try:
        return BeautifulSoup(text, "html.parser")
    finally:
        sys.setrecursionlimit(limit)


def _published(soup: BeautifulSoup) -> datetime | None:
    for attrs in ({"property": "article:published_time"}, {"name": "article:published_time"},
                  {"itemprop": "datePublished"}, {"name": "pubdate"}, {"name": "date"}):
        tag = soup.find("meta", attrs=attrs)
        if tag and (dt := parse_datetime(tag.get("content"))):
            return dt
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (ValueError, TypeError):
            continue
        for obj in data if isinstance(data, list) else [data]:
            if isinstance(obj, dict) and (dt := parse_datetime(str(obj.get("datePublished") or ""))):
                return dt
    t = soup.find("time")
    if t:
        return parse_datetime(t.get("datetime") or t.get_text())
    return None


def _title(soup: BeautifulSoup) -> str:
    og = soup.find("meta", attrs={"property": "og:title"})
    if og and og.get("content"):
        return og["content"].strip()
    h1 = soup.find("h1")
    if h1 and h1.get_text(strip=True):
        return h1.get_text(" ", strip=True)
    return soup.title.get_text(strip=True) if soup.title else ""


def _is_clutter(tag: Tag) -> bool:
    if not isinstance(tag, Tag) or tag.attrs is None:
        return False
    words = " ".join([tag.get("id") or ""] + list(tag.get("class") or []))
    return bool(words and _CLUTTER.search(words))


def _paragraphs(root: Tag) -> list[str]:
    out = []
    for el in root.find_all(_BLOCKS):
        if el.find(_BLOCKS):  # the innermost block carries the text
            continue
        text = el.get_text(" ", strip=True)
        if text:
            out.append(text)
    if not out:
        text = root.get_text("\n", strip=True)
        out = [line for line in text.splitlines() if line.strip()]
    return out


def main_text(soup: BeautifulSoup) -> str:
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in [t for t in soup.find_all(True) if _is_clutter(t)]:
        if not tag.decomposed:
            tag.decompose()
    root = soup.find("article") or soup.find("main")
    if root is None:
        best, best_len = soup.body or soup, 0
        for cand in soup.find_all(["div", "section"]):
            n = sum(len(p.get_text(strip=True)) for p in cand.find_all("p", recursive=False))
            if n > best_len:
                best, best_len = cand, n
        root = best
    return "\n".join(_paragraphs(root))


class _FragmentText(HTMLParser):
    """Text of a feed entry's HTML: no scripts or styles, a line break per block element."""

    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article"}
    _SKIP = {"script", "style", "noscript", "template", "iframe", "svg"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment (a feed's content), paragraphs on their own lines.

    A feed entry is a fragment, not a page: a streaming parser is ten times cheaper than
    building a soup, and there is no page furniture to remove.
    """
    if "<" not in fragment:
        return html.unescape(fragment)
    p = _FragmentText()
    try:
        p.feed(fragment)
        p.close()
    except Exception:  # malformed beyond repair: fall back to the forgiving soup
        return main_text(soup_of(fragment))
    lines = (" ".join(ln.split()) for ln in "".join(p.parts).split("\n"))
    return "\n".join(ln for ln in lines if ln)


def parse_page(body: bytes, content_type: str | None = None, url: str | None = None) -> Item:
    soup = soup_of(body, content_type)
    title = _title(soup)
    published = _published(soup)
    return Item(title=title, text=main_text(soup), url=url, published_at=published)
