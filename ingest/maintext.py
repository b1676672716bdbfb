"""Main text of an article page, with trafilatura's title, author and date: trafilatura on the
page's tree after ingest/pagetree.py has corrected two shapes it misreads; a beautifulsoup4
reading of the story element when trafilatura finds nothing.

Text never gains a space at an inline tag (新台幣<b>7,597</b>億元 stays 新台幣7,597億元);
<br> and block elements end a line.
"""
from __future__ import annotations

from dataclasses import dataclass

import trafilatura
from bs4 import BeautifulSoup, Tag
from lxml.html import HtmlElement

from ingest.htmltext import block_text
from ingest.pagetree import drop_teaser_cards, unname_wrappers

# trafilatura's defaults, except where measured on tests/pages (thesiswatch eval --pages):
# - include_comments=False: reader comments are not the story (with them: F1 0.904, without 0.916).
# - deduplicate stays off (its default): its cache is process-wide, so a page read again in a
#   long-running `serve` would come back empty as a "duplicate document".
# - fast stays off: the comparison with readability/jusText is what finds a live blog's later
#   entries after its first <article>; fast mode loses them (recall 0.977 against 1.000).
# - htmldate without its extensive search: that search hands free text to dateparser over every
#   locale it knows (5 s the first time in a process, 18 s under a profiler, on one page) and
#   its guesses come after our own dateline reading anyway (ingest/pages.py).
OPTIONS = {"include_comments": False, "include_tables": True, "include_links": False,
           "include_images": False, "deduplicate": False,
           "date_extraction_params": {"extensive_search": False, "original_date": True}}


@dataclass
class Extracted:
    text: str = ""
    title: str | None = None
    author: str | None = None
    date: str | None = None  # YYYY-MM-DD, htmldate's reading of the page


def with_trafilatura(tree: HtmlElement, url: str | None) -> Extracted:
    """trafilatura's reading of a page tree (changed in place by the pagetree corrections)."""
    unname_wrappers(tree)
    drop_teaser_cards(tree)
    doc = trafilatura.bare_extraction(tree, url=url, with_metadata=True, **OPTIONS)
    if doc is None:
        return Extracted()
    return Extracted(text=doc.text or "", title=doc.title, author=doc.author, date=doc.date)


# --- the beautifulsoup4 fallback ---------------------------------------------------------

_DROP = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
         "button", "template", "figure"]


def _story_root(soup: BeautifulSoup) -> Tag:
    """The <article> or <main> with the most text, else the block holding the most text of its
    own paragraphs and bare text lines (a story written as text and <br>)."""
    best, best_len = None, 0
    for cand in soup.find_all(["article", "main"]):
        n = len(cand.get_text(strip=True))
        if n > best_len:
            best, best_len = cand, n
    if best is not None:
        return best
    best, best_len = soup.body or soup, 0
    for cand in soup.find_all(["div", "section", "td"]):
        n = sum(len(p.get_text(strip=True)) for p in cand.find_all("p", recursive=False))
        n += sum(len(s.strip()) for s in cand.find_all(string=True, recursive=False))
        if n > best_len:
            best, best_len = cand, n
    return best


def with_soup(soup: BeautifulSoup) -> str:
    """The fallback: drop furniture tags, then the story element's text."""
    for tag in soup.find_all(_DROP):
        tag.decompose()
    return block_text(_story_root(soup))
