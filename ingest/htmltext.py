"""Plain text of HTML as a reader sees it: a line break at every block element and <br>,
nothing at an inline tag (新台幣<b>7,597</b>億元 stays one number, 目前<a>京津冀</a> one word).
Used for feed entries' HTML and for the page fallback when trafilatura finds no text.
"""
from __future__ import annotations

import html
import sys
from html.parser import HTMLParser

from bs4 import BeautifulSoup, NavigableString, Tag

BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                    "tr", "table", "section", "article", "main", "pre", "hr", "dd", "dt", "dl",
                    "figcaption", "header", "footer", "aside", "nav", "form", "address", "td", "th"})
_SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "svg"})


def _lines(raw: str) -> str:
    lines = (" ".join(ln.split()) for ln in raw.split("\n"))
    return "\n".join(ln for ln in lines if ln)


def soup_of(markup: str) -> BeautifulSoup:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))  # deeply nested junk must not crash the parser
    try:
        return BeautifulSoup(markup, "html.parser")
    finally:
        sys.setrecursionlimit(limit)


def block_text(root: Tag) -> str:
    """Text of a parsed element, one line per block.

    >>> block_text(soup_of("<div>營收<b>7,597</b>億元<br>first<p>second</p><script>x()</script></div>"))
    '營收7,597億元\\nfirst\\nsecond'
    """
    parts: list[str] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not a comment, CDATA or doctype
                    parts.append(str(child))
            elif isinstance(child, Tag) and child.name not in _SKIP:
                block = child.name in BLOCKS
                parts.append("\n" if block else "")
                walk(child)
                parts.append("\n" if block else "")

    walk(root)
    return _lines("".join(parts))


class _FragmentText(HTMLParser):
    """A streaming reading of an HTML fragment: block_text without building a tree."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skipping += 1
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIP:
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
    except Exception:  # malformed beyond repair: the forgiving soup
        return block_text(soup_of(fragment))
    return _lines("".join(p.parts))
